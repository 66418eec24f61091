from django.urls import path

from .views import pdf

app_name = "protocols"

urlpatterns = [
    path("<int:pk>/pdf/", pdf.protocol_pdf, name="pdf"),
]

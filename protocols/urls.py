from django.urls import path

from .views import pdf

app_name = "protocols"

urlpatterns: list = [
    # Protocol type editor and settings (pengine).
    # Check-out / check-in capture, protocol page, files (pcapture).
    # PDF (ppdf).
    path("<int:pk>/pdf/", pdf.protocol_pdf, name="pdf"),
]

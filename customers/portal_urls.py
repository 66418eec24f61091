from django.urls import path

from .views import portal

app_name = "portal"

urlpatterns = [
    path("set-password/<str:token>/", portal.set_password, name="set_password"),
]

from django.urls import path

from .views import public

app_name = "fleetback_public"

urlpatterns = [
    path("<str:token>/", public.page, name="page"),
    path("<str:token>/logo/", public.logo, name="logo"),
]

from django.urls import path

from .views import public, public_media

app_name = "fleetback_public"

urlpatterns = [
    path("<str:token>/", public.page, name="page"),
    path("<str:token>/logo/", public.logo, name="logo"),
    path("<str:token>/media/<int:medium_pk>/", public_media.medium_file, name="medium_file"),
    path("<str:token>/media/<int:medium_pk>/poster/", public_media.medium_poster, name="medium_poster"),
    path("<str:token>/attachments/<int:attachment_pk>/", public_media.attachment_file, name="attachment_file"),
]

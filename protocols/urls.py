from django.urls import path

from .urls_capture import urlpatterns as capture_patterns
from .views import types

app_name = "protocols"

urlpatterns = [
    # Protocol type editor and settings (pengine).
    path("types/", types.type_list, name="type_list"),
    path("types/new/", types.type_create, name="type_create"),
    path("types/settings/", types.protocol_settings, name="settings"),
    path("types/<int:pk>/", types.type_edit, name="type_edit"),
    path("types/<int:pk>/delete/", types.type_delete, name="type_delete"),
    # Check-out / check-in capture, protocol page, files (pcapture); PDF (ppdf).
    *capture_patterns,
]

from django.urls import path  # noqa: F401  (the routes follow as the pages land)

from .urls_capture import urlpatterns as capture_patterns

app_name = "protocols"

urlpatterns: list = [
    # Protocol type editor and settings (pengine).
    # Check-out / check-in capture, protocol page, files (pcapture); PDF (ppdf).
    *capture_patterns,
]

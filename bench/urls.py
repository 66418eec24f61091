"""The application's URLs plus the bench's bare view at the end of the whole middleware chain."""

from django.urls import path

from rentoffice.urls import handler400, handler403, handler404, handler500, urlpatterns

from .bare import bare_view

urlpatterns = [path("bench/bare-view/", bare_view), *urlpatterns]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

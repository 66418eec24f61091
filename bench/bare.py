"""The bench's bare Django view (see bench/settings.py); never part of the application's settings."""

from django.http import HttpResponse

PATH = "/bench/bare/"


def bare_view(request):
    return HttpResponse(b"ok", content_type="text/plain")


class BareViewMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == PATH:
            return bare_view(request)
        return self.get_response(request)

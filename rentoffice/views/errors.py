"""Error pages in the product's layout and language."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def forbidden(request, exception=None):
    return render(request, "errors/403.html", status=403)


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def csrf_failure(request, reason=""):
    # Usually a form left open too long or cookies blocked; say so instead of Django's technical page.
    return render(request, "errors/csrf.html", status=403)


def server_error(request):
    # No request context: the database may be the reason we are here, and context processors query it.
    return HttpResponseServerError(render_to_string("errors/500.html"))

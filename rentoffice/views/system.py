"""Operational endpoints and cross-cutting record pages (health, activity, messages)."""

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render

from .. import records
from ..selectors import activity_for_object, messages_for_object
from ..tenancy import requires

logger = logging.getLogger(__name__)


def healthz(request):
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        logger.error("healthz: database unreachable: %s", exc)
        checks["database"] = "unreachable"
    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        checks["broker"] = "ok"
    except Exception as exc:
        logger.error("healthz: broker unreachable: %s", exc)
        checks["broker"] = "unreachable"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503)


def _record(request, kind: str, pk: int):
    try:
        return records.get(kind, membership=request.membership, pk=pk)
    except KeyError:
        raise Http404


@requires("activity.view")
def activity_all(request, org_slug, kind, pk):
    obj = _record(request, kind, pk)
    entries = activity_for_object(obj=obj)
    return render(request, "rentoffice/activity_all.html", {"object": obj, "ctx": {"entries": entries}, "kind": kind})


@requires("messages.view")
def messages_all(request, org_slug, kind, pk):
    obj = _record(request, kind, pk)
    return render(
        request,
        "rentoffice/messages_all.html",
        {"object": obj, "ctx": {"messages_sent": messages_for_object(obj=obj)}, "kind": kind},
    )

"""Cross-cutting record pages: activity and messages of any registered record kind."""

from django.http import Http404
from django.shortcuts import render

from .. import records
from ..selectors import activity_for_object, messages_for_object
from ..tenancy import requires


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

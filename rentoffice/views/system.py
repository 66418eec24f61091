"""Cross-cutting record pages: activity and messages of any registered record kind."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from .. import record_kinds
from ..selectors import activity_for_object, messages_for_object
from ..tenancy import requires


def _record(request, kind: str, pk: int):
    """The record (404 outside the member's reach), and 403 unless the member may see the record itself."""
    try:
        obj = record_kinds.get(kind, membership=request.membership, pk=pk)
    except KeyError as exc:
        raise Http404 from exc
    if not record_kinds.may_view(kind, membership=request.membership, obj=obj):
        raise PermissionDenied
    return obj


@requires("activity.view")
def activity_all(request, org_slug, kind, pk):
    obj = _record(request, kind, pk)
    page = Paginator(activity_for_object(obj=obj), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "rentoffice/activity_all.html",
        {"object": obj, "ctx": {"entries": page.object_list}, "kind": kind, "page": page},
    )


@requires("messages.view")
def messages_all(request, org_slug, kind, pk):
    obj = _record(request, kind, pk)
    return render(
        request,
        "rentoffice/messages_all.html",
        {"object": obj, "ctx": {"messages_sent": messages_for_object(obj=obj)}, "kind": kind},
    )

"""Bodies of lazily loaded panels (see rentoffice.panels)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from .. import panels, record_kinds


def panel_body(request, org_slug, kind, key, pk):
    panel = panels.get(kind, key)
    if panel is None or not panel.lazy or kind not in record_kinds._getters:
        raise Http404
    # The record first: an outsider or another station's member learns nothing, not even a 403.
    obj = record_kinds.get(kind, membership=request.membership, pk=pk)
    if not panel.visible_to(request.membership):
        raise PermissionDenied
    context = {
        "panel": panel,
        "ctx": panel.get_context(panels.view_for(request), obj),
        "record_kind": kind,
        "object": obj,
        "organization": request.organization,
    }
    return render(request, "rentoffice/panels/panel_body.html", context)

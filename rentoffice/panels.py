"""Panels: record pages of lower apps show panels contributed by higher apps.

A higher app registers a panel for a kind of record ("customer", "vehicle", ...) with a template
and a context function; the record page renders `{% panels "customer" object %}` without knowing
who contributed what. This keeps imports pointing downwards (see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    key: str
    title: object
    template: str
    get_context: Callable[[HttpRequest, object], dict] = field(default=lambda request, obj: {})
    order: int = 100
    permission: str | None = None


_registry: dict[str, dict[str, Panel]] = {}


def register(record_kind: str, panel: Panel) -> None:
    _registry.setdefault(record_kind, {})[panel.key] = panel


def panels_for(record_kind: str, request: HttpRequest) -> list[Panel]:
    membership = getattr(request, "membership", None)
    return sorted(
        (
            p
            for p in _registry.get(record_kind, {}).values()
            if p.permission is None or (membership is not None and membership.has_perm(p.permission))
        ),
        key=lambda p: (p.order, p.key),
    )


def _activity_context(request, obj) -> dict:
    from .selectors import activity_for_object

    return {"entries": activity_for_object(obj=obj, limit=10), "object": obj, "compact": True}


def _messages_context(request, obj) -> dict:
    from .selectors import messages_for_object

    return {"messages_sent": messages_for_object(obj=obj, limit=10), "object": obj}


def register_core_panels(record_kind: str) -> None:
    """Every record page gets the activity and messages panels; apps call this for their records."""
    from django.utils.translation import gettext_lazy as _

    register(
        record_kind,
        Panel("activity", _("Activity"), "rentoffice/panels/activity.html", _activity_context, 900, "activity.view"),
    )
    register(
        record_kind,
        Panel("messages", _("Messages"), "rentoffice/panels/messages.html", _messages_context, 910, "messages.view"),
    )


for _kind in ("station", "membership", "region", "role", "organization"):
    register_core_panels(_kind)

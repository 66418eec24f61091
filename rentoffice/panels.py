"""Panels: record pages of lower apps show panels contributed by higher apps.

A higher app registers a panel for a kind of record ("customer", "vehicle", ...) with a template
and a context function; the record page renders `{% panels "customer" object %}` without knowing
who contributed what. This keeps imports pointing downwards (see docs/architecture.md).

- Keys are unique per kind: registering a second panel under a key raises unless the call says
  `replaces=True` (an app taking over a placeholder), so two apps cannot silently shadow each other.
- `get_context(view, obj)` receives a `PanelView`: the membership, the top bar's station filter
  and `view.scoped(qs, field=...)`, which applies the member's station scope. A panel on an
  organization-wide page (the customer card) lists station-owned rows only through `scoped`, so
  station staff do not see another station's rows there.
- `lazy=True` panels render an htmx placeholder; their body comes from
  `/o/<slug>/panels/<kind>/<key>/<pk>/` (`rentoffice.views.panels.panel_body`), which loads the
  record through `record_kinds` (404 for outsiders and other stations) and checks the permission.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import HttpRequest

from .tenancy import scope_to_stations


@dataclass(frozen=True)
class PanelView:
    """What a panel's context function may rely on about who is looking."""

    request: HttpRequest
    membership: object
    station_filter: int | None

    def scoped(self, qs: QuerySet, field: str | tuple[str, ...] = "station", **kwargs) -> QuerySet:
        return scope_to_stations(qs, self.membership, field, station_filter=self.station_filter, **kwargs)

    def has_perm(self, permission: str) -> bool:
        return self.membership is not None and self.membership.has_perm(permission)


@dataclass(frozen=True)
class Panel:
    key: str
    title: object
    template: str
    get_context: Callable[[PanelView, object], dict] = field(default=lambda view, obj: {})
    order: int = 100
    permission: str | None = None
    lazy: bool = False

    def visible_to(self, membership) -> bool:
        return self.permission is None or (membership is not None and membership.has_perm(self.permission))


_registry: dict[str, dict[str, Panel]] = {}


def register(record_kind: str, panel: Panel, *, replaces: bool = False) -> None:
    panels = _registry.setdefault(record_kind, {})
    if panel.key in panels and not replaces:
        raise ValueError(
            f"a panel {panel.key!r} is already registered for {record_kind!r}; pass replaces=True to take it over"
        )
    if replaces and panel.key not in panels:
        raise ValueError(f"no panel {panel.key!r} registered for {record_kind!r} to replace")
    panels[panel.key] = panel


def get(record_kind: str, key: str) -> Panel | None:
    return _registry.get(record_kind, {}).get(key)


def lazy_panels() -> list[tuple[str, str]]:
    return sorted((kind, key) for kind, panels in _registry.items() for key, p in panels.items() if p.lazy)


def view_for(request: HttpRequest) -> PanelView:
    return PanelView(request, getattr(request, "membership", None), getattr(request, "station_filter", None))


def panels_for(record_kind: str, request: HttpRequest) -> list[Panel]:
    membership = getattr(request, "membership", None)
    return sorted(
        (p for p in _registry.get(record_kind, {}).values() if p.visible_to(membership)),
        key=lambda p: (p.order, p.key),
    )


def _activity_context(view: PanelView, obj) -> dict:
    from .selectors import activity_for_object

    return {"entries": activity_for_object(obj=obj, limit=10), "object": obj, "compact": True}


def _messages_context(view: PanelView, obj) -> dict:
    from .selectors import messages_for_object

    return {"messages_sent": messages_for_object(obj=obj, limit=10), "object": obj}


def register_core_panels(record_kind: str, *, lazy: bool = False) -> None:
    """Every record page gets the activity and messages panels; apps call this for their records.
    `lazy`: both load after the page (htmx) — for records whose log grows for years on a busy page."""
    from django.utils.translation import gettext_lazy as _

    register(
        record_kind,
        Panel(
            "activity", _("Activity"), "rentoffice/panels/activity.html", _activity_context, 900, "activity.view", lazy
        ),
    )
    register(
        record_kind,
        Panel(
            "messages", _("Messages"), "rentoffice/panels/messages.html", _messages_context, 910, "messages.view", lazy
        ),
    )


for _kind in ("station", "membership", "region", "role", "organization"):
    register_core_panels(_kind)

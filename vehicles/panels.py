"""Panels the fleet contributes to other pages (see rentoffice.panels)."""

from __future__ import annotations

from . import selectors


def dashboard_fleet_context(view, organization) -> dict:
    """The dashboard's fleet panel: what the user's stations (narrowed by the top bar) have right now."""
    return selectors.fleet_overview(membership=view.membership, station_filter=view.station_filter)

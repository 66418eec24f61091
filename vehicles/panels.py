"""Panels the fleet contributes to other pages (see rentoffice.panels)."""

from __future__ import annotations

from django.http import HttpRequest

from . import selectors


def dashboard_fleet_context(request: HttpRequest, organization) -> dict:
    """The dashboard's fleet panel: what the user's stations (narrowed by the top bar) have right now."""
    return selectors.fleet_overview(membership=request.membership, station_filter=request.station_filter)

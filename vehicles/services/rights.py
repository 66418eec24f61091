"""The fleet's rights checks, made by the services themselves (see rentoffice.authorization)."""

from __future__ import annotations

from rentoffice.authorization import require, require_station
from rentoffice.models import Membership

from ..models import Vehicle

CHANGE = "vehicles.change"
GROUPS = "vehicles.groups"


def require_vehicle(actor: Membership, vehicle: Vehicle, permission: str = CHANGE) -> None:
    """The actor holds the permission and sees the vehicle: at its home or at its current station."""
    require(actor, permission, organization_id=vehicle.organization_id)
    require_station(actor, vehicle.home_station_id, vehicle.current_station_id)

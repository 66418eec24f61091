"""Who may see and change a case: the permission, the dealership (station) and the mode."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from rentoffice.authorization import require, require_station
from rentoffice.models import Membership

from ..models import Case

SALES_ONLY = "cases.sales_only"


def modes_for(actor: Membership) -> tuple[str, ...]:
    """The modes the actor works in: sales staff see sales cases only."""
    if actor.has_perm(SALES_ONLY):
        return (Case.Mode.SALES,)
    return (Case.Mode.AFTER_SALES, Case.Mode.SALES)


def require_mode(actor: Membership, mode: str) -> None:
    if mode not in modes_for(actor):
        raise PermissionDenied


def require_case(actor: Membership, case: Case, *, change: bool = True) -> None:
    """View (or change) rights on this case; a refusal is PermissionDenied (views map lookups to 404
    through the selectors before a service is reached)."""
    require(actor, "cases.change" if change else "cases.view", organization_id=case.organization_id)
    require_station(actor, case.station_id)
    require_mode(actor, case.mode)

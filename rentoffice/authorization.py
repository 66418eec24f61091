"""Rights checks that services make for the person they act for.

Every service that changes state for a person takes `actor: Membership` and calls these before it
writes, so a view, a form, a DRF serializer or a task cannot forget a rule: views declare the
permission for the 403 page early, the service enforces it again. A missing right raises
`PermissionDenied`; a choice beyond the actor's own rights (a permission, a role, a station they
do not hold) raises a `ValidationError` on the field, which forms show like any other input error.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from .models import Membership
from .permissions import PERMISSIONS, RESTRICTIONS


def require(actor: Membership, *permissions: str, organization_id: int | None = None) -> None:
    """The actor is an active member holding every permission (of that organization, when given)."""
    if not isinstance(actor, Membership) or not actor.is_active:
        raise PermissionDenied
    if organization_id is not None and actor.organization_id != organization_id:
        raise PermissionDenied
    if any(not actor.has_perm(permission) for permission in permissions):
        raise PermissionDenied


def require_station(actor: Membership, *station_ids: int | None) -> None:
    """The actor covers at least one of the stations (a vehicle is reachable at home or where it is)."""
    if not any(station_id is not None and actor.covers_station(station_id) for station_id in station_ids):
        raise PermissionDenied


def require_all_stations(actor: Membership) -> None:
    """Organization-wide things (regions) are not reshaped by members limited to some stations."""
    if actor.station_ids is not None:
        raise PermissionDenied


def permissions_beyond(actor: Membership, permissions: Iterable[str]) -> set[str]:
    """What the actor would hand out without holding it (restrictions narrow a role, so they are free)."""
    return set(permissions) - RESTRICTIONS - actor.permission_set


def check_grant_ceiling(actor: Membership, permissions: Iterable[str], *, field: str = "permissions") -> None:
    """Nobody grants more than they hold: refuses permissions beyond the actor's own."""
    beyond = permissions_beyond(actor, permissions)
    if beyond:
        names = ", ".join(sorted(str(PERMISSIONS.get(p, p)) for p in beyond))
        raise ValidationError(
            {field: _("You cannot grant permissions you do not hold yourself: %(names)s") % {"names": names}}
        )

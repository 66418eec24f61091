"""Blocks: time a vehicle cannot be rented (workshop, maintenance, transfer), held like a booking."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rentoffice.models import Membership
from rentoffice.validators import date_in_window
from vehicles.models import Vehicle
from vehicles.services.rights import require_vehicle

from ..models import VehicleBlock
from .activity import acting
from .occupations import block_occupy

CHANGE = "contracts.change"


def _block_errors(*, kind: str, reason: str, starts_at, ends_at) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in VehicleBlock.Kind.values:
        errors["kind"] = _("Choose the kind of block.")
    if not reason.strip():
        errors["reason"] = _("Give a reason for the block.")
    elif len(reason.strip()) > 300:
        errors["reason"] = _("Keep the reason under 300 characters.")
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, dt.datetime):
            errors[field] = _("Enter a date and time.")
            continue
        try:
            date_in_window(value)
        except ValidationError as exc:
            errors[field] = exc.messages[0]
    if not errors and ends_at <= starts_at:
        errors["ends_at"] = _("The end must lie after the start.")
    return errors


@transaction.atomic
def block_create(
    *, actor: Membership, vehicle: Vehicle, kind: str, reason: str, starts_at: dt.datetime, ends_at: dt.datetime
) -> VehicleBlock:
    """Block the vehicle; refused (BookingConflict naming the contract) when the time is taken."""
    require_vehicle(actor, vehicle, permission=CHANGE)
    errors = _block_errors(kind=kind, reason=reason or "", starts_at=starts_at, ends_at=ends_at)
    if errors:
        raise ValidationError(errors)
    block = VehicleBlock(
        organization_id=vehicle.organization_id,
        vehicle=vehicle,
        kind=kind,
        reason=reason.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=actor.user,
    )
    with acting(actor):
        block.save()
        block_occupy(block)
    return block


@transaction.atomic
def block_delete(*, actor: Membership, block: VehicleBlock) -> None:
    """Remove the block; its occupation goes with it (cascade), so the time is free again."""
    require_vehicle(actor, block.vehicle, permission=CHANGE)
    with acting(actor):
        block.delete()

"""The status pipeline and the moves along it (docs/contracts.md, "Lifecycle").

reserved → checked out → checked in → settled; reserved → cancelled. The table below is the only
place that says which move is allowed; every service asks `transition_check` first.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rentoffice.authorization import require_station
from rentoffice.models import Membership, Station
from vehicles.models import KmReading, Vehicle
from vehicles.services.km import KmReadingRefused, km_reading_record

from ..exceptions import TransitionError
from ..models import Contract
from ..signals import contract_checked_in
from .activity import acting
from .availability import UNAVAILABLE_STATUSES
from .booking import require_contract, vehicle_choose
from .occupations import contract_occupy, contract_release_after

S = Contract.Status
TRANSITIONS: dict[str, frozenset[str]] = {
    S.RESERVED: frozenset({S.CHECKED_OUT, S.CANCELLED}),
    S.CHECKED_OUT: frozenset({S.CHECKED_IN}),
    S.CHECKED_IN: frozenset({S.SETTLED}),
    S.SETTLED: frozenset(),
    S.CANCELLED: frozenset(),
}
ACTIONS: dict[str, object] = {
    S.CHECKED_OUT: gettext_lazy("checked out"),
    S.CHECKED_IN: gettext_lazy("checked in"),
    S.SETTLED: gettext_lazy("settled"),
    S.CANCELLED: gettext_lazy("cancelled"),
}


def transitions_from(status: str) -> frozenset[str]:
    return TRANSITIONS.get(status, frozenset())


def transition_check(contract: Contract, to: str) -> None:
    """Raise a TransitionError saying why the move is not possible and what is."""
    if to in transitions_from(contract.status):
        return
    possible = sorted(transitions_from(contract.status))
    if possible:
        next_steps = ", ".join(str(ACTIONS[s]) for s in possible)
        hint = _("From here it can only be %(next)s.") % {"next": next_steps}
    else:
        hint = _("It is closed; nothing more can happen to it.")
    raise TransitionError(
        _("Contract %(number)s is %(status)s and cannot be %(action)s. %(hint)s")
        % {
            "number": contract.number,
            "status": contract.get_status_display(),
            "action": ACTIONS.get(to, to),
            "hint": hint,
        },
        code="transition",
    )


def _locked(contract: Contract) -> Contract:
    """A fresh, row-locked copy: two clerks pressing the same button act one after the other."""
    return (
        Contract.objects.select_for_update(of=("self",))
        .select_related("customer", "vehicle", "vehicle_group", "pickup_station", "return_station", "organization")
        .get(pk=contract.pk)
    )


def _sync(target: Contract, source: Contract) -> Contract:
    """Callers keep their object: copy the saved state back onto it."""
    target.__dict__.update({k: v for k, v in source.__dict__.items() if k != "_state"})
    target._state.fields_cache = dict(source._state.fields_cache)
    return target


@transaction.atomic
def contract_cancel(*, actor: Membership, contract: Contract, reason: str) -> Contract:
    """Cancel a reservation; the vehicle's time is free again at once."""
    require_contract(actor, contract)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for cancelling.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Keep the reason under 300 characters.")})
    locked = _locked(contract)
    transition_check(locked, S.CANCELLED)
    locked.status = S.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.cancel_reason = reason
    with acting(actor):
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
        contract_occupy(locked)
    return _sync(contract, locked)


@transaction.atomic
def contract_settle(*, actor: Membership | None, contract: Contract) -> Contract:
    """Mark a returned contract as settled (billing calls this once it has invoiced it).

    `actor=None`: billing's automatic settlement after check-in, the system's own work."""
    if actor is not None:
        require_contract(actor, contract)
    locked = _locked(contract)
    transition_check(locked, S.SETTLED)
    locked.status = S.SETTLED
    if actor is None:
        locked.save(update_fields=["status", "updated_at"])
    else:
        with acting(actor):
            locked.save(update_fields=["status", "updated_at"])
    return _sync(contract, locked)


def _fuel_checked(fuel) -> int:
    if not isinstance(fuel, int) or isinstance(fuel, bool) or not 0 <= fuel <= 8:
        raise ValidationError({"fuel": _("Enter the fuel level in eighths, from 0 (empty) to 8 (full).")})
    return fuel


def _moment(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return timezone.now()
    if not isinstance(at, dt.datetime):
        raise ValidationError({"at": _("Enter a date and time.")})
    return at


def _km_record(*, actor, vehicle: Vehicle, km, source: str, at: dt.datetime, confirm: bool) -> KmReading:
    if not isinstance(km, int) or isinstance(km, bool):
        raise ValidationError({"km": _("Enter the km reading.")})
    try:
        return km_reading_record(
            vehicle=vehicle, km=km, source=source, actor=actor, recorded_at=at, confirmed_implausible=confirm
        )
    except KmReadingRefused as exc:
        field = "at" if exc.code in ("future", "date_out_of_range") else "km"
        raise ValidationError({field: exc.messages}, code=exc.code) from exc


def licence_note(contract: Contract) -> str:
    """What the counter must know when the renter's licence ends before the planned return."""
    expires = contract.customer.licence_expires_on
    if expires is None or contract.ends_at is None or expires >= timezone.localdate(contract.ends_at):
        return ""
    return _("Driving licence expires on %(date)s, before the planned return.") % {
        "date": formats.date_format(expires, "SHORT_DATE_FORMAT")
    }


def _assign_at_check_out(locked: Contract, at: dt.datetime) -> None:
    locked.vehicle = vehicle_choose(
        organization=locked.organization,
        vehicle_group=locked.vehicle_group,
        station=locked.pickup_station,
        starts_at=locked.starts_at,
        ends_at=locked.ends_at,
        vehicle=None,
        assign=True,
        exclude_contract=locked,
    )


@transaction.atomic
def contract_check_out(
    *,
    actor: Membership,
    contract: Contract,
    km: int,
    fuel: int,
    at: dt.datetime | None = None,
    confirm_km_jump: bool = False,
) -> Contract:
    """Hand the vehicle over: km and fuel recorded, vehicle rented; a group booking gets its vehicle now."""
    require_contract(actor, contract)
    locked = _locked(contract)
    transition_check(locked, S.CHECKED_OUT)
    fuel = _fuel_checked(fuel)
    moment = _moment(at)
    if locked.vehicle is None:
        _assign_at_check_out(locked, moment)
    vehicle = locked.vehicle
    assert vehicle is not None  # noqa: S101  assigned just above when it was missing
    if vehicle.status in UNAVAILABLE_STATUSES:
        raise ValidationError(
            {
                "vehicle": _("%(vehicle)s cannot be rented (%(status)s).")
                % {"vehicle": vehicle.plate, "status": vehicle.get_status_display()}
            }
        )
    reading = _km_record(actor=actor, vehicle=vehicle, km=km, source="checkout", at=moment, confirm=confirm_km_jump)
    with acting(actor):
        contract_occupy(locked)
        locked.status = S.CHECKED_OUT
        locked.checked_out_at = moment
        locked.km_out = reading.km
        locked.fuel_out = fuel
        locked.licence_flag = licence_note(locked)
        locked.save(
            update_fields=["status", "vehicle", "checked_out_at", "km_out", "fuel_out", "licence_flag", "updated_at"]
        )
        vehicle.status = Vehicle.Status.RENTED
        vehicle.status_changed_at = timezone.now()
        vehicle.fuel_level = fuel
        vehicle.save(update_fields=["status", "status_changed_at", "fuel_level", "updated_at"])
    return _sync(contract, locked)


@transaction.atomic
def contract_check_in(
    *,
    actor: Membership,
    contract: Contract,
    km: int,
    fuel: int,
    station: Station,
    at: dt.datetime | None = None,
    confirm_km_jump: bool = False,
) -> Contract:
    """Take the vehicle back at `station`: km and fuel recorded, vehicle available there again; the
    vehicle's time ends at the actual return plus the buffer. Billing hears `contract_checked_in`."""
    require_contract(actor, contract)
    if station is None or station.organization_id != contract.organization_id:
        raise ValidationError({"station": _("Choose one of this organization's records.")})
    require_station(actor, station.pk, contract.pickup_station_id, contract.return_station_id)
    locked = _locked(contract)
    transition_check(locked, S.CHECKED_IN)
    fuel = _fuel_checked(fuel)
    moment = _moment(at)
    if locked.checked_out_at and moment < locked.checked_out_at:
        raise ValidationError({"at": _("The return cannot lie before the check-out.")})
    vehicle = locked.vehicle
    assert vehicle is not None  # noqa: S101  a checked-out contract always has its vehicle
    reading = _km_record(actor=actor, vehicle=vehicle, km=km, source="checkin", at=moment, confirm=confirm_km_jump)
    with acting(actor):
        locked.status = S.CHECKED_IN
        locked.checked_in_at = moment
        locked.km_in = reading.km
        locked.fuel_in = fuel
        locked.save(update_fields=["status", "checked_in_at", "km_in", "fuel_in", "updated_at"])
        contract_release_after(locked, returned_at=moment)
        vehicle.status = Vehicle.Status.AVAILABLE
        vehicle.status_changed_at = timezone.now()
        vehicle.current_station = station
        vehicle.fuel_level = fuel
        vehicle.save(update_fields=["status", "status_changed_at", "current_station", "fuel_level", "updated_at"])
    transaction.on_commit(lambda: contract_checked_in.send(sender=Contract, contract=locked))
    return _sync(contract, locked)

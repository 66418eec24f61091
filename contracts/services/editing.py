"""Changing a booked contract (docs/contracts.md, "Editing").

Every change goes through the same checks as a booking (opening hours, customer rules for the new
period, availability) and the same guarantee: the occupation is moved under the exclusion
constraint, so two clerks (or the board and a clerk) can never both win the same time.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from rentoffice.models import Membership
from rentoffice.validators import date_in_window
from vehicles.models import Vehicle

from ..exceptions import BookingConflict, TransitionError
from ..models import Contract, ContractDriver, ContractLine, ContractNote, Tariff
from ..rules import booking_refusals
from .activity import acting, activity_record
from .availability import UNAVAILABLE_STATUSES, free_capacity
from .booking import (
    applicable_tariff,
    group_lock,
    lines_write,
    opening_errors,
    period_errors,
    priced_lines,
    require_contract,
)
from .lifecycle import _locked, _sync
from .occupations import conflict_for, contract_occupy, contract_range

S = Contract.Status
EDITABLE = (S.RESERVED, S.CHECKED_OUT)
NOTE_MAX = 5000


def _editable(contract: Contract, *, reserved_only: bool = False) -> None:
    allowed = (S.RESERVED,) if reserved_only else EDITABLE
    if contract.status not in allowed:
        if reserved_only:
            message = _("Contract %(number)s is %(status)s; only a reservation can be changed like this.")
        else:
            message = _("Contract %(number)s is %(status)s and can no longer be changed.")
        raise TransitionError(
            message % {"number": contract.number, "status": contract.get_status_display()}, code="not_editable"
        )


def _when(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else None


def _period_checks(locked: Contract, *, starts_at, ends_at) -> None:
    errors = period_errors(kind=locked.kind, starts_at=starts_at, ends_at=ends_at)
    if not errors and locked.status == S.CHECKED_OUT and starts_at != locked.starts_at:
        errors["starts_at"] = _("The vehicle has been picked up; only the return can change.")
    if errors:
        raise ValidationError(errors)
    moments = {}
    if starts_at != locked.starts_at:
        moments["starts_at"] = starts_at
    if ends_at != locked.ends_at:
        moments["ends_at"] = ends_at
    errors = opening_errors(
        pickup_station=locked.pickup_station,
        return_station=locked.return_station,
        starts_at=moments.get("starts_at"),
        ends_at=moments.get("ends_at"),
    )
    for field, sentences in booking_refusals(
        customer=locked.customer,
        vehicle_group=locked.vehicle_group,
        pickup_station=locked.pickup_station,
        return_station=locked.return_station,
        starts_at=starts_at,
        ends_at=ends_at,
        exclude_contract=locked,
    ).items():
        errors[field] = " ".join(sentences)
    if errors:
        raise ValidationError(errors)


def _vehicle_checks(locked: Contract, vehicle: Vehicle) -> None:
    if vehicle.organization_id != locked.organization_id:
        raise ValidationError({"vehicle": _("Choose one of this organization's records.")})
    if vehicle.status in UNAVAILABLE_STATUSES:
        raise ValidationError(
            {
                "vehicle": _("%(vehicle)s cannot be rented (%(status)s).")
                % {"vehicle": vehicle.plate, "status": vehicle.get_status_display()}
            }
        )
    if vehicle.current_station_id != locked.pickup_station_id:
        raise ValidationError(
            {
                "vehicle": _("%(vehicle)s is at %(station)s, not at the pick-up station.")
                % {"vehicle": vehicle.plate, "station": vehicle.current_station}
            }
        )


def _hold(locked: Contract) -> None:
    """Move the occupation (explaining a collision first), or, without a vehicle, check the group has room."""
    if locked.vehicle is not None:
        own = locked.occupation if hasattr(locked, "occupation") else None
        conflict = conflict_for(vehicle=locked.vehicle, period=contract_range(locked), exclude=own)
        if conflict.conflicting is not None:
            raise conflict
        contract_occupy(locked)  # the constraint decides if someone took the time meanwhile
        return
    group_lock(vehicle_group_id=locked.vehicle_group_id, station_id=locked.pickup_station_id)
    room = free_capacity(
        organization=locked.organization,
        station=locked.pickup_station,
        vehicle_group=locked.vehicle_group,
        starts_at=locked.starts_at,
        ends_at=locked.ends_at,
        exclude_contract=locked,
    )
    if room < 1:
        raise BookingConflict(
            _("No vehicle of the group %(group)s is free at %(station)s for this period.")
            % {"group": locked.vehicle_group.name, "station": locked.pickup_station.name},
            conflicting=None,
        )
    contract_occupy(locked)


def _save(actor: Membership, locked: Contract, fields: list[str]) -> None:
    with acting(actor):
        locked.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def contract_period_change(
    *, actor: Membership, contract: Contract, starts_at: dt.datetime, ends_at: dt.datetime | None
) -> Contract:
    """New pick-up and return, re-checked; a collision names the contract or block in the way."""
    require_contract(actor, contract)
    locked = _locked(contract)
    _editable(locked)
    _period_checks(locked, starts_at=starts_at, ends_at=ends_at)
    locked.starts_at, locked.ends_at = starts_at, ends_at
    _hold(locked)
    _save(actor, locked, ["starts_at", "ends_at"])
    return _sync(contract, locked)


@transaction.atomic
def contract_vehicle_swap(*, actor: Membership, contract: Contract, vehicle: Vehicle) -> Contract:
    """Give the reservation another vehicle that is free for its period (an upgrade keeps the booked group)."""
    return _reschedule(actor=actor, contract=contract, vehicle=vehicle, starts_at=None, ends_at=None)


@transaction.atomic
def contract_reschedule(
    *, actor: Membership, contract: Contract, vehicle: Vehicle, starts_at: dt.datetime, ends_at: dt.datetime | None
) -> Contract:
    """Vehicle and period at once (the board's drag): all of it or nothing."""
    return _reschedule(actor=actor, contract=contract, vehicle=vehicle, starts_at=starts_at, ends_at=ends_at)


def _reschedule(*, actor, contract, vehicle, starts_at, ends_at) -> Contract:
    require_contract(actor, contract)
    locked = _locked(contract)
    _editable(locked, reserved_only=True)
    if vehicle is None:
        raise ValidationError({"vehicle": _("Choose a vehicle.")})
    _vehicle_checks(locked, vehicle)
    fields = ["vehicle"]
    if starts_at is not None:
        _period_checks(locked, starts_at=starts_at, ends_at=ends_at)
        locked.starts_at, locked.ends_at = starts_at, ends_at
        fields += ["starts_at", "ends_at"]
    locked.vehicle = vehicle
    _hold(locked)
    _save(actor, locked, fields)
    return _sync(contract, locked)


@transaction.atomic
def contract_vehicle_remove(*, actor: Membership, contract: Contract) -> Contract:
    """Take the vehicle off a reservation; it stays a booking of its group (capacity still held)."""
    require_contract(actor, contract)
    locked = _locked(contract)
    _editable(locked, reserved_only=True)
    if locked.vehicle is None:
        raise ValidationError({"vehicle": _("The contract has no vehicle.")})
    locked.vehicle = None
    contract_occupy(locked)
    _save(actor, locked, ["vehicle"])
    return _sync(contract, locked)


def _total(lines) -> Decimal:
    return sum((line.gross for line in lines), Decimal("0"))


def _current_lines(locked: Contract, tariff: Tariff | None):
    km = None
    if locked.km_in is not None and locked.km_out is not None:
        km = locked.km_in - locked.km_out
    elif locked.expected_km is not None:
        km = locked.expected_km
    extras = [(e.extra, e.quantity) for e in locked.extras.select_related("extra") if e.extra is not None]
    end = locked.checked_in_at or locked.ends_at
    return priced_lines(tariff=tariff, starts_at=locked.starts_at, ends_at=end, km=km, extras=extras)


def _reprice(actor: Membership, locked: Contract, tariff: Tariff | None) -> None:
    before = locked.lines.aggregate(total=Sum("gross"))["total"] or Decimal("0")
    lines = _current_lines(locked, tariff)
    lines_write(locked, lines)
    activity_record(locked, actor=actor, changes={"price": [str(before), str(_total(lines))]})


@transaction.atomic
def contract_tariff_change(*, actor: Membership, contract: Contract, tariff: Tariff) -> Contract:
    """Another tariff of the booked group; the lines and deposit follow it at once."""
    require_contract(actor, contract)
    locked = _locked(contract)
    if locked.status in (S.SETTLED, S.CANCELLED):
        _editable(locked)
    if tariff is None or tariff.organization_id != locked.organization_id:
        raise ValidationError({"tariff": _("Choose one of this organization's records.")})
    if tariff.vehicle_group_id != locked.vehicle_group_id:
        raise ValidationError({"tariff": _("This tariff is for another vehicle group.")})
    locked.tariff = tariff
    locked.deposit = tariff.deposit
    _save(actor, locked, ["tariff", "deposit"])
    _reprice(actor, locked, tariff)
    locked.save(update_fields=["priced_at"])
    return _sync(contract, locked)


def contract_price_preview(*, actor: Membership, contract: Contract) -> tuple[list[ContractLine], list]:
    """(lines as booked, lines with the tariff's current prices), nothing saved."""
    require_contract(actor, contract)
    # read again: the caller's copy may hold the tariff as it was when the page loaded
    tariff = Tariff.objects.filter(pk=contract.tariff_id).first() if contract.tariff_id else None
    tariff = tariff or applicable_tariff(
        vehicle_group=contract.vehicle_group, station=contract.pickup_station, at=contract.starts_at
    )
    return list(contract.lines.all()), _current_lines(contract, tariff)


@transaction.atomic
def contract_price_reload(*, actor: Membership, contract: Contract) -> Contract:
    """Re-price with the tariff's current prices (what the preview showed)."""
    require_contract(actor, contract)
    locked = _locked(contract)
    if locked.status in (S.SETTLED, S.CANCELLED):
        _editable(locked)
    tariff = locked.tariff or applicable_tariff(
        vehicle_group=locked.vehicle_group, station=locked.pickup_station, at=locked.starts_at
    )
    if tariff is None:
        raise ValidationError({"tariff": _("No tariff applies to this contract; choose one first.")})
    fields = ["priced_at"]
    if locked.tariff_id != tariff.pk:
        locked.tariff = tariff
        fields.append("tariff")
    _reprice(actor, locked, tariff)
    _save(actor, locked, fields)
    return _sync(contract, locked)


@transaction.atomic
def contract_note_add(*, actor: Membership, contract: Contract, text: str) -> ContractNote:
    require_contract(actor, contract)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    if len(text) > NOTE_MAX:
        raise ValidationError({"text": _("Keep the note under %(max)s characters.") % {"max": NOTE_MAX}})
    note = ContractNote.objects.create(contract=contract, text=text, author=actor.user)
    activity_record(contract, actor=actor, changes={"note": ["", text[:200]]})
    return note


def _driver_labels(contract: Contract) -> list[str]:
    return [str(d) for d in contract.drivers.select_related("customer")]


def _driver_licence_refusal(expires: dt.date | None, contract: Contract, name: str) -> str | None:
    end = contract.ends_at or contract.starts_at
    if expires is not None and expires < timezone.localdate(end):
        return _("The driving licence of %(name)s expires on %(date)s, before the return.") % {
            "name": name,
            "date": formats.date_format(expires, "SHORT_DATE_FORMAT"),
        }
    return None


def _driver_from_customer(contract: Contract, customer: Customer) -> ContractDriver:
    if customer.organization_id != contract.organization_id:
        raise ValidationError({"customer": _("Choose one of this organization's records.")})
    if customer.pk == contract.customer_id:
        raise ValidationError({"customer": _("The renter is already the contract's driver.")})
    if customer.is_blocked:
        raise ValidationError(
            {"customer": _("The customer is blocked: %(reason)s") % {"reason": customer.blocked_reason}}
        )
    if contract.drivers.filter(customer_id=customer.pk).exists():
        raise ValidationError({"customer": _("This customer is already a driver of the contract.")})
    refusal = _driver_licence_refusal(customer.licence_expires_on, contract, customer.display_name)
    if refusal:
        raise ValidationError({"customer": refusal})
    return ContractDriver(contract=contract, customer=customer)


def _driver_date_errors(date_of_birth, licence_issued_on, licence_expires_on) -> dict[str, str]:
    today = timezone.localdate()
    errors = {}
    if date_of_birth and date_of_birth > today:
        errors["date_of_birth"] = _("The date of birth cannot lie in the future.")
    if licence_issued_on and licence_issued_on > today:
        errors["licence_issued_on"] = _("The licence cannot have been issued in the future.")
    if licence_issued_on and licence_expires_on and licence_expires_on < licence_issued_on:
        errors["licence_expires_on"] = _("The licence cannot expire before it was issued.")
    return errors


def _driver_named(contract: Contract, *, name, date_of_birth, licence_number, licence_issued_on, licence_expires_on):
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Enter the driver's name, or choose a customer.")
    for field, value in (
        ("date_of_birth", date_of_birth),
        ("licence_issued_on", licence_issued_on),
        ("licence_expires_on", licence_expires_on),
    ):
        if value is not None:
            try:
                date_in_window(value)
            except ValidationError as exc:
                errors[field] = exc.messages[0]
    errors = {**_driver_date_errors(date_of_birth, licence_issued_on, licence_expires_on), **errors}
    if not errors:
        refusal = _driver_licence_refusal(licence_expires_on, contract, name)
        if refusal:
            errors["licence_expires_on"] = refusal
    if errors:
        raise ValidationError(errors)
    driver = ContractDriver(
        contract=contract,
        name=name,
        date_of_birth=date_of_birth,
        licence_number=(licence_number or "").strip(),
        licence_issued_on=licence_issued_on,
        licence_expires_on=licence_expires_on,
    )
    driver.full_clean(exclude=["contract", "customer"])
    return driver


@transaction.atomic
def contract_driver_add(
    *,
    actor: Membership,
    contract: Contract,
    customer: Customer | None = None,
    name: str = "",
    date_of_birth: dt.date | None = None,
    licence_number: str = "",
    licence_issued_on: dt.date | None = None,
    licence_expires_on: dt.date | None = None,
) -> ContractDriver:
    """A further driver: a customer of the organization, or a named person with licence data."""
    require_contract(actor, contract)
    locked = _locked(contract)
    _editable(locked)
    before = _driver_labels(locked)
    if customer is not None:
        driver = _driver_from_customer(locked, customer)
    else:
        driver = _driver_named(
            locked,
            name=name,
            date_of_birth=date_of_birth,
            licence_number=licence_number,
            licence_issued_on=licence_issued_on,
            licence_expires_on=licence_expires_on,
        )
    driver.save()
    activity_record(locked, actor=actor, changes={"drivers": [", ".join(before), ", ".join(_driver_labels(locked))]})
    return driver


@transaction.atomic
def contract_driver_remove(*, actor: Membership, driver: ContractDriver) -> None:
    contract = driver.contract
    require_contract(actor, contract)
    locked = _locked(contract)
    _editable(locked)
    before = _driver_labels(locked)
    driver.delete()
    activity_record(locked, actor=actor, changes={"drivers": [", ".join(before), ", ".join(_driver_labels(locked))]})

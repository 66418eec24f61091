"""Customer rules for a booking, all in one place (docs/contracts.md, "Customer rules").

Every booking path (back office, API, online booking, portal) asks `booking_refusals`; the
contract services raise them as one ValidationError on `customer` (a licence problem on
`ends_at`, where the date that makes it fail is entered). Sub-customers use their main customer's
value of a setting where their own is empty; booking targets (groups, stations) likewise.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from customers.models import Customer, CustomerSettings
from customers.selectors import settings_for
from rentoffice.models import Station
from vehicles.models import VehicleGroup

from .models import Contract


def _date(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _inherited(customer: Customer, field: str):
    value = getattr(customer, field)
    if value is None and customer.main_customer_id:
        value = getattr(customer.main_customer, field)
    return value


def may_reserve(customer: Customer, defaults: CustomerSettings | None = None) -> bool:
    value = _inherited(customer, "may_reserve")
    if value is None:
        value = (defaults or settings_for(organization=customer.organization)).may_reserve
    return bool(value)


def parallel_limit(customer: Customer, defaults: CustomerSettings | None = None) -> int | None:
    """How many active contracts the customer may hold at once; None = unlimited (internal customers)."""
    main = customer.main_customer if customer.main_customer_id else None
    if customer.is_internal or (main is not None and main.is_internal):
        return None
    extra = _inherited(customer, "additional_parallel_bookings")
    if extra is None:
        extra = (defaults or settings_for(organization=customer.organization)).additional_parallel_bookings
    return 1 + int(extra)


def _targets(customer: Customer, manager: str) -> QuerySet:
    """The customer's allowed groups/stations; a sub-customer without own ones uses the main customer's."""
    own = getattr(customer, manager).all()
    if customer.main_customer_id and not own.exists():
        return getattr(customer.main_customer, manager).all()
    return own


def _status_refusals(customer: Customer, *, today: dt.date, ends_at: dt.datetime | None) -> list[str]:
    refusals = []
    if customer.anonymised_at:
        refusals.append(_("The customer has been anonymised and cannot book."))
    if customer.is_blocked:
        refusals.append(_("The customer is blocked: %(reason)s") % {"reason": customer.blocked_reason or "–"})
    main = customer.main_customer if customer.main_customer_id else None
    if main is not None and main.is_blocked:
        refusals.append(
            _("The main customer %(main)s is blocked: %(reason)s")
            % {"main": main, "reason": main.blocked_reason or "–"}
        )
    if customer.contract_end and customer.contract_end < today:
        refusals.append(
            _("The customer's contract ended on %(date)s; no new bookings after that.")
            % {"date": _date(customer.contract_end)}
        )
    if customer.valid_until:
        end_day = timezone.localdate(ends_at) if ends_at is not None else None
        if customer.valid_until < today or end_day is None or end_day > customer.valid_until:
            refusals.append(
                _("The customer is valid only until %(date)s; the booking must end by then.")
                % {"date": _date(customer.valid_until)}
            )
    return refusals


def _target_refusals(customer: Customer, *, vehicle_group: VehicleGroup, stations: list[Station]) -> list[str]:
    refusals = []
    groups = list(_targets(customer, "allowed_vehicle_groups"))
    if groups and vehicle_group.pk not in {g.pk for g in groups}:
        refusals.append(
            _("The customer may not book the vehicle group %(group)s (allowed: %(allowed)s).")
            % {"group": vehicle_group.name, "allowed": ", ".join(g.name for g in groups)}
        )
    allowed_stations = list(_targets(customer, "allowed_stations"))
    if allowed_stations:
        allowed_ids = {s.pk for s in allowed_stations}
        for station in dict.fromkeys(stations):
            if station.pk not in allowed_ids:
                refusals.append(
                    _("The customer may not book at the station %(station)s (allowed: %(allowed)s).")
                    % {"station": station.name, "allowed": ", ".join(s.name for s in allowed_stations)}
                )
    return refusals


def licence_refusal(customer: Customer, *, starts_at: dt.datetime, ends_at: dt.datetime | None) -> str | None:
    """A licence that expires before the return (or, open-ended, before the pick-up) is refused."""
    expires = customer.licence_expires_on
    if expires is None:
        return None
    last_day = timezone.localdate(ends_at) if ends_at is not None else timezone.localdate(starts_at)
    if expires < last_day:
        return _("The driving licence of %(name)s expires on %(date)s, before the return.") % {
            "name": customer.display_name,
            "date": _date(expires),
        }
    return None


def active_contracts(customer: Customer, *, exclude_contract: Contract | None = None) -> int:
    qs = Contract.objects.filter(
        organization_id=customer.organization_id, customer_id=customer.pk, status__in=Contract.ACTIVE_STATUSES
    )
    if exclude_contract is not None:
        qs = qs.exclude(pk=exclude_contract.pk)
    return qs.count()


def booking_refusals(
    *,
    customer: Customer,
    vehicle_group: VehicleGroup,
    pickup_station: Station,
    return_station: Station,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
    exclude_contract: Contract | None = None,
) -> dict[str, list[str]]:
    """Why this customer may not book this (field → sentences); empty when they may.

    `exclude_contract`: a contract being changed (it neither counts against the parallel limit nor
    needs the "may reserve" right again).
    """
    today = timezone.localdate()
    defaults = settings_for(organization=customer.organization)
    refusals = _status_refusals(customer, today=today, ends_at=ends_at)
    if exclude_contract is None and not may_reserve(customer, defaults) and timezone.localdate(starts_at) > today:
        refusals.append(_("The customer may not reserve; only a rental starting today is possible."))
    limit = parallel_limit(customer, defaults)
    if limit is not None and exclude_contract is None:
        held = active_contracts(customer)
        if held >= limit:
            refusals.append(
                _("The customer already has %(held)s active bookings; at most %(limit)s at a time are allowed.")
                % {"held": held, "limit": limit}
            )
    refusals += _target_refusals(customer, vehicle_group=vehicle_group, stations=[pickup_station, return_station])
    result: dict[str, list[str]] = {}
    if refusals:
        result["customer"] = refusals
    licence = licence_refusal(customer, starts_at=starts_at, ends_at=ends_at)
    if licence:
        result["ends_at"] = [licence]
    return result

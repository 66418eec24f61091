"""Which vehicles are free, and whether a station is open (docs/contracts.md, "Availability").

A vehicle is free for [start, end) when no `Occupation` row of it overlaps [start, end + buffer):
occupations of contracts already carry the buffer after them, and the new booking must leave its
own buffer before whatever follows. The overlap test `period && tstzrange(...)` on the vehicle is
what the exclusion constraint's GiST index answers, so the query stays index-driven at millions of
rows. Group bookings still waiting for a vehicle (assignment at check-out) hold capacity of their
group at their pick-up station; they are subtracted from what is offered.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_scopes import scopes_disabled

from rentoffice.models import OpeningException, OpeningHours, Organization, Station
from vehicles.models import Vehicle, VehicleGroup

from ..models import Contract, Occupation
from .settings import buffer_for

UNAVAILABLE_STATUSES = (Vehicle.Status.WORKSHOP, Vehicle.Status.RETIRED)


def requested_range(*, starts_at: dt.datetime, ends_at: dt.datetime | None, buffer: dt.timedelta) -> DateTimeTZRange:
    """[start, end + buffer), open-ended for a long-term rental without an end."""
    return DateTimeTZRange(starts_at, ends_at + buffer if ends_at is not None else None, "[)")


def unassigned_overlapping(
    *,
    organization: Organization,
    station: Station,
    vehicle_group: VehicleGroup | int,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
    exclude_contract: Contract | None = None,
) -> int:
    """Active group bookings at the station without a vehicle yet, overlapping the period."""
    group_id = vehicle_group.pk if isinstance(vehicle_group, VehicleGroup) else vehicle_group
    qs = Contract.objects.filter(
        organization_id=organization.pk,
        pickup_station_id=station.pk,
        vehicle_group_id=group_id,
        vehicle__isnull=True,
        status__in=Contract.ACTIVE_STATUSES,
    )
    if ends_at is not None:
        qs = qs.filter(starts_at__lt=ends_at)
    qs = qs.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=starts_at))
    if exclude_contract is not None:
        qs = qs.exclude(pk=exclude_contract.pk)
    return qs.count()


def vehicles_available(
    *,
    organization: Organization,
    station: Station,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
    vehicle_group: VehicleGroup | None = None,
    vehicle: Vehicle | None = None,
    exclude_contract: Contract | None = None,
    buffer: dt.timedelta | None = None,
) -> QuerySet[Vehicle]:
    """Vehicles standing at `station` (their current station) that are free for the period.

    `exclude_contract`: the contract being changed, whose own occupation does not count.
    Without a group, the buffer is the one of `vehicle`'s group (or the organization's);
    `buffer`: already looked up by the caller (saves its queries).
    """
    group = vehicle_group if vehicle_group is not None else (vehicle.group if vehicle is not None else None)
    if buffer is None:
        buffer = buffer_for(organization=organization, vehicle_group=group)
    wanted = requested_range(starts_at=starts_at, ends_at=ends_at, buffer=buffer)
    taken = Occupation.objects.filter(vehicle_id=OuterRef("pk"), period__overlap=wanted)
    if exclude_contract is not None:
        taken = taken.exclude(contract_id=exclude_contract.pk)
    with scopes_disabled():  # filtered by organization explicitly; also usable from tasks and the API
        qs = (
            Vehicle.objects.filter(organization_id=organization.pk, current_station_id=station.pk)
            .exclude(status__in=UNAVAILABLE_STATUSES)
            .filter(~Exists(taken))
        )
        if group is not None:
            qs = qs.filter(group_id=group.pk)
        qs = qs.order_by("plate", "pk")
        if group is None:
            return qs.filter(pk=vehicle.pk) if vehicle is not None else qs
        waiting = unassigned_overlapping(
            organization=organization,
            station=station,
            vehicle_group=group,
            starts_at=starts_at,
            ends_at=ends_at,
            exclude_contract=exclude_contract,
        )
        if waiting:
            # Bookings without a vehicle each need one of these; offer only what is left over.
            free_ids = list(qs.values_list("pk", flat=True))
            if vehicle is not None:
                keep = [vehicle.pk] if vehicle.pk in free_ids and len(free_ids) > waiting else []
            else:
                keep = free_ids[: max(0, len(free_ids) - waiting)]
            return Vehicle.objects.filter(pk__in=keep).order_by("plate", "pk")
        return qs.filter(pk=vehicle.pk) if vehicle is not None else qs


def free_capacity(
    *,
    organization: Organization,
    station: Station,
    vehicle_group: VehicleGroup,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
    exclude_contract: Contract | None = None,
) -> int:
    return vehicles_available(
        organization=organization,
        station=station,
        vehicle_group=vehicle_group,
        starts_at=starts_at,
        ends_at=ends_at,
        exclude_contract=exclude_contract,
    ).count()


# --- opening hours -------------------------------------------------------------------------------


def _weekday_abbreviations() -> list[str]:
    return [
        pgettext("weekday", "Mo"),
        pgettext("weekday", "Tu"),
        pgettext("weekday", "We"),
        pgettext("weekday", "Th"),
        pgettext("weekday", "Fr"),
        pgettext("weekday", "Sa"),
        pgettext("weekday", "Su"),
    ]


def _interval_text(intervals: tuple[tuple[dt.time, dt.time], ...]) -> str:
    return ", ".join(f"{opens:%H:%M}–{closes:%H:%M}" for opens, closes in intervals)


def hours_text(hours: list[OpeningHours]) -> str:
    """The weekly hours as people write them: "Mo–Fr 07:00–18:00, Sa 09:00–12:00".

    Consecutive weekdays with the same intervals are joined into one range.
    """
    names = _weekday_abbreviations()
    per_day: dict[int, tuple[tuple[dt.time, dt.time], ...]] = {}
    for h in sorted(hours, key=lambda h: (h.weekday, h.opens)):
        per_day[h.weekday] = (*per_day.get(h.weekday, ()), (h.opens, h.closes))
    runs: list[tuple[int, int, tuple]] = []
    for day in sorted(per_day):
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == per_day[day]:
            runs[-1] = (runs[-1][0], day, per_day[day])
        else:
            runs.append((day, day, per_day[day]))
    parts = []
    for first, last, intervals in runs:
        days = names[first] if first == last else f"{names[first]}–{names[last]}"
        parts.append(f"{days} {_interval_text(intervals)}")
    return ", ".join(parts)


def _within(moment: dt.time, intervals) -> bool:
    return any(opens <= moment <= closes for opens, closes in intervals)


def _moment_refusal(
    station: Station, moment: dt.datetime, hours: list[OpeningHours], exceptions: dict[dt.date, OpeningException]
) -> str | None:
    local = timezone.localtime(moment)
    day = local.date()
    date_text = formats.date_format(day, "SHORT_DATE_FORMAT")
    exception = exceptions.get(day)
    if exception is not None:
        if exception.closed or exception.opens is None or exception.closes is None:
            note = f" ({exception.note})" if exception.note else ""
            return _("%(station)s is closed on %(date)s%(note)s.") % {
                "station": station.name,
                "date": date_text,
                "note": note,
            }
        if not _within(local.time(), [(exception.opens, exception.closes)]):
            return _("%(station)s is open on %(date)s only %(hours)s.") % {
                "station": station.name,
                "date": date_text,
                "hours": _interval_text(((exception.opens, exception.closes),)),
            }
        return None
    if not hours:
        return None  # no hours recorded: the station has not restricted its times
    intervals = [(h.opens, h.closes) for h in hours if h.weekday == local.weekday()]
    if _within(local.time(), intervals):
        return None
    return _("%(station)s is closed at %(time)s on %(date)s (opening hours: %(hours)s).") % {
        "station": station.name,
        "time": f"{local:%H:%M}",
        "date": date_text,
        "hours": hours_text(hours),
    }


def opening_refusals(*, station: Station, moments: dict[str, dt.datetime | None]) -> dict[str, str]:
    """Per field name, why the station is not open at that moment (empty when it is)."""
    present = {field: moment for field, moment in moments.items() if moment is not None}
    if not present:
        return {}
    days = {timezone.localtime(m).date() for m in present.values()}
    hours = list(OpeningHours.objects.filter(station_id=station.pk))
    exceptions = {e.date: e for e in OpeningException.objects.filter(station_id=station.pk, date__in=days)}
    refusals = {}
    for field, moment in present.items():
        refusal = _moment_refusal(station, moment, hours, exceptions)
        if refusal:
            refusals[field] = refusal
    return refusals


def opening_hours_check(*, station: Station, starts_at: dt.datetime | None, ends_at: dt.datetime | None) -> None:
    """Pick-up and return at `station` lie in its opening hours and on no closure date.

    Raises a ValidationError on `starts_at` / `ends_at` naming the hours or the closure.
    """
    refusals = opening_refusals(station=station, moments={"starts_at": starts_at, "ends_at": ends_at})
    if refusals:
        raise ValidationError(refusals)

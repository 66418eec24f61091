"""Km readings: the one entry point for every source (staff, check-out, check-in, portal).

Rules (docs/vehicles.md): a reading below the previous one (or above a later one, when a reading is
entered after the fact) is refused unless a member holding `vehicles.km_override` gives a reason;
a jump of more than `VEHICLE_MAX_KM_PER_DAY` km per elapsed day (at least one day is assumed) needs
an explicit confirmation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from rentoffice.models import Membership
from rentoffice.validators import date_in_window, window_q

from ..models import KmReading, Vehicle
from .rights import require_vehicle

OVERRIDE_PERMISSION = "vehicles.km_override"


def max_km_per_day() -> int:
    return getattr(settings, "VEHICLE_MAX_KM_PER_DAY", 1500)


class KmReadingRefused(ValidationError):
    """A reading the rules do not accept as it is; `code` says which rule:

    - "below_previous" / "above_next": needs an override (permission + reason),
    - "implausible": needs `confirmed_implausible=True`,
    - "override_not_allowed" / "reason_missing": the override itself was not acceptable,
    - "future" / "date_out_of_range": the time of the reading (shown at that field).
    """


@dataclass(frozen=True)
class KmCheck:
    previous: KmReading | None
    following: KmReading | None
    below_previous: bool
    above_next: bool
    implausible: bool
    allowed_km: int | None

    @property
    def needs_override(self) -> bool:
        return self.below_previous or self.above_next


def km_reading_check(*, vehicle: Vehicle, km: int, recorded_at: dt.datetime) -> KmCheck:
    """Compare a reading with its neighbours in time without saving anything."""
    # Rows outside the date window cannot be read back (see rentoffice.validators); they are not neighbours.
    readings = KmReading.objects.filter(window_q("recorded_at"), vehicle=vehicle)
    previous = readings.filter(recorded_at__lte=recorded_at).order_by("-recorded_at", "-id").first()
    following = readings.filter(recorded_at__gt=recorded_at).order_by("recorded_at", "id").first()
    implausible, allowed = False, None
    if previous is not None and km > previous.km:
        days = max((recorded_at - previous.recorded_at).total_seconds() / 86400, 1)
        allowed = int(max_km_per_day() * days)
        implausible = km - previous.km > allowed
    return KmCheck(
        previous=previous,
        following=following,
        below_previous=previous is not None and km < previous.km,
        above_next=following is not None and km > following.km,
        implausible=implausible,
        allowed_km=allowed,
    )


def _km(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


def _when(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _check_value_and_time(km: int | None, recorded_at: dt.datetime) -> None:
    if km is None or km < 0:
        raise KmReadingRefused(_("Enter the km reading."), code="invalid")
    try:
        date_in_window(recorded_at)
    except ValidationError as exc:
        raise KmReadingRefused(exc.messages[0], code="date_out_of_range") from exc
    if recorded_at > timezone.now() + dt.timedelta(minutes=5):
        raise KmReadingRefused(_("A km reading cannot lie in the future."), code="future")


@transaction.atomic
def km_reading_record(
    *,
    vehicle: Vehicle,
    km: int,
    source: str,
    actor: Membership | None,
    recorded_at: dt.datetime | None = None,
    override_reason: str = "",
    confirmed_implausible: bool = False,
    note: str = "",
) -> KmReading:
    """Validate and store a reading; keeps `vehicle.current_km` at the latest reading.

    `actor` is the membership of the person recording it (None for the customer portal, which can
    never override)."""
    recorded_at = recorded_at or timezone.now()
    # Serialise readings of one vehicle so two check-ins cannot both pass the comparison.
    locked = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
    if actor is not None:  # None: a source without a staff member (the customer portal)
        require_vehicle(actor, locked)
    _check_value_and_time(km, recorded_at)
    check = km_reading_check(vehicle=locked, km=km, recorded_at=recorded_at)
    override_reason = (override_reason or "").strip()
    if check.needs_override:
        if not override_reason:
            if check.below_previous:
                assert check.previous is not None  # noqa: S101  invariant: below_previous means there is a previous reading
                message = _("%(km)s km is below the last reading of %(last)s km (%(date)s).") % {
                    "km": _km(km),
                    "last": _km(check.previous.km),
                    "date": _when(check.previous.recorded_at),
                }
            else:
                assert check.following is not None  # noqa: S101  invariant: above_next means there is a later reading
                message = _("%(km)s km is above a later reading of %(next)s km (%(date)s).") % {
                    "km": _km(km),
                    "next": _km(check.following.km),
                    "date": _when(check.following.recorded_at),
                }
            raise KmReadingRefused(message, code="below_previous" if check.below_previous else "above_next")
        if actor is None or not actor.has_perm(OVERRIDE_PERMISSION):
            raise KmReadingRefused(
                _("Only users with the permission to override km readings may save this reading."),
                code="override_not_allowed",
            )
    else:
        override_reason = ""
    if check.implausible and not confirmed_implausible:
        # implausible is only computed against a previous reading, with its allowance
        assert check.previous is not None and check.allowed_km is not None  # noqa: S101
        raise KmReadingRefused(
            _(
                "%(delta)s km since the last reading is more than plausible (at most %(allowed)s km for the time "
                "elapsed). Please check and confirm the reading."
            )
            % {"delta": _km(km - check.previous.km), "allowed": _km(check.allowed_km)},
            code="implausible",
        )
    reading = KmReading(
        organization_id=locked.organization_id,
        vehicle=locked,
        km=km,
        source=source,
        recorded_at=recorded_at,
        recorded_by=actor.user if actor else None,
        override_reason=override_reason,
        implausible_confirmed=check.implausible and confirmed_implausible,
        note=note,
    )
    reading.full_clean()
    reading.save()
    latest = (
        KmReading.objects.filter(window_q("recorded_at"), vehicle=locked)
        .order_by("-recorded_at", "-id")
        .values_list("km", flat=True)[0]
    )
    if latest != locked.current_km:
        Vehicle.objects.filter(pk=locked.pk).update(current_km=latest)
    vehicle.current_km = latest
    return reading

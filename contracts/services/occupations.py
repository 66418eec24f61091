"""Keeping `Occupation` rows in step with contracts and blocks.

One row per contract holding a vehicle's time (reserved, checked out; checked in: until the actual
return plus the buffer) and one per block. The insert or update runs in a savepoint: the exclusion
constraint `occupation_no_overlap` refuses an overlap even when two transactions race, and the
refusal becomes a `BookingConflict` naming whatever holds the time.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from vehicles.models import Vehicle

from ..exceptions import BookingConflict
from ..models import Contract, Occupation, VehicleBlock
from .settings import buffer_for


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return _("open end")
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def contract_range(
    contract: Contract, *, until: dt.datetime | None = None, buffer: dt.timedelta | None = None
) -> DateTimeTZRange:
    """[pick-up, return + buffer); `until` replaces the planned return (the actual one at check-in)."""
    if buffer is None:
        buffer = buffer_for(organization=contract.organization, vehicle_group=contract.vehicle_group_id)
    end = until if until is not None else contract.ends_at
    return DateTimeTZRange(contract.starts_at, end + buffer if end is not None else None, "[)")


def holder_of(*, vehicle_id: int, period: DateTimeTZRange, exclude: Occupation | None = None):
    """The contract or block whose occupation overlaps the period (first by start), or None."""
    qs = Occupation.objects.filter(vehicle_id=vehicle_id, period__overlap=period).select_related(
        "contract", "contract__customer", "block"
    )
    if exclude is not None and exclude.pk:
        qs = qs.exclude(pk=exclude.pk)
    found = qs.order_by("period").first()
    if found is None:
        return None
    return found.contract or found.block


def conflict_message(vehicle: Vehicle, holder) -> str:
    if isinstance(holder, Contract):
        return _("%(vehicle)s is already taken by contract %(number)s (%(customer)s) from %(start)s to %(end)s.") % {
            "vehicle": vehicle.plate,
            "number": holder.number,
            "customer": holder.customer.display_name,
            "start": _when(holder.starts_at),
            "end": _when(holder.ends_at),
        }
    if isinstance(holder, VehicleBlock):
        return _("%(vehicle)s is blocked (%(kind)s: %(reason)s) from %(start)s to %(end)s.") % {
            "vehicle": vehicle.plate,
            "kind": holder.get_kind_display(),
            "reason": holder.reason,
            "start": _when(holder.starts_at),
            "end": _when(holder.ends_at),
        }
    return _("%(vehicle)s is already taken for this period.") % {"vehicle": vehicle.plate}


def conflict_for(*, vehicle: Vehicle, period: DateTimeTZRange, exclude: Occupation | None = None) -> BookingConflict:
    holder = holder_of(vehicle_id=vehicle.pk, period=period, exclude=exclude)
    return BookingConflict(conflict_message(vehicle, holder), conflicting=holder)


def _write(occupation: Occupation, vehicle: Vehicle) -> Occupation:
    try:
        with transaction.atomic():  # savepoint: the transaction stays usable after a refusal
            occupation.save()
    except IntegrityError as exc:
        if "occupation_no_overlap" not in str(exc):
            raise
        raise conflict_for(vehicle=vehicle, period=occupation.period, exclude=occupation) from exc
    return occupation


def contract_occupy(
    contract: Contract, *, period: DateTimeTZRange | None = None, new: bool = False
) -> Occupation | None:
    """Create, move or drop the contract's occupation so it matches the contract (None when it holds none).

    `new`: the contract was just inserted, so it has no occupation yet (saves the look-up)."""
    existing = None if new else Occupation.objects.filter(contract_id=contract.pk).first()
    holds_time = contract.vehicle_id is not None and contract.status in Contract.ACTIVE_STATUSES
    if not holds_time:
        if existing is not None:
            existing.delete()
        return None
    wanted = period if period is not None else contract_range(contract)
    occupation = existing or Occupation(organization_id=contract.organization_id, contract=contract)
    if existing is not None and existing.vehicle_id == contract.vehicle_id and existing.period == wanted:
        return existing
    assert contract.vehicle is not None  # noqa: S101  holds_time means the contract has its vehicle
    occupation.vehicle = contract.vehicle
    occupation.period = wanted
    return _write(occupation, contract.vehicle)


def contract_release_after(contract: Contract, *, returned_at: dt.datetime) -> Occupation | None:
    """At check-in: keep the vehicle only until the actual return plus the buffer.

    A late return never fails: when the buffer would run into the next booking, it ends where that
    booking's time begins (the car is back; the board shows the short turnaround).
    """
    occupation = Occupation.objects.filter(contract_id=contract.pk).first()
    if occupation is None or contract.vehicle_id is None:
        return None
    start = min(contract.starts_at, returned_at)
    wanted = contract_range(contract, until=returned_at)
    wanted = DateTimeTZRange(start, wanted.upper, "[)")
    following = (
        Occupation.objects.filter(
            vehicle_id=contract.vehicle_id,
            period__overlap=DateTimeTZRange(returned_at, wanted.upper, "[)"),
        )
        .exclude(pk=occupation.pk)
        .order_by("period")
        .first()
    )
    if following is not None and following.period.lower is not None:
        upper = min(wanted.upper, following.period.lower)
        if upper <= start:
            return occupation  # the next booking began before this one: keep what was held
        wanted = DateTimeTZRange(start, upper, "[)")
    occupation.period = wanted
    assert contract.vehicle is not None  # noqa: S101  checked above
    return _write(occupation, contract.vehicle)


def block_occupy(block: VehicleBlock) -> Occupation:
    occupation = Occupation.objects.filter(block_id=block.pk).first() or Occupation(
        organization_id=block.organization_id, block=block
    )
    occupation.vehicle_id = block.vehicle_id
    occupation.period = DateTimeTZRange(block.starts_at, block.ends_at, "[)")
    return _write(occupation, block.vehicle)

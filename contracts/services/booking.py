"""Booking a vehicle or a vehicle group for a customer (docs/contracts.md, "Bookings and the
double-booking guarantee").

The database is what forbids a double booking: the contract's `Occupation` row is inserted under
the exclusion constraint, and a concurrent winner turns into a `BookingConflict` here. Choosing
"a free vehicle of the group" is serialised per (group, pick-up station) with a transaction-level
advisory lock, so concurrent group bookings each see the others' vehicles as taken and spread over
the free ones instead of all failing on the first. The contract number is drawn last: the number
sequence's row lock is then held only for the end of the transaction, not the whole booking.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from rentoffice.authorization import require, require_station
from rentoffice.models import Membership, Station
from rentoffice.services import sequence_next
from rentoffice.validators import date_in_window
from vehicles.models import Vehicle, VehicleGroup

from ..exceptions import BookingConflict
from ..models import Contract, ContractExtra, ContractLine, ContractSettings, Extra, Occupation, Tariff
from ..pricing import price
from ..rules import booking_refusals
from ..selectors_tariffs import tariff_applicable
from .activity import acting
from .availability import UNAVAILABLE_STATUSES, opening_refusals, vehicles_available
from .occupations import conflict_for, contract_occupy, contract_range
from .settings import buffer_for, contract_settings_for

CHANGE = "contracts.change"
FOREIGN_KEYS = [
    "number",
    "organization",
    "customer",
    "vehicle_group",
    "vehicle",
    "tariff",
    "pickup_station",
    "return_station",
    "payer_customer",
    "created_by",
]
NUMBER_SEQUENCE = "contract"


# --- pricing and tariffs (contracts.pricing / contracts.selectors_tariffs, owned by pricing) -----


def priced_lines(*, tariff: Tariff | None, starts_at, ends_at, km=None, extras: Sequence[tuple[Extra, int]] = ()):
    """The tariff's priced lines for the period (none without a tariff)."""
    if tariff is None:
        return []
    return price(tariff=tariff, starts_at=starts_at, ends_at=ends_at, km=km, extras=extras)


def applicable_tariff(*, vehicle_group: VehicleGroup, station: Station, at: dt.datetime) -> Tariff | None:
    return tariff_applicable(vehicle_group=vehicle_group, station=station, at=at)


def lines_write(contract: Contract, lines, *, new: bool = False) -> None:
    """Replace the contract's lines by the priced ones (copied, so a tariff change touches nothing)."""
    if not new:
        contract.lines.all().delete()
    ContractLine.objects.bulk_create(
        ContractLine(
            contract=contract,
            position=position,
            kind=line.kind,
            description=line.description,
            explanation=line.explanation,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            net=line.net,
            gross=line.gross,
        )
        for position, line in enumerate(lines)
    )
    contract.priced_at = timezone.now()


# --- checks --------------------------------------------------------------------------------------


def require_contract(actor: Membership, contract: Contract) -> None:
    """The actor may change contracts and covers the contract's pick-up or return station."""
    require(actor, CHANGE, organization_id=contract.organization_id)
    require_station(actor, contract.pickup_station_id, contract.return_station_id)


def _same_organization(organization_id: int, **records) -> None:
    errors = {
        field: _("Choose one of this organization's records.")
        for field, record in records.items()
        if record is not None and record.organization_id != organization_id
    }
    if errors:
        raise ValidationError(errors)


def period_errors(*, kind: str, starts_at, ends_at) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not isinstance(starts_at, dt.datetime):
        errors["starts_at"] = _("Enter the pick-up date and time.")
    if ends_at is None and kind != Contract.Kind.LONG_TERM:
        errors["ends_at"] = _("Enter the return date and time (only a long-term rental may stay open).")
    elif ends_at is not None and not isinstance(ends_at, dt.datetime):
        errors["ends_at"] = _("Enter the return date and time.")
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if field not in errors and value is not None:
            try:
                date_in_window(value)
            except ValidationError as exc:
                errors[field] = exc.messages[0]
    if not errors and ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = _("The return must lie after the pick-up.")
    return errors


def _courtesy_errors(*, kind, payer, workshop_order, insurer_name, extra_fields: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind == Contract.Kind.COURTESY:
        if not workshop_order.strip():
            errors["workshop_order"] = _("A courtesy car needs the workshop order reference.")
        if payer == Contract.Payer.INSURER and not insurer_name.strip():
            errors["insurer_name"] = _("Name the insurer that pays.")
        return errors
    for field, value in {"workshop_order": workshop_order.strip(), **extra_fields}.items():
        if value:
            errors[field] = _("Only a courtesy car has this.")
    if payer != Contract.Payer.CUSTOMER:
        errors["payer"] = _("Only a courtesy car can be paid by a dealership or an insurer.")
    return errors


def _kind_errors(
    *, kind, payer, payer_customer, workshop_order, appointment_at, insurer_name, insurer_claim_number
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in Contract.Kind.values:
        errors["kind"] = _("Choose a contract type.")
    if payer not in Contract.Payer.values:
        errors["payer"] = _("Choose who pays.")
    if not errors:
        extra_fields = {
            "appointment_at": appointment_at,
            "insurer_name": insurer_name.strip(),
            "insurer_claim_number": insurer_claim_number.strip(),
            "payer_customer": payer_customer,
        }
        errors.update(
            _courtesy_errors(
                kind=kind,
                payer=payer,
                workshop_order=workshop_order,
                insurer_name=insurer_name,
                extra_fields=extra_fields,
            )
        )
    if appointment_at is not None:
        try:
            date_in_window(appointment_at)
        except ValidationError as exc:
            errors["appointment_at"] = exc.messages[0]
    return errors


def _vehicle_errors(*, vehicle: Vehicle, vehicle_group: VehicleGroup, station: Station) -> dict[str, str]:
    if vehicle.group_id != vehicle_group.pk:
        return {
            "vehicle": _("%(vehicle)s belongs to the group %(group)s.")
            % {"vehicle": vehicle.plate, "group": vehicle.group}
        }
    if vehicle.status in UNAVAILABLE_STATUSES:
        return {
            "vehicle": _("%(vehicle)s cannot be rented (%(status)s).")
            % {"vehicle": vehicle.plate, "status": vehicle.get_status_display()}
        }
    if vehicle.current_station_id != station.pk:
        return {
            "vehicle": _("%(vehicle)s is at %(station)s, not at the pick-up station.")
            % {"vehicle": vehicle.plate, "station": vehicle.current_station}
        }
    return {}


def opening_errors(*, pickup_station: Station, return_station: Station, starts_at, ends_at) -> dict[str, str]:
    if pickup_station.pk == return_station.pk:
        return opening_refusals(station=pickup_station, moments={"starts_at": starts_at, "ends_at": ends_at})
    errors = opening_refusals(station=pickup_station, moments={"starts_at": starts_at})
    errors.update(opening_refusals(station=return_station, moments={"ends_at": ends_at}))
    return errors


def group_lock(*, vehicle_group_id: int, station_id: int) -> None:
    """Serialise picking a vehicle of this group at this station until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"contracts.group:{vehicle_group_id}:{station_id}"],
        )


def _no_vehicle_free(vehicle_group: VehicleGroup, station: Station) -> BookingConflict:
    return BookingConflict(
        _("No vehicle of the group %(group)s is free at %(station)s for this period.")
        % {"group": vehicle_group.name, "station": station.name},
        conflicting=None,
    )


def vehicle_choose(
    *,
    organization,
    vehicle_group: VehicleGroup,
    station: Station,
    starts_at,
    ends_at,
    vehicle: Vehicle | None,
    assign: bool,
    exclude_contract: Contract | None = None,
    buffer: dt.timedelta | None = None,
) -> Vehicle | None:
    """The vehicle the contract gets (None: group booking assigned at check-out), under the group lock
    when it picks one itself or when bookings without a vehicle share the group's capacity."""
    if vehicle is None or not assign:
        group_lock(vehicle_group_id=vehicle_group.pk, station_id=station.pk)
    free = vehicles_available(
        organization=organization,
        station=station,
        starts_at=starts_at,
        ends_at=ends_at,
        vehicle_group=vehicle_group,
        vehicle=vehicle,
        exclude_contract=exclude_contract,
        buffer=buffer,
    )
    if vehicle is not None:
        if not free.exists():
            period = contract_range_for(organization, vehicle_group, starts_at, ends_at)
            conflict = conflict_for(vehicle=vehicle, period=period, exclude=_occupation_of(exclude_contract))
            if conflict.conflicting is None:
                raise _no_vehicle_free(vehicle_group, station)
            raise conflict
        return vehicle
    if not assign:
        if not free.exists():
            raise _no_vehicle_free(vehicle_group, station)
        return None
    chosen = free.first()
    if chosen is None:
        raise _no_vehicle_free(vehicle_group, station)
    return chosen


def _occupation_of(contract: Contract | None) -> Occupation | None:
    if contract is None or contract.pk is None:
        return None
    return Occupation.objects.filter(contract_id=contract.pk).first()


def contract_range_for(organization, vehicle_group, starts_at, ends_at):
    probe = Contract(organization=organization, vehicle_group=vehicle_group, starts_at=starts_at, ends_at=ends_at)
    return contract_range(probe)


def _extras_checked(tariff: Tariff | None, extras: Sequence[tuple[Extra, int]]) -> list[tuple[Extra, int]]:
    checked = []
    for extra, quantity in extras:
        if tariff is None or extra.tariff_id != tariff.pk or not extra.is_active:
            raise ValidationError({"extras": _("%(extra)s is not offered by this tariff.") % {"extra": extra.name}})
        if not isinstance(quantity, int) or quantity < 1 or quantity > 20:
            raise ValidationError(
                {"extras": _("Enter a quantity between 1 and 20 for %(extra)s.") % {"extra": extra.name}}
            )
        checked.append((extra, quantity))
    return checked


def _log_created(contract: Contract, actor: Membership) -> None:
    """The creation entry, written once the real number is known (the row began with a placeholder)."""
    if not auditlog.contains(Contract):
        return
    from auditlog.diff import model_instance_diff

    LogEntry.objects.log_create(
        contract,
        force_log=True,
        action=LogEntry.Action.CREATE,
        changes=model_instance_diff(None, contract) or {},
        actor=actor.user,
    )


@transaction.atomic
def contract_book(
    *,
    actor: Membership,
    customer: Customer,
    vehicle_group: VehicleGroup,
    pickup_station: Station,
    return_station: Station,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
    vehicle: Vehicle | None = None,
    kind: str = "rental",
    tariff: Tariff | None = None,
    extras: Sequence[tuple[Extra, int]] = (),
    expected_km: int | None = None,
    workshop_order: str = "",
    appointment_at: dt.datetime | None = None,
    payer: str = "customer",
    payer_customer: Customer | None = None,
    insurer_name: str = "",
    insurer_claim_number: str = "",
) -> Contract:
    """Book for the customer; raises ValidationError (field errors), BookingConflict or PermissionDenied."""
    organization = actor.organization
    require(actor, CHANGE, organization_id=customer.organization_id)
    require_station(actor, pickup_station.pk, return_station.pk)
    _same_organization(
        organization.pk,
        customer=customer,
        vehicle_group=vehicle_group,
        pickup_station=pickup_station,
        return_station=return_station,
        vehicle=vehicle,
        tariff=tariff,
        payer_customer=payer_customer,
    )
    errors = period_errors(kind=kind, starts_at=starts_at, ends_at=ends_at)
    errors.update(
        _kind_errors(
            kind=kind,
            payer=payer,
            payer_customer=payer_customer,
            workshop_order=workshop_order,
            appointment_at=appointment_at,
            insurer_name=insurer_name,
            insurer_claim_number=insurer_claim_number,
        )
    )
    if expected_km is not None and (not isinstance(expected_km, int) or expected_km < 0 or expected_km > 1_000_000):
        errors["expected_km"] = _("Enter the expected km as a whole number.")
    if vehicle is not None:
        errors.update(_vehicle_errors(vehicle=vehicle, vehicle_group=vehicle_group, station=pickup_station))
    if tariff is not None and tariff.vehicle_group_id != vehicle_group.pk:
        errors["tariff"] = _("This tariff is for another vehicle group.")
    if errors:
        raise ValidationError(errors)
    errors.update(
        opening_errors(
            pickup_station=pickup_station, return_station=return_station, starts_at=starts_at, ends_at=ends_at
        )
    )
    # The row lock makes two simultaneous bookings of one customer count each other (parallel limit).
    customer = (
        Customer.objects.select_for_update(of=("self",))
        .select_related("main_customer", "organization")
        .get(pk=customer.pk)
    )
    for field, sentences in booking_refusals(
        customer=customer,
        vehicle_group=vehicle_group,
        pickup_station=pickup_station,
        return_station=return_station,
        starts_at=starts_at,
        ends_at=ends_at,
    ).items():
        errors[field] = " ".join(sentences)
    if errors:
        raise ValidationError(errors)

    tariff = tariff or applicable_tariff(vehicle_group=vehicle_group, station=pickup_station, at=starts_at)
    chosen_extras = _extras_checked(tariff, extras)
    settings = contract_settings_for(organization=organization)
    buffer = buffer_for(organization=organization, vehicle_group=vehicle_group, settings=settings)
    chosen = vehicle_choose(
        organization=organization,
        vehicle_group=vehicle_group,
        station=pickup_station,
        starts_at=starts_at,
        ends_at=ends_at,
        vehicle=vehicle,
        assign=vehicle is not None or settings.vehicle_assignment == ContractSettings.Assignment.AT_BOOKING,
        buffer=buffer,
    )
    contract = Contract(
        organization=organization,
        number=f"~{uuid.uuid4().hex}",  # placeholder until the number is drawn at the end
        kind=kind,
        customer=customer,
        vehicle_group=vehicle_group,
        vehicle=chosen,
        tariff=tariff,
        pickup_station=pickup_station,
        return_station=return_station,
        starts_at=starts_at,
        ends_at=ends_at,
        expected_km=expected_km,
        deposit=tariff.deposit if tariff is not None else Decimal("0"),
        workshop_order=workshop_order.strip(),
        appointment_at=appointment_at,
        payer=payer,
        payer_customer=payer_customer,
        insurer_name=insurer_name.strip(),
        insurer_claim_number=insurer_claim_number.strip(),
        billing_period=Contract.BillingPeriod.MONTHLY if kind == Contract.Kind.LONG_TERM else "",
        created_by=actor.user,
    )
    # Keys were checked above (same organization); this checks lengths, choices and dates.
    contract.clean_fields(exclude=FOREIGN_KEYS)
    with disable_auditlog():
        contract.save()
        contract_occupy(contract, period=contract_range(contract, buffer=buffer), new=True)
        ContractExtra.objects.bulk_create(
            ContractExtra(contract=contract, extra=extra, name=extra.name, quantity=quantity)
            for extra, quantity in chosen_extras
        )
        lines = priced_lines(tariff=tariff, starts_at=starts_at, ends_at=ends_at, km=expected_km, extras=chosen_extras)
        lines_write(contract, lines, new=True)
        number = sequence_next(organization=organization, name=NUMBER_SEQUENCE)
        contract.number = f"{organization.contract_number_prefix}{number}"
        contract.save(update_fields=["number", "priced_at"])
    with acting(actor):
        _log_created(contract, actor)
    return contract

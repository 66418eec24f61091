"""Tariffs, their extras and the organization's rental settings.

Tariffs are never deleted (contracts and their lines refer to them, `on_delete=PROTECT` on the
way there): they are deactivated. Editing a tariff changes no contract: contracts keep the lines
copied at booking until someone reloads their price.

Rights: `contracts.tariffs`; a tariff of one station also needs that station, a tariff for all
stations a member not limited to some stations. The rental settings take `contracts.tariffs` or
`organization.manage` (see docs/contracts.md) and a member of all stations, as they apply
organization-wide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rentoffice.authorization import require, require_all_stations, require_station
from rentoffice.models import Membership
from vehicles.models import VehicleGroup

from ..models import ContractSettings, Extra, GroupBuffer, Tariff

TARIFFS = "contracts.tariffs"
ORGANIZATION = "organization.manage"


def _require_tariff_rights(actor: Membership, tariff: Tariff) -> None:
    require(actor, TARIFFS, organization_id=tariff.organization_id)
    station_ids = [tariff.station_id]
    if tariff.pk is not None:  # moving a tariff away from a station also needs that station
        station_ids.append(Tariff.objects.filter(pk=tariff.pk).values_list("station_id", flat=True).first())
    for station_id in station_ids:
        if station_id is None:
            require_all_stations(actor)
        else:
            require_station(actor, station_id)


def _period_text(tariff: Tariff) -> str:
    start = date_format(tariff.valid_from, "SHORT_DATE_FORMAT")
    if tariff.valid_until is None:
        return _("from %(start)s") % {"start": start}
    return f"{start} – {date_format(tariff.valid_until, 'SHORT_DATE_FORMAT')}"


def _check_overlap(tariff: Tariff) -> None:
    """Two active tariffs of one group and station must not be valid on the same day."""
    if not tariff.is_active:
        return
    others = Tariff.objects.filter(
        Q(station_id=tariff.station_id),  # None: tariffs for every station (IS NULL)
        organization_id=tariff.organization_id,
        vehicle_group_id=tariff.vehicle_group_id,
        is_active=True,
    ).exclude(pk=tariff.pk)
    if tariff.valid_until is not None:
        others = others.filter(valid_from__lte=tariff.valid_until)
    other = others.exclude(valid_until__lt=tariff.valid_from).order_by("valid_from").first()
    if other is not None:
        raise ValidationError(
            {
                "valid_from": _(
                    "The validity overlaps with the tariff “%(name)s” (%(period)s) for the same vehicle group "
                    "and station. Shorten one of them or deactivate the other tariff."
                )
                % {"name": other.name, "period": _period_text(other)}
            },
            code="overlap",
        )


def _validate(tariff: Tariff) -> None:
    errors: dict[str, list] = {}
    try:
        tariff.full_clean(exclude=["organization"])
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if tariff.valid_from and tariff.valid_until and tariff.valid_until < tariff.valid_from:
        errors.setdefault("valid_until", []).append(
            ValidationError(_("The end of the validity cannot be before its start."), code="period")
        )
    if tariff.vehicle_group_id and tariff.vehicle_group.organization_id != tariff.organization_id:
        errors.setdefault("vehicle_group", []).append(ValidationError(_("Unknown vehicle group."), code="group"))
    if tariff.station is not None and tariff.station.organization_id != tariff.organization_id:
        errors.setdefault("station", []).append(ValidationError(_("Unknown station."), code="station"))
    if errors:
        raise ValidationError(errors)


def _extras_state(tariff: Tariff) -> list[list]:
    """The extras as loggable data: [name, kind, charge, price, max_price, active]."""
    return [
        [e.name, e.kind, e.charge, str(e.price), None if e.max_price is None else str(e.max_price), e.is_active]
        for e in Extra.objects.filter(tariff=tariff).order_by("sort_order", "name", "pk")
    ]


def _validate_extras(tariff: Tariff, extras: Sequence[Extra]) -> None:
    errors: dict[str, list] = {}
    for index, extra in enumerate(extras):
        if extra.pk is not None and extra.tariff_id != tariff.pk:
            raise PermissionDenied
        extra.tariff = tariff
        try:
            extra.full_clean()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(f"extras-{index}-{field}", []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def tariff_save(
    *, actor: Membership, tariff: Tariff, extras: Sequence[Extra] = (), removed_extras: Sequence[Extra] = ()
) -> Tariff:
    """Create or change a tariff with its extras (new or changed `extras`, `removed_extras` to delete).

    Tariff saves of one vehicle group are serialized by a lock on the group, so two concurrent saves
    cannot both pass the overlap check.
    """
    if tariff.pk is None:
        tariff.organization = actor.organization
    _require_tariff_rights(actor, tariff)
    if tariff.vehicle_group_id:
        VehicleGroup.objects.select_for_update().filter(pk=tariff.vehicle_group_id).first()
    _validate(tariff)
    _check_overlap(tariff)
    for extra in removed_extras:
        if extra.pk is None or extra.tariff_id != tariff.pk:
            raise PermissionDenied
    before = _extras_state(tariff) if tariff.pk else []
    tariff.save()
    _validate_extras(tariff, extras)
    for extra in extras:
        extra.save()
    Extra.objects.filter(pk__in=[e.pk for e in removed_extras]).delete()
    after = _extras_state(tariff)
    if before != after:
        LogEntry.objects.log_create(tariff, action=LogEntry.Action.UPDATE, changes={"extras": [before, after]})
    return tariff


@transaction.atomic
def tariff_deactivate(*, actor: Membership, tariff: Tariff) -> Tariff:
    """Take a tariff out of use; contracts priced with it keep it (tariffs are never deleted)."""
    _require_tariff_rights(actor, tariff)
    tariff.is_active = False
    tariff.save(update_fields=["is_active", "updated_at"])
    return tariff


@transaction.atomic
def tariff_reactivate(*, actor: Membership, tariff: Tariff) -> Tariff:
    """Use a deactivated tariff again, unless an active one of its group and station overlaps it."""
    _require_tariff_rights(actor, tariff)
    VehicleGroup.objects.select_for_update().filter(pk=tariff.vehicle_group_id).first()
    tariff.is_active = True
    _check_overlap(tariff)
    tariff.save(update_fields=["is_active", "updated_at"])
    return tariff


def _require_settings_rights(actor: Membership, organization_id: int) -> None:
    require(actor, organization_id=organization_id)
    if not (actor.has_perm(TARIFFS) or actor.has_perm(ORGANIZATION)):
        raise PermissionDenied
    require_all_stations(actor)


@transaction.atomic
def contract_settings_save(
    *,
    actor: Membership,
    buffer_minutes: int,
    vehicle_assignment: str,
    group_buffers: Mapping[VehicleGroup, int | None] | None = None,
) -> ContractSettings:
    """Save the organization's buffer and vehicle assignment and the groups' own buffers.

    `group_buffers`: a group's minutes, or None to remove its override (it then uses the
    organization's buffer). Groups not named stay as they are.
    """
    organization = actor.organization
    _require_settings_rights(actor, organization.pk)
    settings, _created = ContractSettings.objects.select_for_update().get_or_create(organization=organization)
    settings.buffer_minutes = buffer_minutes
    settings.vehicle_assignment = vehicle_assignment
    errors: dict[str, list] = {}
    try:
        settings.full_clean()
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    buffers = []
    for group, minutes in (group_buffers or {}).items():
        if group.organization_id != organization.pk:
            raise PermissionDenied
        if minutes is None:
            continue
        buffer = GroupBuffer.objects.filter(vehicle_group=group).first() or GroupBuffer(
            organization=organization, vehicle_group=group
        )
        buffer.buffer_minutes = minutes
        try:
            buffer.full_clean(exclude=["vehicle_group"])
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                errors.setdefault(f"group_{group.pk}", []).extend(messages)
        buffers.append(buffer)
    if errors:
        raise ValidationError(errors)
    settings.save()
    for buffer in buffers:
        buffer.save()
    removed = [group.pk for group, minutes in (group_buffers or {}).items() if minutes is None]
    GroupBuffer.objects.filter(organization=organization, vehicle_group_id__in=removed).delete()
    return settings

"""Create, edit, retire vehicles and add their photos."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rentoffice.authorization import require
from rentoffice.images import ProcessedImage
from rentoffice.models import Membership

from ..models import KmReading, Vehicle, VehiclePhoto
from .km import km_reading_record
from .rights import CHANGE, require_vehicle


@transaction.atomic
def vehicle_save(*, actor: Membership, vehicle: Vehicle, initial_km: int | None = None) -> Vehicle:
    """Create or update a vehicle's master data. A new vehicle starts its km history with `initial_km`.

    The km of an existing vehicle is never edited here: readings go through `km_reading_record`.
    A member limited to some stations keeps vehicles at home in their stations: a new home must be
    one of them (a vehicle may be handed over to any station, so the current station is free).
    """
    is_new = vehicle.pk is None
    if is_new:
        vehicle.organization = actor.organization
        require(actor, CHANGE)
        stored_home = None
    else:
        # Rights on the vehicle as stored, not as the edit would leave it.
        stored: Mapping[str, Any] = (
            Vehicle.objects.filter(pk=vehicle.pk).values("home_station_id", "current_station_id").first() or {}
        )
        require_vehicle(actor, Vehicle(organization_id=vehicle.organization_id, **stored))
        stored_home = stored.get("home_station_id")
    for related in (vehicle.home_station, vehicle.current_station, vehicle.group):
        if related is not None and related.organization_id != actor.organization_id:
            raise PermissionDenied
    home_changed = is_new or stored_home != vehicle.home_station_id
    if home_changed and actor.station_ids is not None and vehicle.home_station_id not in actor.station_ids:
        raise ValidationError({"home_station": _("Choose one of your own stations as the home station.")})
    if vehicle.status == Vehicle.Status.RETIRED and (is_new or _stored_status(vehicle) != Vehicle.Status.RETIRED):
        raise ValidationError({"status": _("Use “Retire” to take a vehicle out of the fleet.")})
    if not is_new and _stored_status(vehicle) != vehicle.status:
        vehicle.status_changed_at = timezone.now()
    vehicle.full_clean()
    _save_checked(vehicle)
    if is_new:
        km_reading_record(
            vehicle=vehicle,
            km=initial_km or 0,
            source=KmReading.Source.STAFF,
            actor=actor,
            note=_("Initial reading"),
        )
    return vehicle


def _save_checked(vehicle: Vehicle) -> None:
    """Save; a plate or VIN taken by a concurrent request between the check and the insert becomes the
    same field error as a plate taken earlier (the unique constraints are the guarantee)."""
    try:
        with transaction.atomic():
            vehicle.save()
    except IntegrityError:
        vehicle.validate_constraints()
        raise


def _stored_status(vehicle: Vehicle) -> str | None:
    return Vehicle.objects.filter(pk=vehicle.pk).values_list("status", flat=True).first()


@transaction.atomic
def vehicle_retire(*, actor: Membership, vehicle: Vehicle, reason: str) -> Vehicle:
    """Take a vehicle out of the fleet; its history (km, damages, contracts) stays."""
    require_vehicle(actor, vehicle)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give the reason for retiring the vehicle.")})
    if vehicle.is_retired:
        return vehicle
    vehicle.status = Vehicle.Status.RETIRED
    vehicle.status_reason = reason[:200]
    vehicle.status_changed_at = vehicle.retired_at = timezone.now()
    vehicle.full_clean()
    vehicle.save()
    return vehicle


@transaction.atomic
def vehicle_reactivate(*, actor: Membership, vehicle: Vehicle) -> Vehicle:
    """Bring a retired vehicle back (e.g. retired by mistake); its plate must be free again."""
    require_vehicle(actor, vehicle)
    if not vehicle.is_retired:
        return vehicle
    vehicle.status = Vehicle.Status.AVAILABLE
    vehicle.status_reason = ""
    vehicle.status_changed_at = timezone.now()
    vehicle.retired_at = None
    vehicle.full_clean()
    _save_checked(vehicle)
    return vehicle


@transaction.atomic
def vehicle_photos_add(
    *, actor: Membership, vehicle: Vehicle, photos: Iterable[ProcessedImage], caption: str = ""
) -> list[VehiclePhoto]:
    require_vehicle(actor, vehicle)
    created = []
    for processed in photos:
        photo = VehiclePhoto(
            organization_id=vehicle.organization_id, vehicle=vehicle, uploaded_by=actor.user, caption=caption
        )
        photo.set_processed(processed)
        photo.save()
        created.append(photo)
    return created

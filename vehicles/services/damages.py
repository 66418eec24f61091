"""Damages: report, edit, follow through repair or claim, add photos."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rentoffice.images import ProcessedImage
from rentoffice.models import Membership, User

from ..models import Damage, DamagePhoto, DamageStatusChange, Vehicle
from .rights import require_vehicle


def _photos_add(damage: Damage, actor: User, photos: Iterable[ProcessedImage]) -> list[DamagePhoto]:
    created = []
    for processed in photos:
        photo = DamagePhoto(organization_id=damage.organization_id, damage=damage, uploaded_by=actor)
        photo.set_processed(processed)
        photo.save()
        created.append(photo)
    return created


@transaction.atomic
def damage_create(
    *, actor: Membership, vehicle: Vehicle, damage: Damage, photos: Iterable[ProcessedImage] = ()
) -> Damage:
    """Report a damage on a vehicle (from staff or a check-in)."""
    require_vehicle(actor, vehicle)
    if vehicle.is_retired:
        raise ValidationError(_("A retired vehicle cannot get new damages."))
    damage.organization_id = vehicle.organization_id
    damage.vehicle = vehicle
    damage.status = Damage.Status.OPEN
    damage.reported_by = damage.reported_by or actor.user
    damage.status_changed_at = timezone.now()
    damage.full_clean()
    damage.save()
    DamageStatusChange.objects.create(
        organization_id=damage.organization_id,
        damage=damage,
        status=Damage.Status.OPEN,
        date=timezone.localdate(damage.reported_at),
        changed_by=actor.user,
    )
    _photos_add(damage, actor.user, photos)
    return damage


@transaction.atomic
def damage_update(*, actor: Membership, damage: Damage) -> Damage:
    """Save edited description, position, area or severity (the status has its own history)."""
    require_vehicle(actor, damage.vehicle)
    damage.full_clean()
    damage.save()
    return damage


@transaction.atomic
def damage_status_set(
    *, actor: Membership, damage: Damage, status: str, date: dt.date | None = None, note: str = ""
) -> DamageStatusChange:
    """Move a damage to a status, keeping the history entry with its date and note."""
    require_vehicle(actor, damage.vehicle)
    if status not in Damage.Status.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    damage.status = status
    damage.status_changed_at = timezone.now()
    damage.save(update_fields=["status", "status_changed_at", "updated_at"])
    change = DamageStatusChange(
        organization_id=damage.organization_id,
        damage=damage,
        status=status,
        date=date or timezone.localdate(),
        note=note.strip(),
        changed_by=actor.user,
    )
    change.full_clean()
    change.save()
    return change


@transaction.atomic
def damage_photos_add(*, actor: Membership, damage: Damage, photos: Iterable[ProcessedImage]) -> list[DamagePhoto]:
    require_vehicle(actor, damage.vehicle)
    return _photos_add(damage, actor.user, photos)

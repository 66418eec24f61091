from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rentoffice.images import ProcessedImage
from rentoffice.models import Membership, User

from ..models import ConditionPhoto, ConditionRecord, Vehicle
from .rights import require_vehicle


@transaction.atomic
def condition_record_create(
    *,
    actor: Membership,
    vehicle: Vehicle,
    photos: Iterable[ProcessedImage],
    note: str = "",
    km: int | None = None,
    recorded_at: dt.datetime | None = None,
) -> ConditionRecord:
    """Record the vehicle's condition (photos, note, km). The km is kept as stated on the record; a
    caller that also wants it in the km history calls `km_reading_record` itself."""
    require_vehicle(actor, vehicle)
    photos = list(photos)
    if not photos and not note.strip():
        raise ValidationError(_("Add at least one photo or a note."))
    record = ConditionRecord(
        organization_id=vehicle.organization_id,
        vehicle=vehicle,
        recorded_by=actor.user,
        note=note.strip(),
        km=km,
        recorded_at=recorded_at or timezone.now(),
    )
    record.full_clean()
    record.save()
    _photos_add(record, actor.user, photos)
    return record


@transaction.atomic
def condition_photos_add(
    *, actor: Membership, record: ConditionRecord, photos: Iterable[ProcessedImage]
) -> list[ConditionPhoto]:
    """Add photos to a condition record afterwards (one was forgotten, or a later angle)."""
    require_vehicle(actor, record.vehicle)
    return _photos_add(record, actor.user, photos)


def _photos_add(record: ConditionRecord, actor: User, photos: Iterable[ProcessedImage]) -> list[ConditionPhoto]:
    created = []
    for processed in photos:
        photo = ConditionPhoto(organization_id=record.organization_id, record=record, uploaded_by=actor)
        photo.set_processed(processed)
        photo.save()
        created.append(photo)
    return created

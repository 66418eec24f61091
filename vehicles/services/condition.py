from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rentoffice.images import ProcessedImage
from rentoffice.models import Membership, User

from ..models import ConditionPhoto, ConditionRecord, KmReading, Vehicle
from .km import km_reading_record
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
    source: str = KmReading.Source.CONDITION,
    override_reason: str = "",
    confirmed_implausible: bool = False,
) -> ConditionRecord:
    """Record the vehicle's condition (photos, note, km). A km given here is a reading like any other:
    it goes through `km_reading_record` (same rules, same history) and the record points to it."""
    require_vehicle(actor, vehicle)
    photos = list(photos)
    if not photos and not note.strip():
        raise ValidationError(_("Add at least one photo or a note."))
    recorded_at = recorded_at or timezone.now()
    record = ConditionRecord(
        organization_id=vehicle.organization_id,
        vehicle=vehicle,
        recorded_by=actor.user,
        note=note.strip(),
        km=km,
        recorded_at=recorded_at,
    )
    record.full_clean()
    if km is not None:
        record.km_reading = km_reading_record(
            vehicle=vehicle,
            km=km,
            source=source,
            actor=actor,
            recorded_at=recorded_at,
            override_reason=override_reason,
            confirmed_implausible=confirmed_implausible,
            note=_("Condition record"),
        )
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

"""Removing a single photo (a wrong or unusable upload) from a vehicle, damage or condition record."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rentoffice.models import Membership

from ..models import ConditionPhoto, ConditionRecord, DamagePhoto, VehiclePhoto
from .rights import require_vehicle


@transaction.atomic
def photo_delete(*, actor: Membership, photo: VehiclePhoto | DamagePhoto | ConditionPhoto) -> None:
    """Delete the row now and its files once the transaction has committed (a rollback keeps both).

    A condition record must keep at least a photo or a note, like when it was created.
    """
    if isinstance(photo, DamagePhoto):
        vehicle = photo.damage.vehicle
    elif isinstance(photo, ConditionPhoto):
        vehicle = photo.record.vehicle
    else:
        vehicle = photo.vehicle
    require_vehicle(actor, vehicle)
    if isinstance(photo, ConditionPhoto):
        # Locked, so two people deleting the last two photos at once cannot both succeed.
        record = ConditionRecord.objects.select_for_update().get(pk=photo.record_id)
        if not record.note.strip() and not record.photos.exclude(pk=photo.pk).exists():
            raise ValidationError(
                _("This is the only photo of a condition record without a note. Add a note or another photo first."),
                code="last_photo",
            )
    storage = photo.image.storage
    names = [field.name for field in (photo.image, photo.thumbnail) if field]
    photo.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])

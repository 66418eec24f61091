from __future__ import annotations

from django.db import transaction

from rentoffice.images import ProcessedImage

from ..models import VehicleGroup


@transaction.atomic
def vehicle_group_save(*, group: VehicleGroup, photo: ProcessedImage | None = None,
                       remove_photo: bool = False) -> VehicleGroup:
    """Save a vehicle group; a new photo (already cleaned by the image pipeline) replaces the old one."""
    group.full_clean()
    if remove_photo or photo is not None:
        for field in (group.photo, group.photo_thumbnail):
            if field:
                field.delete(save=False)
    if photo is not None:
        group.photo.save("group.jpg", photo.content_file(), save=False)
        group.photo_thumbnail.save("group-thumb.jpg", photo.thumbnail_file(), save=False)
    group.save()
    return group

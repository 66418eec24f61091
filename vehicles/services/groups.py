from __future__ import annotations

from django.db import IntegrityError, transaction

from rentoffice.images import ProcessedImage

from ..models import VehicleGroup


@transaction.atomic
def vehicle_group_save(*, group: VehicleGroup, photo: ProcessedImage | None = None,
                       remove_photo: bool = False) -> VehicleGroup:
    """Save a vehicle group; a new photo (already cleaned by the image pipeline) replaces the old one.

    Replaced files are deleted only after the transaction has committed, so a failed save keeps them.
    """
    group.full_clean()
    storage = group.photo.storage
    old_files = [field.name for field in (group.photo, group.photo_thumbnail) if field]
    if remove_photo or photo is not None:
        group.photo = group.photo_thumbnail = ""
        transaction.on_commit(lambda: [storage.delete(name) for name in old_files])
    if photo is not None:
        group.photo.save("group.jpg", photo.content_file(), save=False)
        group.photo_thumbnail.save("group-thumb.jpg", photo.thumbnail_file(), save=False)
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError:  # the code was taken by a concurrent request after the check
        group.validate_constraints()
        raise
    return group

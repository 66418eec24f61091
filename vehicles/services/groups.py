from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import ngettext

from rentoffice.authorization import require
from rentoffice.images import ProcessedImage
from rentoffice.models import Membership

from ..models import Vehicle, VehicleGroup
from ..signals import vehicle_group_deletion
from .rights import GROUPS


@transaction.atomic
def vehicle_group_save(
    *, actor: Membership, group: VehicleGroup, photo: ProcessedImage | None = None, remove_photo: bool = False
) -> VehicleGroup:
    """Save a vehicle group; a new photo (already cleaned by the image pipeline) replaces the old one.

    Replaced files are deleted only after the transaction has committed, so a failed save keeps them.
    """
    if group.pk is None:
        group.organization = actor.organization
    require(actor, GROUPS, organization_id=group.organization_id)
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


class VehicleGroupDeleteRefused(Exception):
    """Another part of the product still relies on the group (see vehicles.signals)."""


class VehicleGroupInUse(Exception):
    """The group still has vehicles; `count` includes retired ones (they keep their group for history)."""

    def __init__(self, count: int):
        self.count = count
        super().__init__(
            ngettext(
                "%(count)d vehicle still belongs to this group (retired vehicles count too). "
                "Move it to another group first.",
                "%(count)d vehicles still belong to this group (retired vehicles count too). "
                "Move them to another group first.",
                count,
            )
            % {"count": count}
        )


@transaction.atomic
def vehicle_group_delete(*, actor: Membership, group: VehicleGroup) -> None:
    """Delete a group no vehicle belongs to; its photo files go only after the transaction commits.

    The row lock (FOR UPDATE conflicts with the key-share lock a vehicle insert takes on the group)
    makes a vehicle saved into the group meanwhile either counted here or wait until the group is gone.
    """
    require(actor, GROUPS, organization_id=group.organization_id)
    VehicleGroup.objects.select_for_update().filter(pk=group.pk).first()
    count = Vehicle.objects.filter(group_id=group.pk).count()
    if count:
        raise VehicleGroupInUse(count)
    reasons = vehicle_group_deletion.reasons(group=group)
    if reasons:
        raise VehicleGroupDeleteRefused(" ".join(str(r) for r in reasons))
    storage = group.photo.storage
    names = [field.name for field in (group.photo, group.photo_thumbnail) if field]
    group.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])

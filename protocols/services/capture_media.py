"""What a draft protocol holds besides its columns: condition photos, damages, signatures.

Import these from `protocols.services.capture` (they are re-exported there).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.services.booking import require_contract
from rentoffice.images import ProcessedImage, StoredImage
from rentoffice.models import Membership
from vehicles.models import Damage, DamagePhoto
from vehicles.services.damages import damage_create

from ..models import Protocol, ProtocolFinding, ProtocolKind, ProtocolPhoto, ProtocolSignature

DAMAGE_SOURCE: dict[str, str] = {
    ProtocolKind.CHECK_OUT: Damage.Source.CHECKOUT,
    ProtocolKind.CHECK_IN: Damage.Source.CHECKIN,
}
SIGNER_NAME_MAX = 120


def refuse_submitted(protocol: Protocol) -> None:
    if protocol.is_submitted:
        raise ValidationError(
            _("This protocol has been submitted and cannot be changed; record a correcting protocol instead."),
            code="submitted",
        )


def locked_draft(actor: Membership, protocol: Protocol) -> Protocol:
    """A fresh, row-locked copy of a draft the actor may record on (contracts.change, the stations)."""
    require_contract(actor, protocol.contract)
    locked = (
        Protocol.objects.select_for_update(of=("self",))
        .select_related("type", "contract", "contract__organization", "contract__return_station", "station")
        .get(pk=protocol.pk)
    )
    refuse_submitted(locked)
    return locked


def sync(target: Protocol, source: Protocol) -> Protocol:
    """Callers keep their object: copy the saved state back onto it."""
    target.__dict__.update({k: v for k, v in source.__dict__.items() if k != "_state"})
    target._state.fields_cache = dict(source._state.fields_cache)
    return target


def delete_files_on_commit(images: Sequence[StoredImage]) -> None:
    """Files go only once the rows are gone for good: a rolled-back delete keeps them."""
    names = [(f.storage, f.name) for image in images for f in (image.image, image.thumbnail) if f]

    def delete() -> None:
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(delete)


@transaction.atomic
def protocol_photo_add(*, actor: Membership, protocol: Protocol, view: str, image: ProcessedImage) -> ProtocolPhoto:
    """A condition photo of one view (the image already went through the pipeline)."""
    locked = locked_draft(actor, protocol)
    if view not in ProtocolPhoto.View.values:
        raise ValidationError({"view": _("Choose the view the photo shows.")})
    if not isinstance(image, ProcessedImage):
        raise ValidationError({"image": _("Upload a photo.")})
    photo = ProtocolPhoto(organization_id=locked.organization_id, protocol=locked, view=view, uploaded_by=actor.user)
    photo.set_processed(image)
    photo.save()
    return photo


@transaction.atomic
def protocol_photo_delete(*, actor: Membership, photo: ProtocolPhoto) -> None:
    locked_draft(actor, photo.protocol)
    photo.delete()
    delete_files_on_commit([photo])


def _position(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return Decimal("-1")  # out of range: the model's validators refuse it on its field


@transaction.atomic
def protocol_damage_add(
    *,
    actor: Membership,
    protocol: Protocol,
    area: str,
    description: str,
    severity: str = Damage.Severity.MINOR,
    view: str = "",
    x: Decimal | float | str | None = None,
    y: Decimal | float | str | None = None,
    photos: Sequence[ProcessedImage] = (),
) -> ProtocolFinding:
    """A damage found now: one vehicles.Damage for its whole life, linked to this protocol (and so to
    the contract and customer) by a NEW finding."""
    locked = locked_draft(actor, protocol)
    source: str = DAMAGE_SOURCE.get(locked.kind, Damage.Source.STAFF)
    if locked.channel == Protocol.Channel.PORTAL:
        source = Damage.Source.PORTAL
    damage = Damage(
        view=view or "",
        x=_position(x),
        y=_position(y),
        area=area or "",
        description=(description or "").strip(),
        severity=severity or Damage.Severity.MINOR,
        source=source,
    )
    damage_create(actor=actor, vehicle=locked.vehicle, damage=damage, photos=photos)
    return ProtocolFinding.objects.create(
        organization_id=locked.organization_id,
        protocol=locked,
        damage=damage,
        kind=ProtocolFinding.Kind.NEW,
        # A damage found at a check-in was not there when this contract's check-out was signed.
        new_since_check_out=locked.kind == ProtocolKind.CHECK_IN,
    )


@transaction.atomic
def protocol_damage_remove(*, actor: Membership, finding: ProtocolFinding) -> None:
    """Take back a damage entered by mistake in this draft: the finding and the damage it created go."""
    locked_draft(actor, finding.protocol)
    if finding.kind != ProtocolFinding.Kind.NEW:
        raise ValidationError(_("Only damages entered in this protocol can be removed here."))
    damage = finding.damage
    if damage.protocol_findings.exclude(pk=finding.pk).exists():
        raise ValidationError(_("Another protocol refers to this damage; it cannot be removed here."))
    photos = list(DamagePhoto.objects.filter(damage=damage))
    finding.delete()
    damage.delete()
    delete_files_on_commit(photos)


@transaction.atomic
def protocol_signature_save(
    *, actor: Membership, protocol: Protocol, role: str, signer_name: str, image: ProcessedImage
) -> ProtocolSignature:
    """A signature drawn on screen, with name and time; signing again replaces the earlier one."""
    locked = locked_draft(actor, protocol)
    errors = {}
    if role not in ProtocolSignature.Role.values:
        errors["role"] = _("Choose who signs.")
    signer_name = (signer_name or "").strip() if isinstance(signer_name, str) else ""
    if not signer_name:
        errors["signer_name"] = _("Enter the name of the person signing.")
    elif len(signer_name) > SIGNER_NAME_MAX:
        errors["signer_name"] = _("Enter a name of at most 120 characters.")
    if not isinstance(image, ProcessedImage):
        errors["image"] = _("Draw the signature.")
    if errors:
        raise ValidationError(errors)
    earlier = list(ProtocolSignature.objects.filter(protocol=locked, role=role))
    for old in earlier:
        old.delete()
    delete_files_on_commit(earlier)
    signature = ProtocolSignature(
        organization_id=locked.organization_id,
        protocol=locked,
        role=role,
        signer_name=signer_name,
        signed_at=timezone.now(),
        uploaded_by=actor.user,
    )
    signature.set_processed(image)
    signature.save()
    return signature

"""Recording a protocol: start, save one register at a time, say what is missing, submit.

The staff flow (and later the portal) calls these; photos, damages and signatures live in
`capture_media.py` and are re-exported here, so callers import every capture service from one
module. A submitted protocol is never changed again (the database refuses it as well, see
migration 0002); a correction is a new protocol pointing to it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Contract
from contracts.services.booking import require_contract
from contracts.services.lifecycle import contract_check_in, contract_check_out
from rentoffice.images import ProcessedImage
from rentoffice.models import Membership
from vehicles.models import ConditionRecord, Damage, KmReading, Vehicle
from vehicles.services.condition import condition_record_create
from vehicles.services.km import KmReadingRefused, km_reading_record

from ..models import Protocol, ProtocolFinding, ProtocolKind, ProtocolPhoto, ProtocolSignature, ProtocolType, Register
from ..registers import SIGNED_KINDS, fuel_eighths, register_label, register_values
from .capture_media import (
    delete_files_on_commit,
    locked_draft,
    protocol_damage_add,
    protocol_damage_remove,
    protocol_photo_add,
    protocol_photo_delete,
    protocol_signature_save,
    sync,
)
from .types import builtin_types_ensure, protocol_settings_get

__all__ = [
    "protocol_damage_add",
    "protocol_damage_remove",
    "protocol_discard",
    "protocol_missing",
    "protocol_photo_add",
    "protocol_photo_delete",
    "protocol_register_save",
    "protocol_signature_save",
    "protocol_start",
    "protocol_submit",
]

logger = logging.getLogger(__name__)

K = ProtocolKind
S = Contract.Status
# The contract status each kind starts from (contracts' lifecycle decides the move itself at submit).
STARTS_FROM: dict[str, str] = {K.CHECK_OUT: S.RESERVED, K.CHECK_IN: S.CHECKED_OUT, K.INTERIM: S.CHECKED_OUT}
KM_SOURCE: dict[str, str] = {K.CHECK_OUT: KmReading.Source.CHECKOUT, K.CHECK_IN: KmReading.Source.CHECKIN}


def _status_refusal(contract: Contract, kind: str) -> str | None:
    if contract.status == STARTS_FROM[kind]:
        return None
    explanations: dict[str, str] = {
        K.CHECK_OUT: _("a check-out protocol is recorded for a reserved contract"),
        K.CHECK_IN: _("a check-in protocol is recorded for a contract whose vehicle is checked out"),
        K.INTERIM: _("an interim protocol is recorded while the vehicle is checked out"),
    }
    needed = explanations[kind]
    return _("Contract %(number)s is %(status)s: %(needed)s.") % {
        "number": contract.number,
        "status": contract.get_status_display(),
        "needed": needed,
    }


def _type_for(contract: Contract, kind: str, protocol_type: ProtocolType | None) -> ProtocolType:
    if protocol_type is not None:
        if protocol_type.organization_id != contract.organization_id or not protocol_type.active:
            raise ValidationError({"protocol_type": _("Choose one of this organization's active protocol types.")})
        if protocol_type.kind != kind:
            raise ValidationError({"protocol_type": _("This protocol type records a different kind of protocol.")})
        return protocol_type
    if kind not in (K.CHECK_OUT, K.CHECK_IN):
        raise ValidationError({"protocol_type": _("Choose the protocol type of the interim protocol.")})
    found = ProtocolType.objects.filter(organization_id=contract.organization_id, builtin=kind).first()
    if found is None:  # an organization older than the built-in types: they appear on first use
        builtin_types_ensure(organization=contract.organization)
        found = ProtocolType.objects.get(organization_id=contract.organization_id, builtin=kind)
    return found


@transaction.atomic
def protocol_start(
    *, actor: Membership, contract: Contract, kind: str, protocol_type: ProtocolType | None = None
) -> Protocol:
    """The open draft of (contract, kind), or a new one: a second tab continues the same draft."""
    require_contract(actor, contract)
    if kind not in K.values:
        raise ValidationError({"kind": _("Choose check-out, check-in or interim protocol.")})
    # Row lock on the contract: two tabs starting at once get the same draft, not an IntegrityError.
    locked = Contract.objects.select_for_update(of=("self",)).select_related("organization").get(pk=contract.pk)
    # Checked before the draft too: a check-out draft of a contract checked out elsewhere is stale.
    refusal = _status_refusal(locked, kind)
    if refusal:
        raise ValidationError(refusal, code="status")
    draft = Protocol.objects.filter(contract=locked, kind=kind, status=Protocol.Status.DRAFT).first()
    if draft is not None:
        return _follow_vehicle(draft, locked)
    if locked.vehicle_id is None:
        raise ValidationError(
            {"vehicle": _("Assign a vehicle to contract %(number)s first.") % {"number": locked.number}}
        )
    chosen = _type_for(locked, kind, protocol_type)
    station_id = locked.pickup_station_id if kind == K.CHECK_OUT else locked.return_station_id
    protocol = Protocol(
        organization_id=locked.organization_id,
        contract=locked,
        vehicle_id=locked.vehicle_id,
        type=chosen,
        kind=kind,
        station_id=station_id,
        recorded_by=actor.user,
        channel=Protocol.Channel.BACK_OFFICE,
    )
    protocol.save()
    return protocol


def _follow_vehicle(draft: Protocol, contract: Contract) -> Protocol:
    """The contract got another vehicle since the draft began: a draft with nothing vehicle-bound yet
    (photos, damages) follows it; otherwise it stays, protocol_missing says why, and it can be discarded."""
    if contract.vehicle_id is None or draft.vehicle_id == contract.vehicle_id:
        return draft
    if draft.photos.exists() or draft.findings.exists():
        return draft
    draft.vehicle_id = contract.vehicle_id
    draft.save(update_fields=["vehicle", "updated_at"])
    return draft


@transaction.atomic
def protocol_discard(*, actor: Membership, protocol: Protocol) -> None:
    """Throw a draft away: its photos, signatures and the damages it entered go with it."""
    locked = locked_draft(actor, protocol)
    for finding in ProtocolFinding.objects.filter(protocol=locked, kind=ProtocolFinding.Kind.NEW):
        protocol_damage_remove(actor=actor, finding=finding)
    images = [*ProtocolPhoto.objects.filter(protocol=locked), *ProtocolSignature.objects.filter(protocol=locked)]
    locked.delete()
    delete_files_on_commit(images)


class _DryRun(Exception):
    pass


def _km_check(actor: Membership, protocol: Protocol, km: int, confirmed: bool) -> None:
    """The fleet's km rules, applied now: the reading is recorded in a savepoint and rolled back, so a
    draft is judged by exactly the rules its submission will meet (below last, implausible jump)."""
    vehicle = Vehicle.objects.get(pk=protocol.vehicle_id)  # a throwaway: the km service updates it
    try:
        with transaction.atomic():
            km_reading_record(
                vehicle=vehicle,
                km=km,
                source=KM_SOURCE.get(protocol.kind, KmReading.Source.PROTOCOL),
                actor=actor,
                confirmed_implausible=confirmed,
            )
            raise _DryRun
    except _DryRun:
        return
    except KmReadingRefused as exc:
        # code "implausible": the form asks to confirm the jump (km_jump_confirmed) and saves again.
        raise ValidationError({"km": ValidationError(exc.messages[0], code=exc.code)}) from exc


def _register_extra_checks(protocol: Protocol, register: str) -> None:
    if register == Register.CONDITION and not protocol.photos.exists():
        raise ValidationError(_("Add at least one condition photo."), code="photos")
    if register == Register.SIGNATURE:
        missing = _signatures_missing(protocol)
        if missing:
            raise ValidationError(missing, code="signatures")


@transaction.atomic
def protocol_register_save(*, actor: Membership, protocol: Protocol, register: str, data: dict[str, Any]) -> Protocol:
    """Validate one register's input and store it in the draft (nothing of other registers changes)."""
    locked = locked_draft(actor, protocol)
    if register not in locked.type.registers:
        raise ValidationError({"register": _("This protocol type has no such register.")})
    if register == Register.DISPATCH:
        raise ValidationError({"register": _("Dispatch submits the protocol; it has nothing to save.")})
    values = register_values(register, data)
    if values.get("km") is not None:
        _km_check(actor, locked, values["km"], values.get("km_jump_confirmed", False))
    _register_extra_checks(locked, register)
    for field, value in values.items():
        setattr(locked, field, value)
    if register not in locked.saved_registers:
        locked.saved_registers = [*locked.saved_registers, register]
    locked.save(update_fields=[*values, "saved_registers", "updated_at"])
    return sync(protocol, locked)


def _signatures_missing(protocol: Protocol) -> list[str]:
    if protocol.kind not in SIGNED_KINDS:
        return []
    if not protocol_settings_get(organization=protocol.contract.organization).signatures_required:
        return []
    present = set(ProtocolSignature.objects.filter(protocol=protocol).values_list("role", flat=True))
    missing = []
    if ProtocolSignature.Role.CUSTOMER not in present:
        missing.append(_("The customer's signature is missing."))
    if ProtocolSignature.Role.STAFF not in present:
        missing.append(_("The staff member's signature is missing."))
    return missing


def protocol_missing(*, protocol: Protocol) -> list[str]:
    """What still blocks submitting, as sentences for the submit page (empty: ready)."""
    if protocol.is_submitted:
        return [_("The protocol has already been submitted.")]
    missing: list[str] = []
    contract = protocol.contract
    refusal = _status_refusal(contract, protocol.kind)
    if refusal:
        missing.append(refusal)
    if contract.vehicle_id != protocol.vehicle_id:
        missing.append(_("The contract's vehicle changed after this protocol was started."))
    registers = protocol.type.registers
    for register in registers:
        if register != Register.DISPATCH and register not in protocol.saved_registers:
            missing.append(_("Step “%(register)s” has not been saved yet.") % {"register": register_label(register)})
    if Register.CONDITION in registers and not protocol.photos.exists():
        missing.append(_("Add at least one condition photo."))
    missing.extend(_signatures_missing(protocol))
    return missing


def _photo_copies(protocol: Protocol) -> list[ProcessedImage]:
    """The protocol's photos as the fleet's condition record takes them (the files are copied)."""
    copies = []
    for photo in ProtocolPhoto.objects.filter(protocol=protocol).order_by("view", "uploaded_at", "id"):
        with photo.image.open("rb") as image, photo.thumbnail.open("rb") as thumbnail:
            copies.append(
                ProcessedImage(
                    content=image.read(),
                    thumbnail=thumbnail.read(),
                    width=photo.width,
                    height=photo.height,
                    original_name=photo.original_name,
                    source_format="JPEG",
                )
            )
    return copies


def _condition_note(protocol: Protocol) -> str:
    return _("%(kind)s protocol of contract %(number)s") % {
        "kind": protocol.get_kind_display(),
        "number": protocol.contract.number,
    }


def _condition_record(actor: Membership, protocol: Protocol, moment: dt.datetime) -> ConditionRecord:
    """The vehicle's condition of this moment. Check-out and check-in already recorded the km through
    the contract; the record points to that reading instead of adding a second one."""
    vehicle = protocol.contract.vehicle
    assert vehicle is not None  # noqa: S101  submit checked the contract's vehicle is the protocol's
    own_km = protocol.kind not in KM_SOURCE and protocol.km is not None
    record = condition_record_create(
        actor=actor,
        vehicle=vehicle,
        photos=_photo_copies(protocol),
        note=_condition_note(protocol),
        km=protocol.km if own_km else None,
        recorded_at=moment,
        source=KmReading.Source.PROTOCOL,
        confirmed_implausible=protocol.km_jump_confirmed,
    )
    if protocol.kind in KM_SOURCE:
        reading = (
            KmReading.objects.filter(vehicle=vehicle, source=KM_SOURCE[protocol.kind], recorded_at=moment)
            .order_by("-id")
            .first()
        )
        if reading is not None:
            record.km, record.km_reading = reading.km, reading
            record.save(update_fields=["km", "km_reading"])
    return record


def _findings_write(protocol: Protocol) -> None:
    """Existing findings for the vehicle's open damages now; on a check-in, mark what the check-out did
    not see (found now, or reported during the rental) as new since check-out."""
    seen = set(ProtocolFinding.objects.filter(protocol=protocol).values_list("damage_id", flat=True))
    open_damages = Damage.objects.filter(vehicle_id=protocol.vehicle_id).exclude(status__in=Damage.CLOSED_STATUSES)
    check_out = None
    if protocol.kind == K.CHECK_IN:
        from ..selectors import protocol_check_out_of

        check_out = protocol_check_out_of(contract=protocol.contract)
    handed_over = set(check_out.findings.values_list("damage_id", flat=True)) if check_out else set()
    for damage in open_damages.order_by("reported_at", "id"):
        if damage.pk in seen:
            continue
        during_rental = (
            check_out is not None
            and damage.pk not in handed_over
            and check_out.submitted_at is not None
            and damage.reported_at > check_out.submitted_at
        )
        ProtocolFinding.objects.create(
            organization_id=protocol.organization_id,
            protocol=protocol,
            damage=damage,
            kind=ProtocolFinding.Kind.EXISTING,
            new_since_check_out=during_rental,
        )
    if protocol.kind == K.CHECK_IN:
        ProtocolFinding.objects.filter(protocol=protocol, kind=ProtocolFinding.Kind.NEW).update(
            new_since_check_out=True
        )


def _move_contract(actor: Membership, protocol: Protocol, moment: dt.datetime) -> None:
    contract, km, fuel = protocol.contract, protocol.km, fuel_eighths(protocol)
    if protocol.kind not in KM_SOURCE:
        return
    if km is None or fuel is None:  # a type adapted after the register was saved without them
        raise ValidationError({"km": _("Enter the km reading and the fuel level (step “km and fuel”).")})
    if protocol.kind == K.CHECK_OUT:
        contract_check_out(
            actor=actor,
            contract=contract,
            km=km,
            fuel=fuel,
            at=moment,
            confirm_km_jump=protocol.km_jump_confirmed,
        )
    else:
        station = protocol.station or contract.return_station
        contract_check_in(
            actor=actor,
            contract=contract,
            km=km,
            fuel=fuel,
            station=station,
            at=moment,
            confirm_km_jump=protocol.km_jump_confirmed,
        )


def _enqueue_delivery(organization_id: int, protocol_id: int) -> None:
    """Hand the PDF and e-mail to the workers; a broker outage is logged (the protocol stays submitted)."""
    from ..tasks import protocol_deliver

    try:
        protocol_deliver.apply_async(
            kwargs={"organization_id": organization_id, "protocol_id": protocol_id}, retry=False
        )
    except Exception:  # kombu raises several unrelated types when the broker is unreachable
        logger.warning("protocols: could not enqueue delivery of protocol %s", protocol_id, exc_info=True)


@transaction.atomic
def protocol_submit(*, actor: Membership, protocol: Protocol) -> Protocol:
    """Complete the protocol: the contract moves (check-out/check-in), the condition record and the
    damage findings are written, and the PDF and e-mail follow in a worker after commit."""
    locked = locked_draft(actor, protocol)
    missing = protocol_missing(protocol=locked)
    if missing:
        raise ValidationError(missing, code="incomplete")
    moment = timezone.now()
    _move_contract(actor, locked, moment)
    locked.condition_record = _condition_record(actor, locked, moment)
    _findings_write(locked)
    locked.status = Protocol.Status.SUBMITTED
    locked.submitted_at = moment
    locked.save(update_fields=["status", "submitted_at", "condition_record", "updated_at"])
    organization_id, protocol_id = locked.organization_id, locked.pk
    transaction.on_commit(lambda: _enqueue_delivery(organization_id, protocol_id))
    return sync(protocol, locked)

"""Reads of protocols, scoped to the member: a protocol is visible when its contract is.

Every `*_get` raises Http404 outside the member's organization and stations, so views never load a
protocol, photo or signature by id on their own.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from contracts.models import Contract
from contracts.selectors import CONTRACT_STATIONS
from rentoffice.models import Membership
from rentoffice.tenancy import scope_to_stations
from vehicles.models import DamagePhoto, Vehicle

from .models import Protocol, ProtocolFinding, ProtocolPhoto, ProtocolSignature, ProtocolType


def _pk(pk: int | str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def _protocols(membership: Membership) -> QuerySet[Protocol]:
    qs = Protocol.objects.filter(organization_id=membership.organization_id)
    return scope_to_stations(qs, membership, field=tuple(f"contract__{f}" for f in CONTRACT_STATIONS))


def protocol_get(*, membership: Membership, pk: int | str) -> Protocol:
    protocol = (
        _protocols(membership)
        .select_related("contract", "contract__customer", "vehicle", "type", "station", "recorded_by")
        .filter(pk=_pk(pk))
        .first()
    )
    if protocol is None:
        raise Http404
    return protocol


def protocols_for_contract(*, membership: Membership, contract: Contract) -> QuerySet[Protocol]:
    return (
        _protocols(membership)
        .filter(contract=contract)
        .select_related("type", "station", "recorded_by")
        .order_by("-started_at", "-id")
    )


def protocols_for_vehicle(*, membership: Membership, vehicle: Vehicle) -> QuerySet[Protocol]:
    return (
        _protocols(membership)
        .filter(vehicle=vehicle)
        .select_related("type", "contract", "station")
        .order_by("-started_at", "-id")
    )


def protocol_check_out_of(*, contract: Contract) -> Protocol | None:
    """The contract's submitted check-out protocol (the latest, should a correction exist)."""
    return (
        Protocol.objects.filter(
            organization_id=contract.organization_id,
            contract=contract,
            kind=Protocol.Kind.CHECK_OUT,
            status=Protocol.Status.SUBMITTED,
        )
        .order_by("-submitted_at", "-id")
        .first()
    )


def protocol_photo_get(*, membership: Membership, pk: int | str) -> ProtocolPhoto:
    visible = _protocols(membership).values("pk")
    photo = (
        ProtocolPhoto.objects.filter(organization_id=membership.organization_id, protocol__in=visible, pk=_pk(pk))
        .select_related("protocol")
        .first()
    )
    if photo is None:
        raise Http404
    return photo


def protocol_signature_get(*, membership: Membership, pk: int | str) -> ProtocolSignature:
    visible = _protocols(membership).values("pk")
    signature = (
        ProtocolSignature.objects.filter(organization_id=membership.organization_id, protocol__in=visible, pk=_pk(pk))
        .select_related("protocol")
        .first()
    )
    if signature is None:
        raise Http404
    return signature


def protocol_types(*, membership: Membership) -> QuerySet[ProtocolType]:
    return ProtocolType.objects.filter(organization_id=membership.organization_id).order_by("name", "id")


def protocol_type_get(*, membership: Membership, pk: int | str) -> ProtocolType:
    protocol_type = protocol_types(membership=membership).filter(pk=_pk(pk)).first()
    if protocol_type is None:
        raise Http404
    return protocol_type


# What a protocol holds, read through a protocol the caller has already loaded with `protocol_get`
# (its children need no scope check of their own).


def protocol_findings(*, protocol: Protocol) -> list[ProtocolFinding]:
    """The protocol's damage findings with each damage and its photos, known ones first."""
    photos = Prefetch("damage__photos", queryset=DamagePhoto.objects.order_by("uploaded_at", "id"))
    return list(
        ProtocolFinding.objects.filter(protocol=protocol)
        .select_related("damage")
        .prefetch_related(photos)
        .order_by("kind", "id")
    )


def protocol_photos(*, protocol: Protocol) -> QuerySet[ProtocolPhoto]:
    return ProtocolPhoto.objects.filter(protocol=protocol).order_by("uploaded_at", "id")


def protocol_signatures(*, protocol: Protocol) -> dict[str, ProtocolSignature]:
    """The protocol's signatures by role (customer, staff)."""
    return {signature.role: signature for signature in ProtocolSignature.objects.filter(protocol=protocol)}

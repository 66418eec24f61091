"""Reads of protocols, scoped to the member (stand-in until the engine's selectors are merged)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from contracts.models import Contract
from contracts.selectors import CONTRACT_STATIONS
from rentoffice.models import Membership
from rentoffice.tenancy import scope_to_stations
from vehicles.models import Vehicle

from .models import Protocol


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

"""Reads of contracts and blocks, scoped to the actor's organization and stations.

A contract is visible to a station-limited member when its pick-up or return station is one of
theirs; a block when its vehicle is visible (home or current station, like the fleet's pages).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404

from customers.models import Customer
from customers.search import fold
from rentoffice.models import Membership, Station
from rentoffice.tenancy import scope_to_stations
from vehicles.identifiers import plate_compact
from vehicles.models import Vehicle

from .models import Contract, Occupation, VehicleBlock

CONTRACT_STATIONS = ("pickup_station", "return_station")


def _contracts(membership: Membership, station_filter: int | None = None) -> QuerySet[Contract]:
    qs = Contract.objects.filter(organization_id=membership.organization_id)
    return scope_to_stations(qs, membership, field=CONTRACT_STATIONS, station_filter=station_filter)


def contract_get(*, membership: Membership, pk: int | str) -> Contract:
    """One contract with what its page shows at once; Http404 outside the organization or stations."""
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    contract = (
        _contracts(membership)
        # Five joins, not nine: PostgreSQL spent 10-14 ms planning the nine-way join of these wide rows
        # and Django ~6 ms building it (docs/performance.md, "Planning time"). The rarely set payer and
        # main customer load when used (an empty one costs nothing), nothing shows the creator.
        .select_related("customer", "vehicle_group", "vehicle", "tariff", "pickup_station")
        .filter(pk=pk)
        .first()
    )
    if contract is None:
        raise Http404
    if contract.return_station_id == contract.pickup_station_id:
        contract.return_station = contract.pickup_station  # the usual case: no query for the same row
    return contract


def _period_q(period: tuple[dt.datetime | None, dt.datetime | None]) -> Q:
    """Contracts whose time touches [start, end): started before the end and not ended before the start."""
    start, end = period
    condition = Q()
    if end is not None:
        condition &= Q(starts_at__lt=end)
    if start is not None:
        condition &= Q(ends_at__isnull=True) | Q(ends_at__gt=start)
    return condition


SEARCH_CANDIDATES = 200


def _search_q(organization_id: int, search: str) -> Q:
    """Number, plate, customer name or number.

    Plates and names are looked up first in their own (trigram-indexed) tables, at most
    SEARCH_CANDIDATES each, and the contracts then by those ids: one OR across three joined tables
    would make PostgreSQL scan every contract (bench/RESULTS.md, "Contracts").
    """
    term = search.strip()
    condition = Q(number__icontains=term)
    compact = plate_compact(term)
    if compact:
        vehicle_ids = list(
            Vehicle.objects.filter(organization_id=organization_id, search_text__contains=compact).values_list(
                "pk", flat=True
            )[:SEARCH_CANDIDATES]
        )
        if vehicle_ids:
            condition |= Q(vehicle_id__in=vehicle_ids)
    # every word must occur in the customer's folded search text (name, company, number)
    words = fold(term).split()
    if words:
        customers = Customer.objects.filter(organization_id=organization_id)
        for word in words:
            customers = customers.filter(search_text__contains=word)
        customer_ids = list(customers.values_list("pk", flat=True)[:SEARCH_CANDIDATES])
        if customer_ids:
            condition |= Q(customer_id__in=customer_ids)
    return condition


def contracts_for_list(
    *,
    membership: Membership,
    search: str = "",
    station: Station | int | None = None,
    status: str | None = None,
    kind: str | None = None,
    period: tuple[dt.datetime | None, dt.datetime | None] | None = None,
    station_filter: int | None = None,
) -> QuerySet[Contract]:
    """The contract list: newest pick-up first, with what a row shows joined in (constant queries).

    `search` matches the contract number, the plate and the customer's name or number; `station`
    matches pick-up or return station; `period` is (from, until), either end open.
    """
    qs = _contracts(membership, station_filter).select_related(
        "customer", "vehicle", "vehicle_group", "pickup_station", "return_station"
    )
    if search and search.strip():
        qs = qs.filter(_search_q(membership.organization_id, search))
    if station is not None:
        station_id = station.pk if isinstance(station, Station) else station
        qs = qs.filter(Q(pickup_station_id=station_id) | Q(return_station_id=station_id))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if period is not None:
        qs = qs.filter(_period_q(period))
    return qs.order_by("-starts_at", "-pk")


def _blocks(membership: Membership) -> QuerySet[VehicleBlock]:
    qs = VehicleBlock.objects.filter(organization_id=membership.organization_id)
    return scope_to_stations(qs, membership, field=("vehicle__current_station", "vehicle__home_station"))


def block_get(*, membership: Membership, pk: int | str) -> VehicleBlock:
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    block = _blocks(membership).select_related("vehicle", "created_by").filter(pk=pk).first()
    if block is None:
        raise Http404
    return block


def blocks_for_vehicle(
    *, membership: Membership, vehicle_id: int, upcoming_only: bool = False
) -> QuerySet[VehicleBlock]:
    qs = _blocks(membership).filter(vehicle_id=vehicle_id)
    if upcoming_only:
        from django.utils import timezone

        qs = qs.filter(ends_at__gt=timezone.now())
    return qs.order_by("starts_at")


def occupations_for_vehicles(
    *, organization_id: int, vehicle_ids: list[int], starts_at: dt.datetime, ends_at: dt.datetime
) -> QuerySet[Occupation]:
    """Occupations of these vehicles touching the period (index-driven: vehicle = and period &&)."""
    from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

    return Occupation.objects.filter(
        organization_id=organization_id,
        vehicle_id__in=vehicle_ids,
        period__overlap=DateTimeTZRange(starts_at, ends_at, "[)"),
    ).select_related("contract", "block")

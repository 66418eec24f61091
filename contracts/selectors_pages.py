"""Reads behind the contract pages' panels (customer card, vehicle page, contract page).

Contracts are station-owned: a contract is visible to station staff when its pick-up or return
station is one of theirs, on every page that lists it (the customer card is organization-wide,
the vehicle page is open at the vehicle's home and current station).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from customers.models import Customer
from rentoffice.models import Membership
from rentoffice.tenancy import scope_to_stations
from vehicles.models import Vehicle

from .models import Contract, ContractDriver, Tariff, VehicleBlock

CONTRACT_STATIONS = ("pickup_station", "return_station")
ROW_RELATIONS = ("customer", "vehicle", "vehicle_group", "pickup_station", "return_station")
NEXT_RESERVATIONS = 5
HISTORY_ON_PAGE = 10
BLOCKS_ON_PAGE = 10


CONTRACT_COLUMNS = tuple(f.name for f in Contract._meta.concrete_fields)
# What `Customer.__str__` (display name and number) reads.
CUSTOMER_NAME_COLUMNS = ("kind", "company", "first_name", "last_name", "number")


def _visible(qs: QuerySet[Contract], membership: Membership, station_filter: int | None) -> QuerySet[Contract]:
    return scope_to_stations(qs, membership, field=CONTRACT_STATIONS, station_filter=station_filter)


def driver_get(*, membership: Membership, pk: int) -> ContractDriver:
    """A further driver, visible exactly when its contract is (404 otherwise)."""
    from django.http import Http404

    from .selectors import contract_get

    contract_id = (
        ContractDriver.objects.filter(pk=pk, contract__organization=membership.organization)
        .values_list("contract_id", flat=True)
        .first()
    )
    if contract_id is None:
        raise Http404
    contract = contract_get(membership=membership, pk=contract_id)
    driver = ContractDriver.objects.select_related("customer").get(pk=pk)
    driver.contract = contract
    return driver


def driver_candidates(*, membership: Membership, contract: Contract, query: str) -> QuerySet[Customer]:
    """Customers of the organization who could drive too: not the renter, not already a driver."""
    from customers.selectors import customer_list

    taken = ContractDriver.objects.filter(contract=contract, customer__isnull=False).values("customer_id")
    qs = customer_list(membership=membership, query=query) if query else Customer.objects.none()
    return qs.exclude(pk=contract.customer_id).exclude(pk__in=taken)


def customer_active_contracts(
    *, membership: Membership, station_filter: int | None, customer: Customer
) -> list[Contract]:
    """What the customer has rented or reserved right now: running first, then by pick-up."""
    qs = Contract.objects.filter(
        organization=membership.organization, customer=customer, status__in=Contract.ACTIVE_STATUSES
    )
    # The card's panel shows vehicle (or group) and pick-up station; joining the customer's ~80 columns
    # again cost more query building than the rest of the panel (docs/performance.md).
    qs = _visible(qs, membership, station_filter).select_related("vehicle", "vehicle_group", "pickup_station")
    contracts = sorted(qs.order_by("starts_at", "pk"), key=lambda c: c.status != Contract.Status.CHECKED_OUT)
    for contract in contracts:
        contract.customer = customer
    return contracts


def customer_contracts(*, membership: Membership, station_filter: int | None, customer: Customer) -> QuerySet[Contract]:
    """All of the customer's contracts (the card's transactions), newest first."""
    qs = Contract.objects.filter(organization=membership.organization, customer=customer)
    return _visible(qs, membership, station_filter).select_related(*ROW_RELATIONS).order_by("-starts_at", "-pk")


def vehicle_contracts(
    *, membership: Membership, station_filter: int | None, vehicle: Vehicle, now: dt.datetime | None = None
) -> dict:
    """The vehicle page's contract panels: the running contract, the next reservations, the history."""
    now = now or timezone.now()
    # The rows show number, period, status and the customer's name: the customer's other ~75 columns
    # and the two stations (never shown here) made up most of the vehicle page's query building.
    base = (
        _visible(
            Contract.objects.filter(organization=membership.organization, vehicle=vehicle), membership, station_filter
        )
        .select_related("customer")
        .only(*CONTRACT_COLUMNS, *(f"customer__{name}" for name in CUSTOMER_NAME_COLUMNS))
    )
    current = base.filter(status=Contract.Status.CHECKED_OUT).order_by("-starts_at").first()
    upcoming = list(base.filter(status=Contract.Status.RESERVED).order_by("starts_at", "pk")[:NEXT_RESERVATIONS])
    history = list(
        base.exclude(status__in=Contract.ACTIVE_STATUSES).order_by("-starts_at", "-pk")[: HISTORY_ON_PAGE + 1]
    )
    return {
        "current": current,
        "upcoming": upcoming,
        "history": history[:HISTORY_ON_PAGE],
        "more_history": len(history) > HISTORY_ON_PAGE,
    }


def vehicle_blocks(*, vehicle: Vehicle, now: dt.datetime | None = None) -> list[VehicleBlock]:
    """Blocks that still matter (running or ahead), soonest first; a block is visible with its vehicle."""
    now = now or timezone.now()
    return list(
        VehicleBlock.objects.filter(organization_id=vehicle.organization_id, vehicle=vehicle, ends_at__gt=now)
        .select_related("created_by")
        .order_by("starts_at", "pk")[:BLOCKS_ON_PAGE]
    )


def tariffs_for_contract(*, contract: Contract) -> QuerySet[Tariff]:
    """Tariffs a contract may switch to: active ones of its group, at its station or at every station."""
    return Tariff.objects.filter(
        organization_id=contract.organization_id,
        vehicle_group_id=contract.vehicle_group_id,
        is_active=True,
    ).filter(Q(station__isnull=True) | Q(station_id=contract.pickup_station_id))

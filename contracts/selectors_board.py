"""The planning board's read: vehicles as rows, days as columns, contracts and blocks as bars.

Everything the board shows comes from a fixed number of queries, whatever the fleet size (vehicles;
contracts on them or waiting for one; blocks), and the positions are computed here, so the template
only writes classes (the Content-Security-Policy forbids inline styles).

Positions are counted in wall-clock hours from the first day's midnight, so a day column is a day
on the calendar also across a change to or from summer time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch
from django.utils import timezone

from customers.models import Customer
from rentoffice.list_urls import pk_url
from rentoffice.models import Membership, Station
from rentoffice.tenancy import visible_station_ids
from vehicles.models import Vehicle, VehicleGroup
from vehicles.selectors import vehicles_for

from .board_bars import Clock, Period, Row, block_bar, contract_bar, stack
from .models import Contract, VehicleBlock

VIEWS = ("week", "month")


@dataclass
class GroupRows:
    group: VehicleGroup
    rows: list[Row] = field(default_factory=list)


@dataclass
class StationRows:
    station: Station
    groups: list[GroupRows] = field(default_factory=list)


@dataclass
class Day:
    date: dt.date
    weekend: bool
    today: bool


@dataclass
class Board:
    period: Period
    days: list[Day]
    stations: list[StationRows]
    now: int | None  # hours from the start, None when now is outside the board
    vehicle_count: int


def board_vehicles(
    *, membership: Membership, station_filter: int | None = None, station: int | None = None, group: int | None = None
) -> QuerySet[Vehicle]:
    """The rows: vehicles the member sees (home or current station), retired ones left out."""
    qs = vehicles_for(membership=membership, station_filter=station_filter).exclude(status=Vehicle.Status.RETIRED)
    if station:
        qs = qs.filter(Q(home_station_id=station) | Q(current_station_id=station))
    if group:
        qs = qs.filter(group_id=group)
    return (
        qs.select_related("group", "home_station", "current_station")
        .only(
            "pk",
            "plate",
            "make",
            "model",
            "status",
            "group__id",
            "group__name",
            "group__code",
            "group__sort_order",
            "home_station__id",
            "home_station__name",
            "home_station__code",
            "current_station__id",
            "current_station__name",
            "current_station__code",
        )
        .order_by("home_station__name", "home_station_id", "group__sort_order", "group__name", "group_id", "plate")
    )


def _contracts_in(
    *,
    membership: Membership,
    vehicle_ids: list[int],
    groups: set[int],
    period: Period,
    station_filter: int | None,
    station: int | None,
) -> list[Any]:
    """Contracts on the board's vehicles overlapping the window, plus reservations still waiting for
    a vehicle of a shown group at a station the member sees."""
    start, end = period.window()
    overlaps = Q(starts_at__lt=end) & (
        Q(ends_at__gt=start)
        | Q(ends_at__isnull=True)
        | Q(checked_in_at__gt=start)
        # A vehicle not returned yet holds the board until it is.
        | Q(status=Contract.Status.CHECKED_OUT)
    )
    unassigned = Q(vehicle__isnull=True, status=Contract.Status.RESERVED, vehicle_group_id__in=groups)
    ids = visible_station_ids(membership, station_filter)
    if ids is not None:
        unassigned &= Q(pickup_station_id__in=ids)
    if station:
        unassigned &= Q(pickup_station_id=station)
    rows = (
        Contract.objects.filter(organization=membership.organization)
        .exclude(status=Contract.Status.CANCELLED)
        .filter(overlaps & (Q(vehicle_id__in=vehicle_ids) | unassigned))
        .order_by("starts_at", "pk")
        .values(*CONTRACT_FIELDS, *(f"customer__{name}" for name in CUSTOMER_FIELDS))
    )
    # Plain rows, not model instances: a month of 300 vehicles has ~1,700 bars, and building
    # 3,400 model instances (contract + customer, with their init signals) cost more than the rest.
    return [_plain(row) for row in rows]


CONTRACT_FIELDS = (
    "pk",
    "number",
    "kind",
    "status",
    "vehicle_id",
    "vehicle_group_id",
    "pickup_station_id",
    "return_station_id",
    "starts_at",
    "ends_at",
    "checked_out_at",
    "checked_in_at",
)
CUSTOMER_FIELDS = ("kind", "first_name", "last_name", "company")


def _plain(row: dict) -> Any:
    customer = SimpleNamespace(Kind=Customer.Kind, **{name: row.pop(f"customer__{name}") for name in CUSTOMER_FIELDS})
    # The customer's own display rule (Customer.display_name), applied to the plain row.
    display_name = cast("property", Customer.__dict__["display_name"])
    row["customer_name"] = display_name.fget(customer) if display_name.fget else ""
    return SimpleNamespace(**row)


def _blocks_in(*, vehicle_ids: list[int], period: Period, organization: Any) -> list[Any]:
    start, end = period.window()
    rows = (
        VehicleBlock.objects.filter(
            organization=organization, vehicle_id__in=vehicle_ids, starts_at__lt=end, ends_at__gt=start
        )
        .order_by("starts_at", "pk")
        .values("pk", "vehicle_id", "kind", "reason", "starts_at", "ends_at")
    )
    return [SimpleNamespace(**row) for row in rows]


def contract_url_for(org_slug: str):
    """The contract page's link (the contract pages register `contracts:detail`)."""
    try:
        return pk_url("contracts:detail", org_slug=org_slug)
    except NoReverseMatch:  # until the contract pages exist
        return lambda pk: f"/o/{org_slug}/contracts/{pk}/"


def board_get(
    *,
    membership: Membership,
    period: Period,
    station_filter: int | None = None,
    station: int | None = None,
    group: int | None = None,
) -> Board:
    now = timezone.now()
    vehicles = list(board_vehicles(membership=membership, station_filter=station_filter, station=station, group=group))
    vehicle_ids = [v.pk for v in vehicles]
    groups = {v.group_id for v in vehicles}
    if group:
        groups.add(group)
    contracts = _contracts_in(
        membership=membership,
        vehicle_ids=vehicle_ids,
        groups=groups,
        period=period,
        station_filter=station_filter,
        station=station,
    )
    blocks = _blocks_in(vehicle_ids=vehicle_ids, period=period, organization=membership.organization)

    clock = Clock(period, now)
    org_slug = membership.organization.slug
    contract_url = contract_url_for(org_slug)
    vehicle_url = pk_url("vehicles:detail", org_slug=org_slug)
    # The member sees a contract when its pick-up or return station is one of theirs; on a vehicle
    # they see, another station's contract still shows that the time is taken.
    own_stations = membership.station_ids
    can_move = membership.has_perm("contracts.change")

    rows: dict[int, Row] = {v.pk: Row(v) for v in vehicles}
    waiting: dict[tuple[int, int], Row] = {}
    for contract in contracts:
        visible = own_stations is None or bool({contract.pickup_station_id, contract.return_station_id} & own_stations)
        bar = contract_bar(contract, clock, visible=visible, can_move=can_move, contract_url=contract_url)
        if bar is None:
            continue
        if contract.vehicle_id is None:
            key = (contract.pickup_station_id, contract.vehicle_group_id)
            waiting.setdefault(key, Row(None)).bars.append(bar)
        else:
            rows[contract.vehicle_id].bars.append(bar)
    for block in blocks:
        rows[block.vehicle_id].bars.append(block_bar(block, clock, vehicle_url(block.vehicle_id)))

    stations = _arrange(vehicles, rows, waiting, membership, vehicle_url)
    for station_rows in stations:
        for group_rows in station_rows.groups:
            for row in group_rows.rows:
                stack(row)
    today = timezone.localdate()
    days = [
        Day(day, day.weekday() >= 5, day == today)
        for day in (period.start + dt.timedelta(days=n) for n in range(period.days))
    ]
    now_hour = clock.hours(now)
    return Board(
        period=period,
        days=days,
        stations=stations,
        now=int(now_hour) if 0 <= now_hour < period.hours else None,
        vehicle_count=len(vehicles),
    )


def _arrange(
    vehicles: list[Vehicle],
    rows: dict[int, Row],
    waiting: dict[tuple[int, int], Row],
    membership: Membership,
    vehicle_url: Any,
) -> list[StationRows]:
    """Rows by home station and group, in the vehicles' order; a group's waiting reservations first."""
    stations: dict[int, StationRows] = {}
    group_rows: dict[tuple[int, int], GroupRows] = {}
    for vehicle in vehicles:
        rows[vehicle.pk].url = vehicle_url(vehicle.pk)
        key = (vehicle.home_station_id, vehicle.group_id)
        if key not in group_rows:
            section = stations.setdefault(vehicle.home_station_id, StationRows(vehicle.home_station))
            group_rows[key] = GroupRows(vehicle.group)
            section.groups.append(group_rows[key])
            if key in waiting:
                group_rows[key].rows.append(waiting.pop(key))
        group_rows[key].rows.append(rows[vehicle.pk])
    if waiting:
        # Reservations for a station or group without a vehicle on the board: still shown, below.
        _arrange_leftover(stations, waiting, membership)
    return list(stations.values())


def _arrange_leftover(
    stations: dict[int, StationRows], waiting: dict[tuple[int, int], Row], membership: Membership
) -> None:
    station_ids = {station_id for station_id, _group in waiting}
    group_ids = {group_id for _station, group_id in waiting}
    known = {s.pk: s for s in Station.objects.filter(organization=membership.organization, pk__in=station_ids)}
    known_groups = {
        g.pk: g for g in VehicleGroup.objects.filter(organization=membership.organization, pk__in=group_ids)
    }
    for (station_id, group_id), row in sorted(waiting.items()):
        section = stations.setdefault(station_id, StationRows(known[station_id]))
        existing = next((g for g in section.groups if g.group.pk == group_id), None)
        if existing is None:
            existing = GroupRows(known_groups[group_id])
            section.groups.append(existing)
        existing.rows.insert(0, row)

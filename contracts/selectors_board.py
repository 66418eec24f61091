"""The planning board's read: vehicles as rows, days as columns, contracts and blocks as bars.

Everything the board shows comes from a fixed number of queries, whatever the fleet size (vehicles;
contracts on them or waiting for one; blocks), and the positions are computed here, so the template
only writes classes (the Content-Security-Policy forbids inline styles).

Positions are counted in wall-clock hours from the first day's midnight, so a day column is a day
on the calendar also across a change to or from summer time.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from customers.models import Customer
from rentoffice.list_urls import pk_url
from rentoffice.models import Membership, Station
from rentoffice.tenancy import visible_station_ids
from vehicles.models import Vehicle, VehicleGroup
from vehicles.selectors import vehicles_for

from .models import Contract, VehicleBlock

VIEWS = ("week", "month")
MAX_LANES = 4
# Reservations can be dragged; running and finished contracts hold the vehicle as they are.
DRAGGABLE = (Contract.Status.RESERVED,)
ICONS = {
    Contract.Kind.RENTAL: "key",
    Contract.Kind.COURTESY: "tools",
    Contract.Kind.LONG_TERM: "calendar-range",
    VehicleBlock.Kind.WORKSHOP: "wrench-adjustable",
    VehicleBlock.Kind.MAINTENANCE: "droplet-half",
    VehicleBlock.Kind.TRANSFER: "truck",
    VehicleBlock.Kind.OTHER: "slash-circle",
}


@dataclass(frozen=True)
class Period:
    view: str
    start: dt.date
    days: int

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=self.days)

    @property
    def hours(self) -> int:
        return self.days * 24

    def window(self) -> tuple[dt.datetime, dt.datetime]:
        return _aware(self.start), _aware(self.end)

    def previous_start(self) -> dt.date:
        if self.view == "week":
            return self.start - dt.timedelta(days=7)
        return (self.start - dt.timedelta(days=1)).replace(day=1)

    def next_start(self) -> dt.date:
        return self.end


def board_period(*, view: str, day: dt.date) -> Period:
    """The week (Monday to Sunday) or calendar month that contains `day`."""
    if view == "month":
        first = day.replace(day=1)
        return Period("month", first, calendar.monthrange(first.year, first.month)[1])
    return Period("week", day - dt.timedelta(days=day.weekday()), 7)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


@dataclass
class Bar:
    """One contract or block on the board; `classes` place it (see static/contracts/board.css)."""

    kind: str  # "contract", "block" or "hidden" (a contract of a station the member does not see)
    pk: int
    label: str
    description: str
    classes: str
    start: int  # hours from the board's start, clamped to the board
    end: int
    url: str = ""
    draggable: bool = False
    lane: int = 0
    icon: str = ""

    @property
    def place(self) -> str:
        width = self.end - self.start
        return f"bd-{self.start // 24} bh-{self.start % 24} wd-{width // 24} wh-{width % 24} lane-{self.lane}"

    def html(self) -> str:
        """The bar's markup, written here: a month has ~1,700 bars, and the template engine's
        variable lookups for each cost more than the whole selector (bench/RESULTS.md)."""
        description = escape(self.description)
        icon = f'<i class="bi bi-{self.icon}" aria-hidden="true"></i> '
        classes = f"board-bar {self.classes} {self.place}"
        if not self.url:
            return f'<span class="{classes}" title="{description}" data-kind="{self.kind}">{icon}{escape(self.label)}</span>'
        drag = " data-draggable" if self.draggable else ""
        return (
            f'<a class="{classes}" href="{escape(self.url)}" title="{description}" aria-label="{description}"'
            f' data-kind="{self.kind}" data-pk="{self.pk}"{drag}>{icon}{escape(self.label)}</a>'
        )


@dataclass
class Row:
    vehicle: Vehicle | None  # None: reservations of the group still waiting for a vehicle
    bars: list[Bar] = field(default_factory=list)
    lanes: int = 1
    url: str = ""  # the vehicle's page

    @property
    def bars_html(self) -> str:
        # Built from escaped parts in Bar.html.
        return mark_safe("".join(bar.html() for bar in self.bars))  # noqa: S308


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


# Django's date format letters that strftime writes the same (German "d.m.Y H:i"); Django's own
# formatter costs ~0.15 ms a call, and a month of bars needs thousands of them.
_STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y", "H": "%H", "i": "%M"}


def _strftime_pattern(django_format: str) -> str | None:
    pattern = []
    for char in django_format:
        if char in _STRFTIME:
            pattern.append(_STRFTIME[char])
        elif char in " .:/-,":
            pattern.append(char)
        else:
            return None  # a letter strftime would write differently (e.g. English "P"): Django formats it
    return "".join(pattern)


class _Clock:
    """Hours on the board's wall clock, and the texts every bar needs (translated once per board)."""

    def __init__(self, period: Period, now: dt.datetime):
        self.origin = dt.datetime.combine(period.start, dt.time())
        self.limit = period.hours
        self.now = now
        self.status_labels = {key: str(label) for key, label in Contract.Status.choices}
        self.kind_labels = {key: str(label) for key, label in Contract.Kind.choices}
        self.block_labels = {key: str(label) for key, label in VehicleBlock.Kind.choices}
        self.open_end = _("open end")
        self.overdue = _("overdue")
        self.occupied = _("Occupied (contract of another station)")
        self.strftime = _strftime_pattern(get_format("SHORT_DATETIME_FORMAT"))
        # Looked up once: timezone.localtime() asks a context-local for the zone on every call.
        self.tz = timezone.get_current_timezone()

    def hours(self, moment: dt.datetime) -> float:
        local = moment.astimezone(self.tz).replace(tzinfo=None)
        return (local - self.origin).total_seconds() / 3600

    def span(self, start: dt.datetime, end: dt.datetime | None) -> tuple[int, int, str]:
        """Start and end hour on the board (start rounded down, end up) and the cut-off classes."""
        first = self.hours(start)
        last = self.hours(end) if end is not None else float(self.limit)
        start_hour = max(0, min(self.limit - 1, int(first // 1)))
        end_hour = max(start_hour + 1, min(self.limit, int(-(-last // 1))))
        cut = (" bar-cut-start" if first < 0 else "") + (" bar-cut-end" if end is None or last > self.limit else "")
        return start_hour, end_hour, cut

    def when(self, start: dt.datetime, end: dt.datetime | None) -> str:
        return f"{self.moment(start)} – {self.moment(end) if end else self.open_end}"

    def moment(self, value: dt.datetime) -> str:
        local = value.astimezone(self.tz)
        if self.strftime:
            return local.strftime(self.strftime)
        return date_format(local, "SHORT_DATETIME_FORMAT")


def _contract_times(contract: Any, now: dt.datetime) -> tuple[dt.datetime, dt.datetime | None, bool]:
    """What the bar shows: the real pick-up and return where they happened, the plan otherwise; a
    vehicle that is overdue stays on the board until now."""
    start = contract.checked_out_at or contract.starts_at
    if contract.status in (Contract.Status.CHECKED_IN, Contract.Status.SETTLED) and contract.checked_in_at:
        return start, contract.checked_in_at, False
    end = contract.ends_at
    overdue = contract.status == Contract.Status.CHECKED_OUT and end is not None and end < now
    return start, (now if overdue else end), overdue


def _contract_bar(contract: Any, clock: _Clock, *, visible: bool, can_move: bool, contract_url: Any) -> Bar | None:
    start, end, overdue = _contract_times(contract, clock.now)
    start_hour, end_hour, cut = clock.span(start, end)
    if clock.hours(start) >= clock.limit or (end is not None and clock.hours(end) <= 0):
        return None  # the real times lie outside the window although the plan overlaps it
    if not visible:
        return Bar(
            "hidden",
            contract.pk,
            clock.occupied,
            clock.occupied,
            f"bar-hidden{cut}",
            start_hour,
            end_hour,
            icon="eye-slash",
        )
    name = contract.customer_name
    status = clock.status_labels[contract.status] + (f", {clock.overdue}" if overdue else "")
    label = f"{name} · {contract.number}"
    # The accessible name starts with the visible text (WCAG 2.5.3), then what hovering shows.
    description = ", ".join(
        (label, clock.kind_labels[contract.kind], status, clock.when(start, contract.ends_at if overdue else end))
    )
    classes = f"bar-{contract.status} bar-kind-{contract.kind}{' bar-overdue' if overdue else ''}{cut}"
    return Bar(
        "contract",
        contract.pk,
        label,
        description,
        classes,
        start_hour,
        end_hour,
        url=contract_url(contract.pk),
        draggable=can_move and contract.status in DRAGGABLE,
        icon=ICONS[contract.kind],
    )


def _block_bar(block: Any, clock: _Clock, vehicle_url: str) -> Bar:
    start_hour, end_hour, cut = clock.span(block.starts_at, block.ends_at)
    kind = clock.block_labels[block.kind]
    return Bar(
        "block",
        block.pk,
        f"{kind}: {block.reason}",
        f"{kind}: {block.reason}, {clock.when(block.starts_at, block.ends_at)}",
        f"bar-block bar-block-{block.kind}{cut}",
        start_hour,
        end_hour,
        url=vehicle_url,
        icon=ICONS[block.kind],
    )


def _stack(row: Row) -> None:
    """Bars that overlap in time (a late return, waiting reservations) go on lanes below each other."""
    lane_ends: list[int] = []
    for bar in sorted(row.bars, key=lambda b: (b.start, b.end)):
        for lane, lane_end in enumerate(lane_ends):
            if lane_end <= bar.start:
                lane_ends[lane] = bar.end
                bar.lane = lane
                break
        else:
            bar.lane = min(len(lane_ends), MAX_LANES - 1)
            if len(lane_ends) < MAX_LANES:
                lane_ends.append(bar.end)
            else:
                lane_ends[-1] = max(lane_ends[-1], bar.end)
    row.lanes = max(1, len(lane_ends))


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

    clock = _Clock(period, now)
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
        bar = _contract_bar(contract, clock, visible=visible, can_move=can_move, contract_url=contract_url)
        if bar is None:
            continue
        if contract.vehicle_id is None:
            key = (contract.pickup_station_id, contract.vehicle_group_id)
            waiting.setdefault(key, Row(None)).bars.append(bar)
        else:
            rows[contract.vehicle_id].bars.append(bar)
    for block in blocks:
        rows[block.vehicle_id].bars.append(_block_bar(block, clock, vehicle_url(block.vehicle_id)))

    stations = _arrange(vehicles, rows, waiting, membership, vehicle_url)
    for station_rows in stations:
        for group_rows in station_rows.groups:
            for row in group_rows.rows:
                _stack(row)
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

"""The planning board's bars: where a contract or block sits on the board and what it says.

Split from `selectors_board.py`, which reads the rows; this module turns each row's contracts and
blocks into positioned bars (wall-clock hours from the first day's midnight, so a day column is a
calendar day also across a change to or from summer time) and writes their markup.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from vehicles.models import Vehicle

from .models import Contract, VehicleBlock

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


class Clock:
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


def contract_bar(contract: Any, clock: Clock, *, visible: bool, can_move: bool, contract_url: Any) -> Bar | None:
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


def block_bar(block: Any, clock: Clock, vehicle_url: str) -> Bar:
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


def stack(row: Row) -> None:
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

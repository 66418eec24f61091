"""The pricing function: a tariff, a rental period, km and extras → priced lines.

`price()` is pure: it reads only the tariff's own fields and the extras passed in (no queries), so
booking, price reload, settlement, the API and online booking all get the same answer for the same
input. Money is `Decimal` throughout; every line is rounded once, to cents, half up.

Rules (also in docs/contracts.md, "Tariffs and pricing"):

* **Rental days** are counted in 24 h units from pick-up. A return up to 59 minutes after a full
  unit is free (`GRACE`): 24 h 59 min is one day, 25 h are two. Every rental is at least one unit.
* **Hours**: the hour price applies only to a part shorter than 6 h (`HOUR_LIMIT`) — the whole
  rental or what is left after whole days/weeks/months. Started hours count (no grace). A part of
  6 h or more is a day; hours never cost more than a day because a whole day is always a candidate.
* **Weekend**: a rental lying wholly inside Fri 12:00 – Mon 09:00 (Europe/Berlin; the return may
  use the grace) can be priced as one weekend at the weekend price.
* **Week** = 7 days, **month** = 30 days.
* **Cheapest combination wins**: every combination of months + weeks + days + hours that covers
  the period is priced (a larger unit may cover more than the period: 1 week for 5 days), plus the
  weekend where it applies; the cheapest wins. On a tie the one with fewer lines, then fewer units,
  wins. The explanation names the winner and the cheapest single-unit alternative it beat
  ("3 days at 49.00 € = 147.00 €; cheaper than 1 week at 199.00 € = 199.00 €").
* **Open end** (`ends_at=None`, long-term rentals billed monthly): one month (30 days) is priced.
* **Kilometres**: extra km = max(0, km − included km per day × rental days), times the price per
  extra km. `km=None` (not known yet) → no km line; no extra km (or a price of 0) → no km line.
* **Extras**: per day → price × rental days × quantity, capped at `max_price` × quantity when the
  extra has a maximum; per rental → price × quantity. Extras priced at 0 or with quantity 0 are
  left out.
* **VAT**: with `prices_include_vat` the prices are gross (net = gross / (1 + rate)), otherwise net
  (gross = net × (1 + rate)); both rounded per line, gross = net + VAT on every line.

Lines carry a unit code (`Unit`); `unit_label()` turns it into words for people. Descriptions and
explanations are built with gettext at call time, i.e. in the active language.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext, ngettext, npgettext

if TYPE_CHECKING:
    from .models import Extra, Tariff

CENT = Decimal("0.01")
HUNDRED = Decimal("100")

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
WEEK = timedelta(days=7)
MONTH = timedelta(days=30)
GRACE = timedelta(minutes=59)
HOUR_LIMIT = timedelta(hours=6)
# Friday 12:00 until Monday 09:00, local time.
WEEKEND_START = (4, time(12, 0))
WEEKEND_END = (0, time(9, 0))


class LineKind:
    RENT = "rent"
    KM = "km"
    EXTRA = "extra"


class Unit:
    HOUR = "hour"
    DAY = "day"
    WEEKEND = "weekend"
    WEEK = "week"
    MONTH = "month"
    KM = "km"
    RENTAL = "rental"


# The unit in words for a count; quantities other than exactly 1 read in the plural ("1,5 Tage").
UNIT_LABELS = {
    Unit.HOUR: lambda n: npgettext("pricing unit", "hour", "hours", n),
    Unit.DAY: lambda n: npgettext("pricing unit", "day", "days", n),
    Unit.WEEKEND: lambda n: npgettext("pricing unit", "weekend", "weekends", n),
    Unit.WEEK: lambda n: npgettext("pricing unit", "week", "weeks", n),
    Unit.MONTH: lambda n: npgettext("pricing unit", "month", "months", n),
    Unit.KM: lambda n: npgettext("pricing unit", "km", "km", n),
    Unit.RENTAL: lambda n: npgettext("pricing unit", "rental", "rentals", n),
}


def unit_label(unit: str, quantity: Decimal | int | None = 1) -> str:
    """The unit of a priced line in words (the line stores the code so it can be re-labelled)."""
    label = UNIT_LABELS.get(unit)
    if label is None:
        return unit
    return label(1 if quantity is None or Decimal(quantity) == 1 else 2)


@dataclass(frozen=True)
class PricedLine:
    kind: str  # LineKind
    description: str
    explanation: str
    quantity: Decimal
    unit: str  # Unit
    unit_price: Decimal
    vat_rate: Decimal
    net: Decimal
    gross: Decimal

    @property
    def vat(self) -> Decimal:
        return self.gross - self.net


def total_net(lines: Sequence[PricedLine]) -> Decimal:
    return sum((line.net for line in lines), Decimal("0.00"))


def total_gross(lines: Sequence[PricedLine]) -> Decimal:
    return sum((line.gross for line in lines), Decimal("0.00"))


def money(amount: Decimal) -> str:
    """An amount in the active language's number format ("1.234,50 €" / "1,234.50 €")."""
    return gettext("%(amount)s €") % {"amount": formats.number_format(amount, 2, use_l10n=True, force_grouping=True)}


def rental_days(*, starts_at: datetime, ends_at: datetime | None) -> int:
    """Started 24 h units from pick-up, less the grace; at least 1; an open end counts 30."""
    if ends_at is None:
        return MONTH // DAY
    duration = ends_at - starts_at
    return max(1, math.ceil((duration - GRACE) / DAY))


def price(
    *,
    tariff: Tariff,
    starts_at: datetime,
    ends_at: datetime | None,
    km: int | None = None,
    extras: Sequence[tuple[Extra, int]] = (),
) -> list[PricedLine]:
    """Price a rental under `tariff`: rent lines (cheapest combination), extra km, extras."""
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError(gettext("The return must be after the pick-up."), code="period")
    if km is not None and km < 0:
        raise ValidationError(gettext("Kilometres cannot be negative."), code="km")
    days = rental_days(starts_at=starts_at, ends_at=ends_at)
    lines = _rent_lines(tariff, starts_at, ends_at)
    if km is not None:
        lines += _km_lines(tariff, km, days)
    for extra, quantity in extras:
        if extra.tariff_id is not None and tariff.pk is not None and extra.tariff_id != tariff.pk:
            raise ValueError(f"Extra {extra.pk} belongs to another tariff than {tariff.pk}.")
        lines += _extra_lines(tariff, extra, quantity, days)
    return lines


# --- rent -------------------------------------------------------------------------------------

_UNIT_ORDER = (Unit.MONTH, Unit.WEEK, Unit.WEEKEND, Unit.DAY, Unit.HOUR)


@dataclass(frozen=True)
class _Part:
    unit: str
    count: int
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.count


@dataclass(frozen=True)
class _Candidate:
    parts: tuple[_Part, ...]

    @cached_property
    def cost(self) -> Decimal:
        return sum((part.amount for part in self.parts), Decimal("0"))

    @cached_property
    def sort_key(self) -> tuple[Decimal, int, int]:
        return (self.cost, len(self.parts), sum(part.count for part in self.parts))

    @property
    def single_unit(self) -> bool:
        return len(self.parts) == 1


def _candidate(tariff: Tariff, months: int, weeks: int, days: int, hours: int) -> _Candidate:
    parts = []
    for unit, count, unit_price in (
        (Unit.MONTH, months, tariff.price_per_month),
        (Unit.WEEK, weeks, tariff.price_per_week),
        (Unit.DAY, days, tariff.price_per_day),
        (Unit.HOUR, hours, tariff.price_per_hour),
    ):
        if count:
            parts.append(_Part(unit, count, unit_price))
    return _Candidate(tuple(parts))


def _tails(rest: timedelta, *, first: bool, hour_price: bool) -> list[tuple[int, int]]:
    """(days, hours) covering `rest` after `first`-or-not larger units."""
    if not first and rest <= GRACE:
        return [(0, 0)]
    full_days, remainder = divmod(rest, DAY)
    if remainder == timedelta(0) or (full_days and remainder <= GRACE):
        return [(full_days, 0)]
    tails = [(full_days + 1, 0)]
    if hour_price and remainder < HOUR_LIMIT:
        tails.append((full_days, math.ceil(remainder / HOUR)))
    return tails


def _weekend_applies(starts_at: datetime, ends_at: datetime) -> bool:
    zone = ZoneInfo(settings.TIME_ZONE)
    start = starts_at.astimezone(zone)
    # Days back from the start to the weekend's Friday; None: the start is outside any weekend.
    back = {4: 0, 5: 1, 6: 2, 0: 3}.get(start.weekday())
    if back is None:
        return False
    friday = start.date() - timedelta(days=back)
    window_start = datetime.combine(friday, WEEKEND_START[1], tzinfo=zone)
    window_end = datetime.combine(friday + timedelta(days=3), WEEKEND_END[1], tzinfo=zone)
    return window_start <= start and ends_at - GRACE <= window_end


def _candidates(tariff: Tariff, starts_at: datetime, ends_at: datetime | None) -> list[_Candidate]:
    duration = MONTH if ends_at is None else ends_at - starts_at
    hour_price = tariff.price_per_hour is not None
    max_months = math.ceil(duration / MONTH) if tariff.price_per_month is not None else 0
    candidates = []
    for months in range(max_months + 1):
        after_months = duration - MONTH * months
        # After a month the grace applies; a rental shorter than the grace still needs a unit.
        uncovered = after_months > (GRACE if months else timedelta(0))
        max_weeks = math.ceil(after_months / WEEK) if tariff.price_per_week is not None and uncovered else 0
        for weeks in range(max_weeks + 1):
            rest = after_months - WEEK * weeks
            first = months == 0 and weeks == 0
            for days, hours in _tails(rest, first=first, hour_price=hour_price):
                candidates.append(_candidate(tariff, months, weeks, days, hours))
    if (
        tariff.price_per_weekend is not None
        and ends_at is not None
        and duration <= timedelta(days=3)
        and _weekend_applies(starts_at, ends_at)
    ):
        candidates.append(_Candidate((_Part(Unit.WEEKEND, 1, tariff.price_per_weekend),)))
    return candidates


def _count_text(unit: str, count: int) -> str:
    texts = {
        Unit.HOUR: ngettext("%(count)d hour", "%(count)d hours", count),
        Unit.DAY: ngettext("%(count)d day", "%(count)d days", count),
        Unit.WEEKEND: ngettext("%(count)d weekend", "%(count)d weekends", count),
        Unit.WEEK: ngettext("%(count)d week", "%(count)d weeks", count),
        Unit.MONTH: ngettext("%(count)d month", "%(count)d months", count),
    }
    return texts[unit] % {"count": count}


def _part_text(part: _Part) -> str:
    return gettext("%(count)s at %(price)s") % {
        "count": _count_text(part.unit, part.count),
        "price": money(part.unit_price),
    }


def _candidate_text(candidate: _Candidate) -> str:
    return gettext("%(parts)s = %(total)s") % {
        "parts": " + ".join(_part_text(part) for part in candidate.parts),
        "total": money(candidate.cost),
    }


def _rent_explanation(winner: _Candidate, candidates: list[_Candidate], open_end: bool) -> str:
    text = _candidate_text(winner)
    beaten = [c for c in candidates if c.single_unit and c.cost > winner.cost]
    if beaten:
        runner_up = min(beaten, key=lambda c: c.sort_key)
        text = gettext("%(winner)s; cheaper than %(other)s") % {"winner": text, "other": _candidate_text(runner_up)}
    if winner.parts[0].unit == Unit.WEEKEND:
        text = gettext("Weekend (Fri 12:00 – Mon 09:00): %(text)s") % {"text": text}
    if open_end:
        text = gettext("Open end: the first month (30 days) is priced. %(text)s") % {"text": text}
    return text


def _rent_lines(tariff: Tariff, starts_at: datetime, ends_at: datetime | None) -> list[PricedLine]:
    candidates = _candidates(tariff, starts_at, ends_at)
    winner = min(candidates, key=lambda c: c.sort_key)
    explanation = _rent_explanation(winner, candidates, ends_at is None)
    parts = sorted(winner.parts, key=lambda part: _UNIT_ORDER.index(part.unit))
    lines = []
    for index, part in enumerate(parts):
        lines.append(
            _line(
                tariff,
                kind=LineKind.RENT,
                description=gettext("%(tariff)s: %(count)s")
                % {"tariff": tariff.name, "count": _count_text(part.unit, part.count)},
                explanation=explanation if index == 0 else gettext("Part of the rental price above."),
                quantity=Decimal(part.count),
                unit=part.unit,
                unit_price=part.unit_price,
            )
        )
    return lines


# --- km and extras ------------------------------------------------------------------------------


def _km_lines(tariff: Tariff, km: int, days: int) -> list[PricedLine]:
    included = tariff.included_km_per_day * days
    extra_km = max(0, km - included)
    if not extra_km or not tariff.price_per_extra_km:
        return []
    explanation = gettext(
        "%(km)s km, of which %(included)s km included (%(days)s × %(per_day)s km): "
        "%(extra)s km at %(price)s = %(total)s"
    ) % {
        "km": formats.number_format(km, 0, use_l10n=True, force_grouping=True),
        "included": formats.number_format(included, 0, use_l10n=True, force_grouping=True),
        "days": _count_text(Unit.DAY, days),
        "per_day": tariff.included_km_per_day,
        "extra": formats.number_format(extra_km, 0, use_l10n=True, force_grouping=True),
        "price": formats.number_format(tariff.price_per_extra_km, 3, use_l10n=True) + " €",
        "total": money(tariff.price_per_extra_km * extra_km),
    }
    return [
        _line(
            tariff,
            kind=LineKind.KM,
            description=gettext("Extra kilometres"),
            explanation=explanation,
            quantity=Decimal(extra_km),
            unit=Unit.KM,
            unit_price=tariff.price_per_extra_km,
        )
    ]


def _extra_lines(tariff: Tariff, extra: Extra, quantity: int, days: int) -> list[PricedLine]:
    if quantity <= 0 or not extra.price:
        return []
    prefix = f"{quantity} × " if quantity > 1 else ""
    if extra.charge == "per_rental":
        explanation = gettext("%(prefix)s%(price)s per rental = %(total)s") % {
            "prefix": prefix,
            "price": money(extra.price),
            "total": money(extra.price * quantity),
        }
        return [
            _line(
                tariff,
                kind=LineKind.EXTRA,
                description=extra.name,
                explanation=explanation,
                quantity=Decimal(quantity),
                unit=Unit.RENTAL,
                unit_price=extra.price,
            )
        ]
    amount = extra.price * days * quantity
    explanation = gettext("%(prefix)s%(days)s at %(price)s = %(total)s") % {
        "prefix": prefix,
        "days": _count_text(Unit.DAY, days),
        "price": money(extra.price),
        "total": money(amount),
    }
    if extra.max_price is not None and amount > extra.max_price * quantity:
        explanation = gettext("%(text)s, capped at %(max)s per rental") % {
            "text": explanation,
            "max": money(extra.max_price),
        }
        return [
            _line(
                tariff,
                kind=LineKind.EXTRA,
                description=extra.name,
                explanation=explanation,
                quantity=Decimal(quantity),
                unit=Unit.RENTAL,
                unit_price=extra.max_price,
            )
        ]
    return [
        _line(
            tariff,
            kind=LineKind.EXTRA,
            description=extra.name,
            explanation=explanation,
            quantity=Decimal(days * quantity),
            unit=Unit.DAY,
            unit_price=extra.price,
        )
    ]


def _line(
    tariff: Tariff, *, kind: str, description: str, explanation: str, quantity: Decimal, unit: str, unit_price: Decimal
) -> PricedLine:
    amount = quantity * unit_price
    rate = Decimal(tariff.vat_rate)
    if tariff.prices_include_vat:
        gross = amount.quantize(CENT, rounding=ROUND_HALF_UP)
        net = (gross * HUNDRED / (HUNDRED + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        net = amount.quantize(CENT, rounding=ROUND_HALF_UP)
        gross = (net * (HUNDRED + rate) / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
    return PricedLine(
        kind=kind,
        description=description[:200],
        explanation=explanation,
        quantity=quantity,
        unit=unit,
        unit_price=unit_price,
        vat_rate=rate,
        net=net,
        gross=gross,
    )

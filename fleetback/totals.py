"""Work-list amounts: one pure module, no database.

A line's price is entered with or without VAT and may carry a discount (an amount in the same
basis as the price, or a percentage). The exact discounted net and gross are computed without
intermediate rounding, each is rounded **once** to cents (half up), and the VAT is their
difference, so gross = net + VAT holds on every line. A discount never exceeds the price (an
amount is capped at it, a percentage at 100), so no line is negative. Sums add rounded lines
and never round again: what the customer sees per line adds up to the total.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class Line:
    net: Decimal
    vat: Decimal
    gross: Decimal
    discount_gross: Decimal  # how much the discount takes off the gross (shown to the customer)


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line(
    *,
    price: Decimal,
    includes_vat: bool,
    vat_rate: Decimal,
    discount_kind: str = "",
    discount_value: Decimal = ZERO,
) -> Line:
    if price < 0 or vat_rate < 0 or discount_value < 0:
        raise ValueError("price, VAT rate and discount are never negative")
    factor = 1 + vat_rate / HUNDRED
    if discount_kind == "percent":
        base = price * (1 - min(discount_value, HUNDRED) / HUNDRED)
    elif discount_kind == "amount":
        base = price - min(discount_value, price)
    else:
        base = price
    if includes_vat:
        exact_gross, exact_net, undiscounted_gross = base, base / factor, price
    else:
        exact_gross, exact_net, undiscounted_gross = base * factor, base, price * factor
    gross, net = _round(exact_gross), _round(exact_net)
    return Line(net=net, vat=gross - net, gross=gross, discount_gross=_round(undiscounted_gross) - gross)


@dataclass(frozen=True)
class Totals:
    net: Decimal = ZERO
    vat: Decimal = ZERO
    gross: Decimal = ZERO


def add(lines: Iterable[Line]) -> Totals:
    net = vat = gross = ZERO
    for item in lines:
        net, vat, gross = net + item.net, vat + item.vat, gross + item.gross
    return Totals(net=net, vat=vat, gross=gross)


def item_line(item) -> Line:
    """The line of a work item (a model row or anything with its fields)."""
    return line(
        price=item.price,
        includes_vat=item.price_includes_vat,
        vat_rate=item.vat_rate,
        discount_kind=item.discount_kind,
        discount_value=item.discount_value,
    )


def proposed(items: Iterable) -> Totals:
    """What the dealership proposes: the chargeable (recommended and urgent) items."""
    return add(item_line(i) for i in items if i.urgency in ("recommended", "urgent"))


def accepted(items: Iterable) -> Totals:
    """What the customer approved."""
    return add(item_line(i) for i in items if i.urgency in ("recommended", "urgent") and i.decision == "approved")

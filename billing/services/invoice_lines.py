"""Invoice lines: `LineSpec` (a line as the caller wants it printed) and how lines are checked and
written to a document, its totals summed from them.

Amounts come rounded to cents (`LineSpec.gross_amount` splits a gross amount like contracts' pricing);
a value the columns cannot hold is refused with a ValidationError naming the line, never cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from contracts.pricing import PricedLine
from vehicles.models import Damage

from ..models import Invoice, InvoiceLine

__all__ = ["LineSpec"]

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
# The model's columns hold 12 digits with 2 places; a line beyond that is refused, not cut.
MONEY_LIMIT = Decimal("9999999999.99")
MAX_LINES = 200


@dataclass(frozen=True)
class LineSpec:
    """One line as the caller wants it printed; amounts already rounded to cents (negative on a credit)."""

    kind: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_rate: Decimal
    net: Decimal
    gross: Decimal
    explanation: str = ""
    damage: Damage | None = None
    deducts: Invoice | None = None

    @property
    def vat(self) -> Decimal:
        return self.gross - self.net

    @classmethod
    def from_priced(cls, line: PricedLine) -> LineSpec:
        return cls(
            kind=line.kind,
            description=line.description,
            explanation=line.explanation,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            net=line.net,
            gross=line.gross,
        )

    @classmethod
    def gross_amount(
        cls,
        *,
        kind: str,
        description: str,
        gross: Decimal,
        vat_rate: Decimal,
        damage: Damage | None = None,
        explanation: str = "",
        deducts: Invoice | None = None,
    ) -> LineSpec:
        """A line of one gross amount; net and VAT split and rounded like contracts' pricing does."""
        gross = Decimal(gross).quantize(CENT, rounding=ROUND_HALF_UP)
        rate = Decimal(vat_rate)
        net = (gross * HUNDRED / (HUNDRED + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
        return cls(
            kind=kind,
            description=description,
            explanation=explanation,
            quantity=Decimal("1"),
            unit="",
            unit_price=gross,
            vat_rate=rate,
            net=net,
            gross=gross,
            damage=damage,
            deducts=deducts,
        )


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError({"lines": _("Enter a number for %(field)s.") % {"field": field}}) from exc
    if not number.is_finite():
        raise ValidationError({"lines": _("Enter a number for %(field)s.") % {"field": field}})
    return number


def _line_checked(spec: LineSpec, position: int) -> dict[str, Any]:
    """The line's values as stored, or a ValidationError naming the line (never a silently cut value)."""
    label = _("line %(n)d") % {"n": position + 1}
    description = (spec.description or "").strip()
    if not description or "\x00" in description or len(description) > 200:
        raise ValidationError(
            {"lines": _("%(line)s: enter a description of at most 200 characters.") % {"line": label}}
        )
    if spec.kind not in InvoiceLine.Kind.values:
        raise ValidationError({"lines": _("%(line)s: unknown kind of line.") % {"line": label}})
    quantity, unit_price = _decimal(spec.quantity, "quantity"), _decimal(spec.unit_price, "unit price")
    net, gross, rate = _decimal(spec.net, "net"), _decimal(spec.gross, "gross"), _decimal(spec.vat_rate, "VAT")
    if not Decimal("0") <= rate <= HUNDRED:
        raise ValidationError({"lines": _("%(line)s: the VAT rate lies between 0 and 100 %%.") % {"line": label}})
    if net != net.quantize(CENT) or gross != gross.quantize(CENT):
        raise ValidationError({"lines": _("%(line)s: amounts are whole cents.") % {"line": label}})
    if max(abs(net), abs(gross), abs(unit_price), abs(quantity) * 1000) > MONEY_LIMIT:
        raise ValidationError({"lines": _("%(line)s: the amount is too large.") % {"line": label}})
    return {
        "position": position,
        "kind": spec.kind,
        "description": description,
        "explanation": (spec.explanation or "")[:2000],
        "quantity": quantity,
        "unit": (spec.unit or "")[:20],
        "unit_price": unit_price,
        "vat_rate": rate,
        "net": net,
        "vat": gross - net,
        "gross": gross,
        "damage": spec.damage,
        "deducts": spec.deducts,
    }


def _lines_write(invoice: Invoice, lines: Sequence[LineSpec]) -> None:
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": _("An invoice has at most %(n)d lines.") % {"n": MAX_LINES}})
    rows = [InvoiceLine(invoice=invoice, **_line_checked(spec, n)) for n, spec in enumerate(lines)]
    for row in rows:
        if row.damage is not None and row.damage.organization_id != invoice.organization_id:
            raise ValidationError({"lines": _("The damage belongs to another organization.")})
        if row.deducts is not None and row.deducts.organization_id != invoice.organization_id:
            raise ValidationError({"lines": _("The deducted invoice belongs to another organization.")})
    InvoiceLine.objects.filter(invoice=invoice).delete()
    InvoiceLine.objects.bulk_create(rows)
    invoice.net_total = sum((r.net for r in rows), Decimal("0.00"))
    invoice.vat_total = sum((r.vat for r in rows), Decimal("0.00"))
    invoice.gross_total = sum((r.gross for r in rows), Decimal("0.00"))

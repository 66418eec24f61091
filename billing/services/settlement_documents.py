"""The settlement's final document: the re-priced rental and the charges, the booking invoice deducted.

When the deduction makes it negative (paid more at booking than the rental came to) it is a credit
note; credit notes carry negative totals (docs/billing.md, conventions).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from ..models import Invoice, InvoiceLine, Settlement, SettlementCharge
from .invoice_lines import LineSpec
from .invoices import billing_settings_get, invoice_create_and_issue
from .settlement_breakdown import ZERO, Breakdown

CHARGE_LINE_KINDS: dict[str, str] = {
    SettlementCharge.Kind.DAMAGE: InvoiceLine.Kind.DAMAGE,
    SettlementCharge.Kind.FUEL: InvoiceLine.Kind.FUEL,
    SettlementCharge.Kind.CLEANING: InvoiceLine.Kind.CLEANING,
    SettlementCharge.Kind.OTHER: InvoiceLine.Kind.FREE,
}


def _advance_lines(advance: Invoice) -> list[LineSpec]:
    """One negative line per VAT rate of the advance invoice, so VAT per rate stays right."""
    per_rate: dict[Decimal, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for line in advance.lines.all():
        per_rate[line.vat_rate][0] += line.net
        per_rate[line.vat_rate][1] += line.gross
    date = formats.date_format(advance.issue_date, "SHORT_DATE_FORMAT") if advance.issue_date else ""
    description = _("Less advance invoice %(number)s of %(date)s") % {"number": advance.number, "date": date}
    return [
        LineSpec(
            kind=InvoiceLine.Kind.ADVANCE,
            description=description[:200],
            quantity=Decimal("1"),
            unit="",
            unit_price=-gross,
            vat_rate=rate,
            net=-net,
            gross=-gross,
            deducts=advance,
        )
        for rate, (net, gross) in sorted(per_rate.items())
        if gross or net
    ]


def final_lines(settlement: Settlement, breakdown: Breakdown) -> list[LineSpec]:
    settings = billing_settings_get(organization=settlement.contract.organization)
    lines = [LineSpec.from_priced(line) for line in breakdown.lines]
    for charge in breakdown.charges:
        if charge.amount <= 0:
            continue
        lines.append(
            LineSpec.gross_amount(
                kind=CHARGE_LINE_KINDS.get(charge.kind, InvoiceLine.Kind.FREE),
                description=charge.description,
                gross=charge.amount,
                vat_rate=settings.vat_rate,
                damage=charge.damage,
            )
        )
    for advance in breakdown.advance_invoices:
        lines.extend(_advance_lines(advance))
    return lines


def final_invoice_issue(*, settlement: Settlement, breakdown: Breakdown) -> Invoice:
    """Issue (and e-mail) the final document once; a repeated step finds the issued one."""
    contract = settlement.contract
    existing = Invoice.objects.filter(contract=contract, purpose=Invoice.Purpose.FINAL).first()
    if existing is not None:
        return existing
    lines = final_lines(settlement, breakdown)
    total = sum((line.gross for line in lines), ZERO)
    return invoice_create_and_issue(
        actor=None,
        customer=contract.customer,
        contract=contract,
        purpose=Invoice.Purpose.FINAL,
        lines=lines,
        kind=Invoice.Kind.CREDIT_NOTE if total < 0 else Invoice.Kind.INVOICE,
        station=contract.return_station,
        send=True,
    )

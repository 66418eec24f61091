"""An issued document's payment status, recomputed from the money rows (bcore, bopen and bsettle call
it after money moved; it is the only writer of `payment_status`/`paid_at`).

- An invoice is *credited* once a cancellation credit note points to it. Otherwise it is *paid* when
  its succeeded payments (`Payment.invoice`) minus their succeeded refunds cover the gross total,
  *partly paid* when something came in, else *open*. A zero invoice is paid at issue.
- A credit note owes the customer its amount — a cancellation only as much as was paid on the
  invoice it cancels. It is *credited* once succeeded refunds (linked to it, or on the cancelled
  invoice's payments without a credit note of their own) cover that, *partly paid* in between.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone

from ..models import Invoice, Payment, Refund

ZERO = Decimal("0.00")


def _succeeded_payments(invoice: Invoice) -> tuple[Decimal, dt.datetime | None]:
    row = Payment.objects.filter(
        organization_id=invoice.organization_id, invoice=invoice, state=Payment.State.SUCCEEDED
    ).aggregate(total=Sum("amount"), last=Max("succeeded_at"))
    return row["total"] or ZERO, row["last"]


def _refunds(condition: Q, organization_id: int) -> tuple[Decimal, dt.datetime | None]:
    row = (
        Refund.objects.filter(organization_id=organization_id, state=Refund.State.SUCCEEDED)
        .filter(condition)
        .aggregate(total=Sum("amount"), last=Max("succeeded_at"))
    )
    return row["total"] or ZERO, row["last"]


def _invoice_status(invoice: Invoice) -> tuple[str, dt.datetime | None]:
    if Invoice.objects.filter(
        organization_id=invoice.organization_id,
        corrects=invoice,
        purpose=Invoice.Purpose.CANCELLATION,
        status=Invoice.Status.ISSUED,
    ).exists():
        return Invoice.PaymentStatus.CREDITED, invoice.paid_at
    paid, last = _succeeded_payments(invoice)
    refunded, _last_refund = _refunds(Q(payment__invoice=invoice), invoice.organization_id)
    received = paid - refunded
    if received >= invoice.gross_total:
        return Invoice.PaymentStatus.PAID, invoice.paid_at or last or timezone.now()
    if received > 0:
        return Invoice.PaymentStatus.PARTLY_PAID, None
    return Invoice.PaymentStatus.OPEN, None


def _credit_note_status(invoice: Invoice) -> tuple[str, dt.datetime | None]:
    owed = -invoice.gross_total
    condition = Q(credit_note=invoice)
    if invoice.corrects_id is not None and invoice.purpose == Invoice.Purpose.CANCELLATION:
        corrected = Invoice(pk=invoice.corrects_id, organization_id=invoice.organization_id)
        paid, _last = _succeeded_payments(corrected)
        owed = min(owed, paid)
        condition |= Q(credit_note__isnull=True, payment__invoice_id=invoice.corrects_id)
    refunded, last = _refunds(condition, invoice.organization_id)
    if refunded >= owed:
        return Invoice.PaymentStatus.CREDITED, invoice.paid_at or last or timezone.now()
    if refunded > 0:
        return Invoice.PaymentStatus.PARTLY_PAID, None
    return Invoice.PaymentStatus.OPEN, None


@transaction.atomic
def invoice_payment_status_refresh(*, invoice: Invoice) -> Invoice:
    """Recompute and store `payment_status` and `paid_at` (a draft is left alone)."""
    locked = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk, organization_id=invoice.organization_id)
    if locked.is_draft:
        return locked
    if locked.kind == Invoice.Kind.CREDIT_NOTE:
        status, paid_at = _credit_note_status(locked)
    else:
        status, paid_at = _invoice_status(locked)
    if (status, paid_at) != (locked.payment_status, locked.paid_at):
        locked.payment_status, locked.paid_at = status, paid_at
        locked.save(update_fields=["payment_status", "paid_at", "updated_at"])
    invoice.payment_status, invoice.paid_at = locked.payment_status, locked.paid_at
    return locked

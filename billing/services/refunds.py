"""Refunds: never more than was paid minus what was already refunded, one per intended click.

`refund_create` locks the payment row, so two refunds of one payment are decided one after the
other and the second sees the first; the provider call runs in a task with the refund's own key
(`refund:<uuid>`).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from rentoffice.models import Membership

from ..models import Invoice, Payment, Refund
from ..provider import PaymentProviderError, ProviderUnavailable
from .invoice_status import invoice_payment_status_refresh
from .payments import money_checked, on_commit_task, provider_of, require_billing_change

logger = logging.getLogger(__name__)

# The same refund (amount and reason) of a payment asked for again within this window is the same
# click arriving twice (a double click, a resubmitted form): it gets the first refund back.
DOUBLE_CLICK = dt.timedelta(minutes=2)
PROVIDER_METHODS = (Payment.Method.CARD, Payment.Method.STORED_CARD)


def refundable(payment: Payment) -> Decimal:
    """What may still be refunded: the paid amount less refunds that are not failed."""
    if payment.state != Payment.State.SUCCEEDED:
        return Decimal("0.00")
    taken = payment.refunds.exclude(state=Refund.State.FAILED).aggregate(total=Sum("amount"))["total"]
    return payment.amount - (taken or Decimal("0"))


def refund_create(
    *, actor: Membership | None, payment: Payment, amount: Decimal, reason: str, credit_note: Invoice | None = None
) -> Refund:
    """Refund (part of) a payment; card payments go back through the provider in a task."""
    require_billing_change(actor, organization_id=payment.organization_id, contract=payment.contract)
    if credit_note is not None and (
        credit_note.organization_id != payment.organization_id or credit_note.kind != Invoice.Kind.CREDIT_NOTE
    ):
        raise ValidationError({"credit_note": _("Choose a credit note of this organization.")})
    value = money_checked(amount)
    reason = (reason or "").strip()
    if len(reason) > 300 or "\x00" in reason:
        raise ValidationError({"reason": _("Use at most 300 characters.")})
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        repeated = (
            Refund.objects.filter(
                payment=locked, amount=value, reason=reason, created_at__gte=timezone.now() - DOUBLE_CLICK
            )
            .exclude(state=Refund.State.FAILED)
            .order_by("-pk")
            .first()
        )
        if repeated is not None:
            return repeated
        if locked.state != Payment.State.SUCCEEDED:
            raise ValidationError({"amount": _("Only a received payment can be refunded.")})
        left = refundable(locked)
        if value > left:
            raise ValidationError(
                {"amount": _("At most %(left)s € of this payment can still be refunded.") % {"left": left}}
            )
        refund = Refund.objects.create(
            organization_id=locked.organization_id,
            payment=locked,
            credit_note=credit_note,
            amount=value,
            reason=reason,
            created_by=actor.user if actor else None,
        )
        if locked.method in PROVIDER_METHODS and locked.provider_id:
            on_commit_task("refund_send", organization_id=refund.organization_id, refund_id=refund.pk)
        else:
            # Cash or a transfer: staff pay it out themselves; the row records that they did.
            _succeeded(refund)
    return refund


def refund_run(*, refund: Refund) -> Refund:
    """The task's work: ask the provider once (row lock + the refund's key)."""
    provider = provider_of(refund.organization_id)
    with transaction.atomic():
        locked = Refund.objects.select_for_update(of=("self",)).select_related("payment").get(pk=refund.pk)
        if locked.state in Refund.FINAL_STATES or locked.provider_id:
            return locked
        locked.attempts += 1
        try:
            info = provider.refund(
                intent_id=locked.payment.provider_id,
                amount=locked.amount,
                idempotency_key=locked.idempotency_key,
                metadata={"kind": "refund", "refund_uuid": str(locked.uuid)},
            )
        except ProviderUnavailable:
            raise
        except PaymentProviderError as exc:
            locked.state = Refund.State.FAILED
            locked.failure_message = (exc.message or exc.code or "")[:300]
            locked.save()
            return locked
        locked.provider_id = info.id
        _apply_status(locked, info.status)
    return locked


def refund_sync(*, refund: Refund) -> Refund:
    if not refund.provider_id:
        return refund
    info = provider_of(refund.organization_id).refund_get(refund.provider_id)
    with transaction.atomic():
        locked = Refund.objects.select_for_update().get(pk=refund.pk)
        if locked.state not in Refund.FINAL_STATES:
            _apply_status(locked, info.status)
    refund.refresh_from_db()
    return refund


def _apply_status(locked: Refund, status: str) -> None:
    if status == "succeeded":
        _succeeded(locked)
        return
    if status in ("failed", "canceled"):
        locked.state = Refund.State.FAILED
    else:
        locked.state = Refund.State.PENDING
    locked.save()


def _succeeded(refund: Refund) -> None:

    refund.state = Refund.State.SUCCEEDED
    refund.succeeded_at = timezone.now()
    refund.save()
    invoice_id = Payment.objects.filter(pk=refund.payment_id).values_list("invoice_id", flat=True).first()
    if invoice_id is not None:
        invoice_payment_status_refresh(invoice=Invoice.objects.get(pk=invoice_id))

"""The settlement's money step: what is still open after everything received is charged on the
stored card, or a credit refunded on the card payments of the contract (docs/billing.md "Settlement").

The charge and the refund run in bcore's tasks; the step is re-entered (`settlement.settlement_advance`)
and waits while the payment or refund it started is not final, so nothing is charged or refunded twice.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import Invoice, Payment, Refund, Settlement
from .settlement_breakdown import ZERO, money_received


def _total_due(settlement: Settlement) -> Decimal:
    return Decimal(settlement.breakdown.get("total_due", "0"))


def _step_money(settlement: Settlement) -> bool:
    if settlement.payment_id is not None and _payment_waits(settlement):
        return False
    if settlement.refund_id is not None and _refund_waits(settlement):
        return False
    open_amount = _total_due(settlement) - money_received(settlement.contract)
    if open_amount > 0:
        _charge(settlement, open_amount)
        return False
    if open_amount < 0:
        # A credit larger than any one card payment is paid back from several, one after the other
        # (each refund waits above until the provider confirms it, so nothing is refunded twice).
        _refund(settlement, -open_amount)
        return False
    return True


def _payment_waits(settlement: Settlement) -> bool:
    payment = Payment.objects.select_for_update().get(pk=settlement.payment_id or 0)
    if payment.state == Payment.State.SUCCEEDED:
        return False
    if payment.state in (Payment.State.OPEN, Payment.State.FAILED, Payment.State.CANCELLED):
        if _total_due(settlement) - money_received(settlement.contract) <= 0:
            return False  # recorded by staff or paid otherwise in the meantime
        if payment.state == Payment.State.OPEN:
            raise ValidationError(
                _(
                    "The stored card was declined (%(reason)s); the customer has been sent a pay link. "
                    "Record a payment, or retry once the customer has paid."
                )
                % {"reason": payment.failure_message or payment.failure_code or _("no reason given")}
            )
        return False  # a failed charge: the money step charges again
    return True


def _refund_waits(settlement: Settlement) -> bool:
    refund = Refund.objects.select_for_update().get(pk=settlement.refund_id or 0)
    if refund.state == Refund.State.FAILED:
        raise ValidationError(
            _("The refund failed: %(reason)s") % {"reason": refund.failure_message or _("no reason given")}
        )
    return refund.state != Refund.State.SUCCEEDED


def _charge(settlement: Settlement, amount: Decimal) -> None:
    from .payments import stored_card_current
    from .stored_card_charges import stored_card_charge

    contract = settlement.contract
    # The card stored at booking is the renter's (bcore keeps it for the contract's customer).
    customer = contract.customer
    if stored_card_current(customer=customer) is None:
        raise ValidationError(
            _("%(amount)s € are open and the customer has no stored card. Record a payment or waive.")
            % {"amount": amount}
        )
    settlement.payment = stored_card_charge(
        actor=None,
        customer=customer,
        amount=amount,
        description=_("Settlement of contract %(number)s") % {"number": contract.number},
        contract=contract,
        invoice=settlement.final_invoice,
        purpose=Payment.Purpose.SETTLEMENT,
    )
    settlement.save(update_fields=["payment", "updated_at"])


def _refund(settlement: Settlement, amount: Decimal) -> None:
    from .refunds import refund_create

    found = _refundable_payment(settlement)
    if found is None:
        raise ValidationError(
            _(
                "%(amount)s € are to be paid back and no card payment of the contract covers it. Pay it back by hand and waive."
            )
            % {"amount": amount}
        )
    payment, left = found
    final = settlement.final_invoice
    settlement.refund = refund_create(
        actor=None,
        payment=payment,
        amount=min(amount, left),
        reason=_("Settlement of contract %(number)s") % {"number": settlement.contract.number},
        credit_note=final if final is not None and final.kind == Invoice.Kind.CREDIT_NOTE else None,
    )
    settlement.save(update_fields=["refund", "updated_at"])


def _refundable_payment(settlement: Settlement) -> tuple[Payment, Decimal] | None:
    """The card payment of the contract with the most left to refund, and how much that is."""
    best: tuple[Payment, Decimal] | None = None
    card_methods = (Payment.Method.CARD, Payment.Method.STORED_CARD)
    payments = Payment.objects.filter(
        contract=settlement.contract, state=Payment.State.SUCCEEDED, method__in=card_methods
    ).exclude(purpose=Payment.Purpose.DEPOSIT)
    for payment in payments:
        refunded = sum(
            (r.amount for r in payment.refunds.exclude(state=Refund.State.FAILED)),
            ZERO,
        )
        left = payment.amount - refunded
        if left > 0 and (best is None or left > best[1]):
            best = (payment, left)
    return best

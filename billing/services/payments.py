"""Card payments: the booking's one day's rent, syncing with the provider, and what the other money
services share (amount checks, rights, the provider, stored cards). Later charges on the stored card
and their pay links are in `stored_card_charges`.

The provider's PaymentIntent is the truth about money; our `Payment` row follows it through
`payment_sync` (return page, webhook, task). Every provider call that creates or moves money sends
the row's own idempotency key (`payment:<uuid>`), so a repeated call — a double click, a retried
task, a worker killed mid-call — gets the provider's first answer back instead of a second charge.

Work the system does on its own (webhook, task, settlement in automatic mode) passes `actor=None`.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Contract
from contracts.pricing import price, total_gross
from customers.models import Customer
from rentoffice.authorization import require, require_station
from rentoffice.models import Membership

from ..models import DepositHold, Invoice, Payment, ProviderCustomer, StoredCard
from ..provider import Intent, PaymentProvider, provider_for
from .invoice_lines import LineSpec
from .invoice_status import invoice_payment_status_refresh
from .invoices import billing_settings_get, invoice_create_and_issue

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
# A single card payment above this is a typing error, not a rental (field error, never a 500).
MAX_AMOUNT = Decimal("100000.00")
OPEN_STATES = (
    Payment.State.CREATED,
    Payment.State.PENDING,
    Payment.State.REQUIRES_ACTION,
    Payment.State.PROCESSING,
)
# Stripe's PaymentIntent status → our state (requires_payment_method: waiting for a (new) card).
INTENT_STATES = {
    "requires_payment_method": Payment.State.PENDING,
    "requires_confirmation": Payment.State.PENDING,
    "requires_action": Payment.State.REQUIRES_ACTION,
    "processing": Payment.State.PROCESSING,
    "requires_capture": Payment.State.PROCESSING,
    "succeeded": Payment.State.SUCCEEDED,
    "canceled": Payment.State.CANCELLED,
}


# --- shared by holds, refunds, webhooks and later charges ---------------------------------------


def money_checked(amount: Any, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A positive amount in euros with at most two decimals; anything else is a field error.

    More decimals are refused rather than rounded: a silently changed amount is worse than a question.
    """
    try:
        value = Decimal(str(amount).strip().replace(",", ".")) if not isinstance(amount, Decimal) else amount
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError({field: _("Enter an amount in euros, e.g. 49.90.")}) from exc
    if not value.is_finite():
        raise ValidationError({field: _("Enter an amount in euros, e.g. 49.90.")})
    if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValidationError({field: _("Enter the amount with at most two decimals.")})
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationError({field: _("Enter an amount greater than zero.")})
    if value > MAX_AMOUNT:
        raise ValidationError({field: _("Enter an amount of at most 100,000.00 €.")})
    return value.quantize(CENT)


def require_contract_handling(actor: Membership | None, contract: Contract) -> None:
    """Taking the booking's payment and deposit is part of handling the contract (contracts.change)."""
    if actor is None:  # the system itself (task, webhook, automatic settlement)
        return
    require(actor, "contracts.change", organization_id=contract.organization_id)
    require_station(actor, contract.pickup_station_id, contract.return_station_id)


def require_billing_change(actor: Membership | None, *, organization_id: int, contract: Contract | None) -> None:
    if actor is None:
        return
    require(actor, "billing.change", organization_id=organization_id)
    if contract is not None:
        require_station(actor, contract.pickup_station_id, contract.return_station_id)


def on_commit_task(task_name: str, **kwargs: Any) -> None:
    """Hand a task to the workers once the surrounding transaction committed (never a rolled-back row).

    A broker that is down only logs: the row stays in its state and the sweep of its kind (or the
    next sync) picks it up again.
    """
    from ..tasks import payments as tasks

    task = getattr(tasks, task_name)

    def send() -> None:
        try:
            task.delay(**kwargs)
        except Exception:
            logger.exception("billing: could not enqueue %s %s", task_name, kwargs)

    transaction.on_commit(send)


def provider_of(organization_id: int) -> PaymentProvider:
    from rentoffice.models import Organization

    return provider_for(Organization.objects.get(pk=organization_id))


def provider_customer_ensure(*, customer: Customer, provider: PaymentProvider) -> ProviderCustomer:
    """The provider's customer for ours, created once (the key is the customer's own row)."""
    existing = ProviderCustomer.objects.filter(organization_id=customer.organization_id, customer=customer).first()
    if existing is not None:
        return existing
    provider_id = provider.customer_create(
        name=customer.display_name,
        email=customer.email_for("invoice") if customer.email else "",
        idempotency_key=f"customer:{customer.organization_id}:{customer.pk}",
        metadata={"customer_id": str(customer.pk), "customer_number": str(customer.number)},
    )
    # The idempotency key gives two racing callers the same cus_…; only one row is kept.
    row, _created = ProviderCustomer.objects.get_or_create(
        customer=customer, defaults={"organization_id": customer.organization_id, "provider_id": provider_id}
    )
    return row


def stored_card_save(*, customer: Customer, payment_method_id: str, provider: PaymentProvider) -> StoredCard | None:
    """Keep the card the customer agreed to store (once per customer and card)."""
    if not payment_method_id:
        return None
    existing = StoredCard.objects.filter(customer=customer, provider_id=payment_method_id).first()
    if existing is not None:
        return existing
    card = provider.card_get(payment_method_id)
    row, _created = StoredCard.objects.get_or_create(
        customer=customer,
        provider_id=payment_method_id,
        defaults={
            "organization_id": customer.organization_id,
            "brand": card.brand[:30],
            "last4": card.last4[:4],
            "exp_month": card.exp_month or None,
            "exp_year": card.exp_year or None,
        },
    )
    return row


def stored_card_current(*, customer: Customer) -> StoredCard | None:
    return StoredCard.objects.filter(customer=customer, removed_at__isnull=True).order_by("-created_at", "-pk").first()


# --- the booking's payment ----------------------------------------------------------------------


def booking_amount(*, contract: Contract) -> Decimal:
    """One day's rent under the contract's tariff (the pricing function's answer for 24 hours)."""
    if contract.tariff is None:
        return Decimal("0.00")
    lines = price(tariff=contract.tariff, starts_at=contract.starts_at, ends_at=contract.starts_at + dt.timedelta(1))
    return total_gross([line for line in lines if line.kind == "rent"])


def booking_payment_start(*, actor: Membership | None, contract: Contract) -> Payment:
    """The booking's card payment (one day's rent, card saved for later) with its client secret.

    An open booking payment of the contract is handed back again (no second intent). When the
    organization does not take one day's rent at booking, or the tariff has no price, only the
    card is needed for the deposit: the payment is then refused with a field error and the
    deposit is placed with `hold_place` on a card saved by other means.
    """
    require_contract_handling(actor, contract)

    provider = provider_of(contract.organization_id)  # PaymentsNotConfigured: the page says so
    with transaction.atomic():
        locked = Contract.objects.select_for_update(of=("self",)).select_related("tariff").get(pk=contract.pk)
        if locked.status not in (Contract.Status.RESERVED, Contract.Status.CHECKED_OUT):
            raise ValidationError(_("Only a reserved or running contract can be paid by card."))
        payment = (
            Payment.objects.filter(contract=locked, purpose=Payment.Purpose.BOOKING)
            .exclude(state__in=(Payment.State.FAILED, Payment.State.CANCELLED))
            .order_by("-pk")
            .first()
        )
        if payment is not None and payment.state == Payment.State.SUCCEEDED:
            raise ValidationError(_("The booking has been paid already."))
        if payment is None:
            if not billing_settings_get(organization=locked.organization).charge_first_day:
                raise ValidationError(_("This organization does not charge one day's rent at booking."))
            amount = booking_amount(contract=locked)
            if amount <= 0:
                raise ValidationError(_("The contract's tariff has no day price to charge."))
            payment = Payment.objects.create(
                organization_id=locked.organization_id,
                customer_id=locked.customer_id,
                contract=locked,
                method=Payment.Method.CARD,
                purpose=Payment.Purpose.BOOKING,
                amount=amount,
                description=_("One day's rent, contract %(number)s") % {"number": locked.number},
                created_by=actor.user if actor else None,
            )
    if payment.provider_id:
        return payment
    return _booking_intent(payment=payment, provider=provider)


def _intent_create(*, payment: Payment, provider: PaymentProvider, save_card: bool, key_suffix: str = "") -> Intent:
    """Create the intent the customer confirms in the Payment Element (same key → same intent)."""
    customer = Customer.objects.get(pk=payment.customer_id)
    provider_customer = provider_customer_ensure(customer=customer, provider=provider)
    return provider.charge(
        amount=payment.amount,
        currency=payment.currency,
        customer_id=provider_customer.provider_id,
        description=payment.description,
        idempotency_key=payment.idempotency_key + key_suffix,
        metadata=_metadata(payment),
        save_card=save_card,
    )


def _booking_intent(*, payment: Payment, provider: PaymentProvider) -> Payment:
    intent = _intent_create(payment=payment, provider=provider, save_card=True)
    # Two racing starts got the same intent (same key); the first to write it wins, equally.
    Payment.objects.filter(pk=payment.pk, provider_id="").update(
        provider_id=intent.id,
        client_secret=intent.client_secret,
        state=Payment.State.PENDING,
        updated_at=timezone.now(),
    )
    payment.refresh_from_db()
    return payment


def open_payment_intent(*, payment: Payment) -> Payment:
    """An open (declined) payment ready for the customer's pay page: its intent's client secret."""
    if payment.state not in (Payment.State.OPEN, Payment.State.PENDING, Payment.State.REQUIRES_ACTION):
        return payment
    if payment.client_secret:
        return payment
    provider = provider_of(payment.organization_id)
    # The row's own key may have gone with the declined off-session call (other parameters): the
    # pay page's intent gets a key of its own, still derived from the row.
    intent = _intent_create(payment=payment, provider=provider, save_card=False, key_suffix=":pay-link")
    Payment.objects.filter(pk=payment.pk, client_secret="").update(
        provider_id=intent.id, client_secret=intent.client_secret, updated_at=timezone.now()
    )
    payment.refresh_from_db()
    return payment


def _metadata(payment: Payment) -> dict[str, str]:
    return {
        "kind": "payment",
        "payment_uuid": str(payment.uuid),
        "contract": payment.contract.number if payment.contract_id and payment.contract else "",
    }


def payment_sync(*, payment: Payment) -> Payment:
    """Re-fetch the intent and move the row; the first time it succeeds, do what success means.

    For the booking payment: store the card, place the deposit hold on it, issue the booking
    invoice with the payment linked and queue the reservation confirmation — each exactly once,
    because the move to `succeeded` is claimed under the row lock and happens once.
    """
    if not payment.provider_id:
        return payment
    provider = provider_of(payment.organization_id)
    intent = provider.intent_get(payment.provider_id)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        _apply_intent(locked, intent, provider)
    payment.refresh_from_db()
    return payment


def _apply_intent(locked: Payment, intent: Intent, provider: PaymentProvider) -> None:
    if locked.state in Payment.FINAL_STATES:
        return  # a late or repeated event after the end: nothing moves back
    state = INTENT_STATES.get(intent.status, locked.state)
    if state == Payment.State.PENDING and locked.state == Payment.State.OPEN:
        state = Payment.State.OPEN  # still waiting for the customer on the pay page
    fields = ["state", "updated_at"]
    if intent.error_code or intent.error_message:
        locked.failure_code = intent.error_code[:60]
        locked.failure_message = intent.error_message[:300]
        fields += ["failure_code", "failure_message"]
    if intent.client_secret and not locked.client_secret:
        locked.client_secret = intent.client_secret
        fields.append("client_secret")
    locked.state = state
    if state == Payment.State.SUCCEEDED:
        locked.succeeded_at = timezone.now()
        fields.append("succeeded_at")
        card = stored_card_save(customer=locked.customer, payment_method_id=intent.payment_method_id, provider=provider)
        if card is not None and locked.card_id is None:
            locked.card = card
            fields.append("card")
        locked.save(update_fields=fields)
        _on_success(locked, card)
    else:
        locked.save(update_fields=fields)


def _on_success(payment: Payment, card: StoredCard | None) -> None:

    if payment.purpose == Payment.Purpose.BOOKING and payment.contract_id is not None:
        _booking_paid(payment, card, contract_id=payment.contract_id)
    elif payment.invoice_id is not None:
        invoice_payment_status_refresh(invoice=Invoice.objects.get(pk=payment.invoice_id))


def _booking_paid(payment: Payment, card: StoredCard | None, *, contract_id: int) -> None:
    from .holds import hold_place_for_system

    contract = Contract.objects.select_related("tariff", "customer", "organization").get(pk=contract_id)
    if (
        contract.deposit > 0
        and card is not None
        and not DepositHold.objects.filter(contract=contract).exclude(state=DepositHold.State.FAILED).exists()
    ):
        hold_place_for_system(contract=contract, card=card)
    if payment.invoice_id is None and contract.tariff is not None:
        lines = price(
            tariff=contract.tariff, starts_at=contract.starts_at, ends_at=contract.starts_at + dt.timedelta(1)
        )
        invoice = Invoice.objects.filter(contract=contract, purpose=Invoice.Purpose.BOOKING).first()
        if invoice is None:
            invoice = invoice_create_and_issue(
                actor=None,
                customer=contract.customer,
                contract=contract,
                purpose=Invoice.Purpose.BOOKING,
                lines=[LineSpec.from_priced(line) for line in lines if line.kind == "rent"],
            )
        payment.invoice = invoice
        payment.save(update_fields=["invoice", "updated_at"])
        invoice_payment_status_refresh(invoice=invoice)
    from ..messages_payments import reservation_confirmation_queue

    reservation_confirmation_queue(contract=contract, payment=payment)

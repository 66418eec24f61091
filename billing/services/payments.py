"""Card payments: the booking's one day's rent, later charges on the stored card, syncing with the provider.

The provider's PaymentIntent is the truth about money; our `Payment` row follows it through
`payment_sync` (return page, webhook, task). Every provider call that creates or moves money sends
the row's own idempotency key (`payment:<uuid>`), so a repeated call — a double click, a retried
task, a worker killed mid-call — gets the provider's first answer back instead of a second charge.

Work the system does on its own (webhook, task, settlement in automatic mode) passes `actor=None`.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Contract
from contracts.pricing import price, total_gross
from customers.models import Customer
from rentoffice.authorization import require, require_station
from rentoffice.models import Membership

from ..models import DepositHold, Invoice, Payment, ProviderCustomer, StoredCard
from ..provider import CardDeclined, Intent, PaymentProvider, provider_for
from .invoices import LineSpec, billing_settings_get, invoice_create_and_issue, invoice_payment_status_refresh

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


# --- shared by holds, refunds and webhooks ------------------------------------------------------


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
    return _intent_create(payment=payment, provider=provider, save_card=True)


def _intent_create(*, payment: Payment, provider: PaymentProvider, save_card: bool) -> Payment:
    """Create the intent the customer confirms in the Payment Element (same key → same intent)."""
    customer = Customer.objects.get(pk=payment.customer_id)
    provider_customer = provider_customer_ensure(customer=customer, provider=provider)
    intent = provider.charge(
        amount=payment.amount,
        currency=payment.currency,
        customer_id=provider_customer.provider_id,
        description=payment.description,
        idempotency_key=payment.idempotency_key,
        metadata=_metadata(payment),
        save_card=save_card,
    )
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
    return _intent_create(payment=payment, provider=provider, save_card=False)


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


# --- later charges on the stored card -----------------------------------------------------------


def _require_charge(actor: Membership | None, customer: Customer, contract: Contract | None) -> None:
    """A later charge of a contract belongs to handling it; one without a contract is billing's own."""
    if actor is None:
        return
    if contract is not None:
        require_contract_handling(actor, contract)
    else:
        require(actor, "billing.change", organization_id=customer.organization_id)


def stored_card_charge(
    *,
    actor: Membership | None,
    customer: Customer,
    amount: Decimal,
    description: str,
    contract: Contract | None = None,
    invoice: Invoice | None = None,
    purpose: str = Payment.Purpose.CHARGE,
) -> Payment:
    """Charge the customer's stored card without them (in a task); declined → an open payment with a pay link."""
    _require_charge(actor, customer, contract)
    for record in (contract, invoice):
        if record is not None and record.organization_id != customer.organization_id:
            raise PermissionDenied
    errors: dict[str, str] = {}
    try:
        amount = money_checked(amount)
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    description = (description or "").strip()
    if not description:
        errors["description"] = _("Say what the charge is for.")
    elif len(description) > 200 or "\x00" in description:
        errors["description"] = _("Use at most 200 characters.")
    if purpose not in Payment.Purpose.values:
        errors["purpose"] = _("Choose a purpose.")
    card = stored_card_current(customer=customer)
    if card is None:
        errors["amount"] = _("The customer has no stored card to charge.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        payment = Payment.objects.create(
            organization_id=customer.organization_id,
            customer=customer,
            contract=contract,
            invoice=invoice,
            method=Payment.Method.STORED_CARD,
            purpose=purpose,
            amount=amount,
            description=description,
            card=card,
            created_by=actor.user if actor else None,
        )
        on_commit_task("payment_charge", organization_id=payment.organization_id, payment_id=payment.pk)
    return payment


def payment_charge_run(*, payment: Payment) -> Payment:
    """The task's work: charge off-session once (row lock + the row's key); ProviderUnavailable propagates."""
    provider = provider_of(payment.organization_id)
    with transaction.atomic():
        locked = Payment.objects.select_for_update(of=("self",)).select_related("card", "customer").get(pk=payment.pk)
        if locked.state != Payment.State.CREATED or locked.card is None:
            return locked  # done already, or handed to the customer: a second run does nothing
        locked.attempts += 1
        locked.save(update_fields=["attempts", "updated_at"])
    # The attempt counter is committed on its own so a transient failure still counts it.
    with transaction.atomic():
        locked = Payment.objects.select_for_update(of=("self",)).select_related("card", "customer").get(pk=payment.pk)
        if locked.state != Payment.State.CREATED or locked.card is None:
            return locked
        provider_customer = provider_customer_ensure(customer=locked.customer, provider=provider)
        try:
            intent = provider.charge_stored_card(
                amount=locked.amount,
                currency=locked.currency,
                customer_id=provider_customer.provider_id,
                payment_method_id=locked.card.provider_id,
                description=locked.description,
                idempotency_key=locked.idempotency_key,
                metadata=_metadata(locked),
            )
        except CardDeclined as exc:
            _declined(locked, exc, provider)
            return locked
        locked.provider_id = intent.id
        locked.client_secret = intent.client_secret
        locked.save(update_fields=["provider_id", "client_secret", "updated_at"])
        if intent.status in ("requires_action", "requires_payment_method"):
            # Off-session 3-D Secure or a failed card: the customer completes it on the pay page.
            _open_with_link(locked, code=intent.error_code or intent.status, message=intent.error_message)
        else:
            _apply_intent(locked, intent, provider)
    return locked


def payment_charge_gave_up(*, payment: Payment, reason: str) -> None:
    """After the last retry: the customer pays by link instead (an open payment, not a silent loss)."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.state == Payment.State.CREATED:
            _open_with_link(locked, code="provider_unavailable", message=reason)


def _declined(locked: Payment, exc: CardDeclined, provider: PaymentProvider) -> None:
    if exc.intent_id:
        locked.provider_id = exc.intent_id
        try:
            locked.client_secret = provider.intent_get(exc.intent_id).client_secret
        except Exception:  # the pay page creates a fresh intent when it has no secret
            logger.warning("payment %s: could not read the declined intent %s", locked.pk, exc.intent_id)
    _open_with_link(locked, code=exc.decline_code or exc.code, message=exc.message)


def _open_with_link(locked: Payment, *, code: str, message: str) -> None:
    from ..messages_payments import payment_link_queue

    locked.state = Payment.State.OPEN
    locked.failure_code = (code or "")[:60]
    locked.failure_message = (message or "")[:300]
    if not locked.pay_token:
        locked.pay_token = secrets.token_urlsafe(32)
    locked.save()
    payment_link_queue(payment=locked)


def pay_url(payment: Payment) -> str:
    """The customer's pay page for an open payment, absolute (e-mails are built without a request)."""
    return f"{settings.SITE_URL.rstrip('/')}/pay/{payment.pay_token}/"


def payments_sync_pending(*, organization_id: int, older_than: dt.timedelta = dt.timedelta(minutes=10)) -> int:
    """The sweep: stored-card charges whose task was lost get queued again (their key keeps it once)."""
    cutoff = timezone.now() - older_than
    ids = list(
        Payment.objects.filter(
            organization_id=organization_id,
            method=Payment.Method.STORED_CARD,
            state=Payment.State.CREATED,
            created_at__lt=cutoff,
        ).values_list("pk", flat=True)[:200]
    )
    sender: Callable[..., Any] = _send_now
    for pk in ids:
        sender("payment_charge", organization_id=organization_id, payment_id=pk)
    return len(ids)


def _send_now(task_name: str, **kwargs: Any) -> None:
    from ..tasks import payments as tasks

    getattr(tasks, task_name).delay(**kwargs)

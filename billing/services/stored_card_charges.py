"""Later charges on the stored card: charged off-session in a task, and when the card says no (or
wants 3-D Secure) an open payment with a pay link for the customer; the sweep for lost charge tasks.

Like the booking's payment (`payments`), every call to the provider sends the row's own idempotency
key, so a retried task charges once. Work the system does on its own passes `actor=None`.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Contract
from customers.models import Customer
from rentoffice.authorization import require
from rentoffice.models import Membership

from ..models import Invoice, Payment
from ..provider import CardDeclined, PaymentProvider
from .payments import (
    _apply_intent,
    _metadata,
    money_checked,
    on_commit_task,
    provider_customer_ensure,
    provider_of,
    require_contract_handling,
    stored_card_current,
)

logger = logging.getLogger(__name__)


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
    from ..tasks.payments import payment_charge

    for pk in ids:
        payment_charge.delay(organization_id=organization_id, payment_id=pk)
    return len(ids)

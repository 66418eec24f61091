"""Deposit holds: an authorisation on the stored card, captured in part for itemised deductions or released.

Each provider call runs in a task under the hold's row lock and sends the hold's own key
(`authorise:<uuid>`, `capture:<uuid>`, `release:<uuid>`): a task that runs twice — a retry, a
redelivery after its worker was killed mid-call — finds the row final, or sends the same key and
gets the provider's first answer, so the card is captured once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Contract
from rentoffice.models import Membership
from vehicles.models import Damage

from ..models import DepositDeduction, DepositHold, Payment, StoredCard
from ..provider import CardDeclined, Intent, PaymentProvider, PaymentProviderError, ProviderUnavailable
from .invoices import billing_settings_get
from .payments import money_checked, on_commit_task, provider_customer_ensure, provider_of, require_contract_handling

logger = logging.getLogger(__name__)

ACTIVE_STATES = (
    DepositHold.State.CREATED,
    DepositHold.State.PENDING,
    DepositHold.State.REQUIRES_ACTION,
    DepositHold.State.HELD,
)
Deduction = tuple[str, str, Decimal, Damage | None]


def hold_place(*, actor: Membership | None, contract: Contract, card: StoredCard) -> DepositHold:
    """Hold the contract's deposit on the card (authorised in a task); an active hold is returned again."""
    require_contract_handling(actor, contract)
    if card.organization_id != contract.organization_id or card.customer_id != contract.customer_id:
        raise ValidationError({"card": _("Choose a card of the contract's customer.")})
    if card.removed_at is not None:
        raise ValidationError({"card": _("This card has been removed.")})
    if contract.deposit <= 0:
        raise ValidationError(_("The contract has no deposit to hold."))
    return hold_place_for_system(contract=contract, card=card)


def hold_place_for_system(*, contract: Contract, card: StoredCard, replaces: DepositHold | None = None) -> DepositHold:
    with transaction.atomic():
        locked = Contract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
        active = DepositHold.objects.filter(contract=locked, state__in=ACTIVE_STATES)
        if replaces is not None:
            active = active.exclude(pk=replaces.pk)
        existing = active.order_by("-pk").first()
        if existing is not None:
            return existing
        hold = DepositHold.objects.create(
            organization_id=locked.organization_id,
            contract=locked,
            customer_id=locked.customer_id,
            card=card,
            amount=replaces.amount if replaces is not None else locked.deposit,
            replaces=replaces,
        )
        on_commit_task("hold_authorise", organization_id=hold.organization_id, hold_id=hold.pk)
    return hold


def hold_authorise_run(*, hold: DepositHold) -> DepositHold:
    """The task's work: authorise off-session on the stored card, once."""
    provider = provider_of(hold.organization_id)
    with transaction.atomic():
        locked = DepositHold.objects.select_for_update(of=("self",)).select_related("card", "customer").get(pk=hold.pk)
        if locked.state != DepositHold.State.CREATED:
            return locked
        locked.attempts += 1
        provider_customer = provider_customer_ensure(customer=locked.customer, provider=provider)
        try:
            intent = provider.authorise(
                amount=locked.amount,
                currency=locked.currency,
                customer_id=provider_customer.provider_id,
                payment_method_id=locked.card.provider_id if locked.card else "",
                description=_("Deposit, contract %(number)s") % {"number": locked.contract.number},
                idempotency_key=locked.authorise_key,
                metadata={"kind": "hold", "hold_uuid": str(locked.uuid), "contract": locked.contract.number},
            )
        except CardDeclined as exc:
            locked.provider_id = exc.intent_id or ""
            _failed(locked, exc.decline_code or exc.code, exc.message)
            return locked
        except ProviderUnavailable:
            raise
        except PaymentProviderError as exc:
            _failed(locked, exc.code, exc.message)
            return locked
        locked.provider_id = intent.id
        locked.client_secret = intent.client_secret
        _apply_intent(locked, intent)
    return locked


def _failed(locked: DepositHold, code: str, message: str) -> None:
    locked.state = DepositHold.State.FAILED
    locked.failure_code = (code or "")[:60]
    locked.failure_message = (message or "")[:300]
    locked.closed_at = timezone.now()
    locked.save()


def hold_sync(*, hold: DepositHold) -> DepositHold:
    """Re-fetch the authorisation and move the row (webhook, return page after 3-D Secure)."""
    if not hold.provider_id:
        return hold
    intent = provider_of(hold.organization_id).intent_get(hold.provider_id)
    with transaction.atomic():
        locked = DepositHold.objects.select_for_update().get(pk=hold.pk)
        _apply_intent(locked, intent)
    hold.refresh_from_db()
    return hold


def _apply_intent(locked: DepositHold, intent: Intent) -> None:
    """Follow the provider's state; a final row stays as it is (late or repeated events)."""
    if locked.state in DepositHold.FINAL_STATES:
        locked.save()
        return
    status = intent.status
    if status == "requires_capture":
        locked.state = DepositHold.State.HELD
        locked.held_at = locked.held_at or timezone.now()
        locked.capture_before = intent.capture_before or locked.capture_before
    elif status == "succeeded":
        _captured(locked, intent.amount_received)
    elif status == "canceled":
        expired = locked.capture_before is not None and locked.capture_before <= timezone.now()
        locked.state = DepositHold.State.EXPIRED if expired else DepositHold.State.RELEASED
        locked.closed_at = timezone.now()
    elif status == "requires_action":
        locked.state = DepositHold.State.REQUIRES_ACTION
    elif status == "requires_payment_method" and intent.error_code:
        locked.state = DepositHold.State.FAILED
        locked.failure_code = intent.error_code[:60]
        locked.failure_message = intent.error_message[:300]
        locked.closed_at = timezone.now()
    elif status in ("requires_payment_method", "requires_confirmation"):
        locked.state = DepositHold.State.PENDING
    locked.save()
    if locked.state == DepositHold.State.HELD and locked.replaces_id is not None:
        _release_replaced(replaces_id=locked.replaces_id)


def _release_replaced(*, replaces_id: int) -> None:
    """A re-authorisation is in place: the old hold goes (it would expire anyway)."""
    old = DepositHold.objects.select_for_update().get(pk=replaces_id)
    if old.state == DepositHold.State.HELD and not old.deductions.exists():
        on_commit_task("hold_release", organization_id=old.organization_id, hold_id=old.pk)


def _captured(locked: DepositHold, amount_received: Decimal) -> None:
    locked.state = DepositHold.State.CAPTURED
    locked.captured_amount = amount_received
    locked.closed_at = timezone.now()
    if locked.capture_payment_id is None and amount_received > 0:
        locked.capture_payment = Payment.objects.create(
            organization_id=locked.organization_id,
            customer_id=locked.customer_id,
            contract_id=locked.contract_id,
            method=Payment.Method.STORED_CARD,
            purpose=Payment.Purpose.DEPOSIT,
            state=Payment.State.SUCCEEDED,
            amount=amount_received,
            currency=locked.currency,
            description=_("Captured from the deposit"),
            card_id=locked.card_id,
            provider_id=locked.provider_id,
            succeeded_at=timezone.now(),
        )


def deductions_checked(hold: DepositHold, deductions: Sequence[Deduction]) -> list[DepositDeduction]:
    """The deduction rows (not yet saved): each positive, of a known kind; together at most the hold."""
    rows = []
    errors: dict[str, str] = {}
    kinds = set(DepositDeduction.Kind.values)
    for index, (kind, description, amount, damage) in enumerate(deductions):
        try:
            value = money_checked(amount)
        except ValidationError:
            errors["deductions"] = _("Deduction %(n)s: enter an amount greater than zero.") % {"n": index + 1}
            continue
        description = (description or "").strip()
        if kind not in kinds or not description or len(description) > 200 or "\x00" in description:
            errors["deductions"] = _("Deduction %(n)s: choose a kind and describe it.") % {"n": index + 1}
            continue
        if damage is not None and damage.organization_id != hold.organization_id:
            errors["deductions"] = _("Deduction %(n)s: choose one of this organization's damages.") % {"n": index + 1}
            continue
        rows.append(
            DepositDeduction(
                organization_id=hold.organization_id,
                hold=hold,
                kind=kind,
                description=description,
                amount=value,
                damage=damage,
            )
        )
    total = sum((row.amount for row in rows), Decimal("0"))
    if not errors and total > hold.amount:
        errors["deductions"] = _("The deductions (%(total)s €) exceed the held deposit (%(held)s €).") % {
            "total": total,
            "held": hold.amount,
        }
    if errors:
        raise ValidationError(errors)
    return rows


def hold_capture(*, actor: Membership | None, hold: DepositHold, deductions: Sequence[Deduction]) -> DepositHold:
    """Record itemised deductions and capture their sum in a task; the provider releases the rest.

    Calling it again once deductions exist changes nothing (the capture already asked for runs);
    no deductions means the whole hold is released.
    """
    require_contract_handling(actor, hold.contract)
    with transaction.atomic():
        locked = DepositHold.objects.select_for_update().get(pk=hold.pk)
        if locked.deductions.exists() or locked.state == DepositHold.State.CAPTURED:
            on_commit_task("hold_capture", organization_id=locked.organization_id, hold_id=locked.pk)
            return locked
        if locked.state != DepositHold.State.HELD:
            raise ValidationError(
                _("Only a held deposit can be captured (now: %(state)s).") % {"state": locked.get_state_display()}
            )
        rows = deductions_checked(locked, deductions)
        if not rows:
            on_commit_task("hold_release", organization_id=locked.organization_id, hold_id=locked.pk)
            return locked
        for row in rows:
            row.created_by = actor.user if actor else None
        DepositDeduction.objects.bulk_create(rows)
        on_commit_task("hold_capture", organization_id=locked.organization_id, hold_id=locked.pk)
    return locked


def hold_capture_run(*, hold: DepositHold) -> DepositHold:
    """The task's work: capture the deductions' sum once (the key makes a redelivered call a repeat)."""
    provider = provider_of(hold.organization_id)
    with transaction.atomic():
        locked = DepositHold.objects.select_for_update().get(pk=hold.pk)
        if locked.state != DepositHold.State.HELD:
            return locked
        amount = locked.deductions.aggregate(total=Sum("amount"))["total"] or Decimal("0")
        if amount <= 0:
            return locked
        locked.attempts += 1
        try:
            intent = provider.capture(intent_id=locked.provider_id, amount=amount, idempotency_key=locked.capture_key)
        except ProviderUnavailable:
            raise
        except PaymentProviderError as exc:
            # The hold is gone at the provider (expired, cancelled): say so, settlement shows the reason.
            return _capture_refused(locked, exc, provider)
        _apply_intent(locked, intent)
    return locked


def _capture_refused(locked: DepositHold, exc: PaymentProviderError, provider: PaymentProvider) -> DepositHold:
    intent = provider.intent_get(locked.provider_id)
    _apply_intent(locked, intent)
    if locked.state == DepositHold.State.HELD:  # still held but refused: record why, keep it held
        locked.failure_code = exc.code[:60]
        locked.failure_message = exc.message[:300]
        locked.save()
    return locked


def hold_release(*, actor: Membership | None, hold: DepositHold) -> DepositHold:
    """Give the whole deposit back (in a task). A hold with deductions waiting for capture is refused."""
    require_contract_handling(actor, hold.contract)
    with transaction.atomic():
        locked = DepositHold.objects.select_for_update().get(pk=hold.pk)
        if locked.state in DepositHold.FINAL_STATES:
            return locked
        if locked.deductions.exists():
            raise ValidationError(_("Deductions from this deposit are being captured; it cannot be released."))
        if not locked.provider_id:
            # Never authorised at the provider: nothing to give back there.
            locked.state = DepositHold.State.RELEASED
            locked.closed_at = timezone.now()
            locked.save()
            return locked
        on_commit_task("hold_release", organization_id=locked.organization_id, hold_id=locked.pk)
    return locked


def hold_release_run(*, hold: DepositHold) -> DepositHold:
    provider = provider_of(hold.organization_id)
    with transaction.atomic():
        locked = DepositHold.objects.select_for_update().get(pk=hold.pk)
        if locked.state in DepositHold.FINAL_STATES or locked.deductions.exists() or not locked.provider_id:
            return locked
        locked.attempts += 1
        try:
            intent = provider.release(intent_id=locked.provider_id, idempotency_key=locked.release_key)
        except ProviderUnavailable:
            raise
        except PaymentProviderError:
            intent = provider.intent_get(locked.provider_id)
        if intent.status == "canceled":
            locked.state = DepositHold.State.RELEASED
            locked.closed_at = timezone.now()
            locked.save()
        else:
            _apply_intent(locked, intent)
    return locked


# --- holds about to expire (beat) ---------------------------------------------------------------

WARN_BEFORE = dt.timedelta(hours=24)


def holds_expiring(*, organization) -> int:
    """Warn the office once about holds that expire within 24 h, then act as the settings say.

    Re-authorise: a new hold on the stored card (the old one is released once the new one is
    held). Capture: the whole hold is captured as one deduction, to be settled later. Warn: only
    the e-mail. The warning is claimed with a conditional UPDATE, so two beat runs warn once.
    Returns how many holds were warned.
    """
    from ..messages_payments import hold_expiring_queue

    mode = billing_settings_get(organization=organization).hold_expiry
    now = timezone.now()
    candidates = list(
        DepositHold.objects.filter(
            organization=organization,
            state=DepositHold.State.HELD,
            expiry_warned_at__isnull=True,
            capture_before__isnull=False,
            capture_before__lte=now + WARN_BEFORE,
        )
        .select_related("contract", "customer", "card")
        .order_by("capture_before", "pk")[:500]
    )
    warned = 0
    for hold in candidates:
        with transaction.atomic():
            claimed = DepositHold.objects.filter(pk=hold.pk, expiry_warned_at__isnull=True).update(
                expiry_warned_at=now, updated_at=now
            )
            if not claimed:
                continue
            warned += 1
            hold_expiring_queue(hold=hold, mode=mode)
            _expiry_action(hold, mode)
    return warned


def _expiry_action(hold: DepositHold, mode: str) -> None:
    from ..models import BillingSettings

    if mode == BillingSettings.HoldExpiry.REAUTHORISE and hold.card is not None and hold.card.removed_at is None:
        hold_place_for_system(contract=hold.contract, card=hold.card, replaces=hold)
    elif mode == BillingSettings.HoldExpiry.CAPTURE and not hold.deductions.exists():
        DepositDeduction.objects.create(
            organization_id=hold.organization_id,
            hold=hold,
            kind=DepositDeduction.Kind.OTHER,
            description=_("Deposit captured before the hold expired"),
            amount=hold.amount,
        )
        on_commit_task("hold_capture", organization_id=hold.organization_id, hold_id=hold.pk)

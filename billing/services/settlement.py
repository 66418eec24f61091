"""The settlement ("Abrechnung") of a returned contract (seed 001), docs/billing.md "Settlement".

`settlement_propose` re-prices the contract and writes the breakdown; nothing is charged. Then
`settlement_run` — at once in automatic mode, after one click in confirm mode — works through the
steps, each idempotent and re-entered until done:

1. **invoice**: the final invoice (or a credit note when it comes out negative) over the re-priced
   lines and the charges, the booking invoice deducted; issuing it fixes the amounts.
2. **deposit**: the deductions captured from the hold, the rest released (bcore's services; the
   provider call runs in their task, so this step waits until the hold is final).
3. **money**: what is still open after everything received (payments, captured deposit, refunds)
   is charged on the stored card, or a credit refunded on the card payment (`settlement_money`).
4. **close**: payment status of the invoice refreshed, the contract settled.

The money calls run in bcore's tasks; while one is not final yet the settlement stays `running`
and `billing.tasks.settlements.settlement_continue` looks again with back-off. Any refusal or
provider error stops at the step: state `failed` with the reason, the contract stays checked in,
and staff retry, record a payment or waive.

Actors: the automatic run is the system's work (`actor=None`). A person's click (`settlement_run`,
`settlement_retry`) is checked for `contracts.change` on the contract's stations; the money steps
after it then run as the system for that decision, so a clerk who may settle contracts does not
also need the right to issue refunds by hand.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Contract
from contracts.services.lifecycle import contract_settle
from rentoffice.authorization import require, require_station
from rentoffice.models import Membership, Organization

from ..models import BillingSettings, DepositHold, Settlement, SettlementCharge
from ..provider import PaymentProviderError
from .invoices import billing_settings_get
from .settlement_breakdown import Breakdown, breakdown_for, lines_from_json, proposed_charges
from .settlement_documents import final_invoice_issue
from .settlement_money import _step_money

logger = logging.getLogger(__name__)

S = Settlement.State
CHANGE_CONTRACTS = "contracts.change"
CHANGE_BILLING = "billing.change"
MAX_AMOUNT = Decimal("100000.00")


# --- rights -------------------------------------------------------------------------------------


def _require_contract(actor: Membership | None, settlement: Settlement, permission: str = CHANGE_CONTRACTS) -> None:
    if actor is None:  # the system's own work (receiver, tasks)
        return
    require(actor, permission, organization_id=settlement.organization_id)
    contract = settlement.contract
    require_station(actor, contract.pickup_station_id, contract.return_station_id)


def _locked(settlement: Settlement) -> Settlement:
    return Settlement.objects.select_for_update(of=("self",)).select_related("contract").get(pk=settlement.pk)


def _fresh(settlement: Settlement) -> Settlement:
    """Callers keep their object, with the saved state."""
    settlement.refresh_from_db()
    return settlement


# --- proposal -----------------------------------------------------------------------------------


def _charges_ensure(settlement: Settlement, settings: BillingSettings) -> list[SettlementCharge]:
    """Add proposed charges that are not there yet; charges staff edited keep their amounts."""
    existing = list(settlement.charges.all())
    have_damage = {c.damage_id for c in existing if c.damage_id}
    have_fuel = any(c.kind == SettlementCharge.Kind.FUEL for c in existing)
    for proposal in proposed_charges(settlement.contract, settings):
        if proposal.damage is not None and proposal.damage.pk in have_damage:
            continue
        if proposal.kind == SettlementCharge.Kind.FUEL and have_fuel:
            continue
        existing.append(
            SettlementCharge.objects.create(
                organization_id=settlement.organization_id,
                settlement=settlement,
                kind=proposal.kind,
                description=proposal.description,
                amount=proposal.amount,
                damage=proposal.damage,
                from_deposit=proposal.from_deposit,
            )
        )
    return existing


def _store(settlement: Settlement, breakdown: Breakdown) -> None:
    settlement.breakdown = breakdown.as_json()
    settlement.old_total = breakdown.old_total
    settlement.new_total = breakdown.total_due
    settlement.paid = breakdown.paid
    settlement.difference = breakdown.difference


def _refresh(settlement: Settlement) -> Breakdown:
    """Recompute and store the breakdown; the lines stay as proposed once the invoice is out."""
    settings = billing_settings_get(organization=settlement.contract.organization)
    charges = _charges_ensure(settlement, settings) if settlement.final_invoice_id is None else None
    lines = lines_from_json(settlement.breakdown) if settlement.final_invoice_id else None
    breakdown = breakdown_for(settlement.contract, charges or list(settlement.charges.all()), lines)
    _store(settlement, breakdown)
    return breakdown


@transaction.atomic
def settlement_propose(*, contract: Contract) -> Settlement:
    """Re-price the returned contract and write the breakdown (the system's work, no actor).

    Idempotent: a second call (a repeated signal, the sweep) refreshes a waiting proposal and leaves a
    running or finished settlement alone. Automatic mode queues the run on commit.
    """
    contract = Contract.objects.select_for_update(of=("self",)).select_related("tariff").get(pk=contract.pk)
    if contract.status != Contract.Status.CHECKED_IN:
        raise ValidationError(_("Only a checked-in contract can be settled."), code="status")
    settlement, _created = Settlement.objects.get_or_create(
        contract=contract, defaults={"organization_id": contract.organization_id}
    )
    settlement = _locked(settlement)
    if settlement.state != S.PROPOSED:
        return settlement
    _refresh(settlement)
    settlement.save()
    settings = billing_settings_get(organization=contract.organization)
    if settings.settlement_mode == BillingSettings.SettlementMode.AUTOMATIC:
        _enqueue_run(settlement)
    return settlement


def _enqueue_run(settlement: Settlement) -> None:
    from ..tasks.settlements import settlement_run_task

    organization_id, settlement_id = settlement.organization_id, settlement.pk
    transaction.on_commit(
        lambda: _safely(settlement_run_task.delay, organization_id=organization_id, settlement_id=settlement_id)
    )


def _enqueue_continue(settlement: Settlement) -> None:
    from ..tasks.settlements import _continue_countdown, settlement_continue

    kwargs = {"organization_id": settlement.organization_id, "settlement_id": settlement.pk}
    transaction.on_commit(
        lambda: _safely(
            lambda **kw: settlement_continue.apply_async(kwargs=kw, countdown=_continue_countdown(0)), **kwargs
        )
    )


def settlement_propose_enqueue(*, contract: Contract) -> None:
    """The receiver of `contract_checked_in`: propose in a worker, after the check-in committed."""
    from ..tasks.settlements import settlement_propose_task

    kwargs = {"organization_id": contract.organization_id, "contract_id": contract.pk}
    transaction.on_commit(lambda: _safely(settlement_propose_task.delay, **kwargs))


SWEEP_AFTER = dt.timedelta(minutes=10)


def settlements_sweep(*, organization: Organization) -> int:
    """Catch what a lost task left: checked-in contracts without a settlement are proposed, running
    settlements untouched for a while are looked at again. Returns how many were picked up."""
    from ..tasks.settlements import settlement_continue

    before = timezone.now() - SWEEP_AFTER
    picked = 0
    unproposed = Contract.objects.filter(
        organization=organization,
        status=Contract.Status.CHECKED_IN,
        settlement__isnull=True,
        checked_in_at__lt=before,
    )
    for contract in unproposed.order_by("pk")[:200]:
        try:
            settlement_propose(contract=contract)
        except ValidationError:
            continue
        picked += 1
    stalled = Settlement.objects.filter(organization=organization, state=S.RUNNING, updated_at__lt=before)
    for settlement_id in stalled.values_list("pk", flat=True)[:200]:
        _safely(settlement_continue.delay, organization_id=organization.pk, settlement_id=settlement_id)
        picked += 1
    return picked


def _safely(enqueue: Callable[..., object], **kwargs: int) -> None:
    """The broker being down must not undo the commit: the sweep picks the settlement up later."""
    try:
        enqueue(**kwargs)
    except Exception:
        logger.exception("settlement task not enqueued", extra=kwargs)


@transaction.atomic
def settlement_charge_update(
    *, actor: Membership, charge: SettlementCharge, amount: Decimal, from_deposit: bool
) -> SettlementCharge:
    """Staff correct a proposed charge (the real repair cost) before the settlement runs."""
    settlement = _locked(charge.settlement)
    _require_contract(actor, settlement)
    if settlement.state not in (S.PROPOSED, S.FAILED) or settlement.final_invoice_id is not None:
        raise ValidationError(_("The final invoice has been issued; its charges can no longer change."))
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValidationError({"amount": _("Enter an amount.")})
    if amount < 0:
        raise ValidationError({"amount": _("The amount cannot be negative.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({"amount": _("Enter an amount of at most 100,000.00 €.")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": _("Enter the amount in euros and cents.")})
    locked = SettlementCharge.objects.select_for_update().get(pk=charge.pk, settlement=settlement)
    locked.amount = amount
    locked.from_deposit = bool(from_deposit)
    locked.save(update_fields=["amount", "from_deposit"])
    _refresh(settlement)
    settlement.save()
    charge.amount, charge.from_deposit = locked.amount, locked.from_deposit
    return charge


# --- running ------------------------------------------------------------------------------------


def settlement_run(*, actor: Membership | None, settlement: Settlement) -> Settlement:
    """Start (or continue) the settlement: claim it and work through the steps as far as they go."""
    with transaction.atomic():
        locked = _locked(settlement)
        _require_contract(actor, locked)
        if locked.state in (S.SETTLED, S.WAIVED):
            return _fresh(settlement)
        if locked.state in (S.PROPOSED, S.FAILED):
            locked.state = S.RUNNING
            locked.failure_reason = ""
            locked.attempts = F("attempts") + 1
            if actor is not None:
                locked.confirmed_by_id = actor.user_id
            locked.save()
    if settlement_advance(settlement=settlement) == S.RUNNING:
        _enqueue_continue(settlement)
    return _fresh(settlement)


def settlement_retry(*, actor: Membership, settlement: Settlement) -> Settlement:
    """Staff try a failed settlement again; it continues at the step that failed."""
    if settlement.state != S.FAILED:
        _require_contract(actor, settlement)
        raise ValidationError(_("Only a failed settlement can be retried."), code="state")
    return settlement_run(actor=actor, settlement=settlement)


def settlement_advance(*, settlement: Settlement) -> str:
    """Work through the steps of a running settlement (the system's work; tasks call this).

    Returns the state afterwards; `running` means a money row is not final yet — call again later.
    """
    # Each step commits on its own (so the money task it queued starts) and says whether it is done;
    # a step that is not done yet keeps its writes and the settlement waits there.
    steps = (_step_invoice, _step_deposit, _step_money, _step_close)
    for step in steps:
        try:
            with transaction.atomic():
                locked = _locked(settlement)
                if locked.state != S.RUNNING:
                    return locked.state
                done = step(locked)
        except (ValidationError, PermissionDenied, PaymentProviderError) as exc:
            _fail(settlement, _reason(exc))
            return S.FAILED
        if not done:
            return S.RUNNING
    return S.SETTLED


def settlement_give_up(*, settlement: Settlement) -> Settlement:
    """The provider never confirmed a money step (the task ran out of patience)."""
    _fail(settlement, _("The payment provider did not confirm in time. Retry later or record a payment."))
    settlement.refresh_from_db()
    return settlement


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)[:500]
    if isinstance(exc, PaymentProviderError):
        message = getattr(exc, "message", "") or str(exc)
        return (_("Payment provider: %(message)s") % {"message": message})[:500]
    return (str(exc) or _("Not allowed."))[:500]


def _fail(settlement: Settlement, reason: str) -> None:
    with transaction.atomic():
        locked = _locked(settlement)
        if locked.state != S.RUNNING:
            return
        locked.state = S.FAILED
        locked.failure_reason = reason[:500]
        locked.save(update_fields=["state", "failure_reason", "updated_at"])


def _step_invoice(settlement: Settlement) -> bool:
    if settlement.final_invoice_id is None:
        breakdown = _refresh(settlement)
        settlement.final_invoice = final_invoice_issue(settlement=settlement, breakdown=breakdown)
        settlement.save()
    return True


def _hold(settlement: Settlement) -> DepositHold | None:
    hold_id = settlement.breakdown.get("hold_id")
    if not hold_id:
        return None
    return DepositHold.objects.select_for_update().filter(pk=hold_id, contract=settlement.contract).first()


def _step_deposit(settlement: Settlement) -> bool:
    from .holds import hold_capture, hold_release

    hold = _hold(settlement)
    if hold is None or hold.state in (DepositHold.State.CAPTURED, DepositHold.State.RELEASED):
        return True
    if hold.state == DepositHold.State.EXPIRED:
        return True  # nothing to take from; the money step charges the card for all of it
    if hold.state == DepositHold.State.FAILED:
        raise ValidationError(
            _("The deposit could not be captured: %(reason)s") % {"reason": hold.failure_message or hold.failure_code}
        )
    if hold.state != DepositHold.State.HELD:
        return False
    if hold.deductions.exists() or settlement.breakdown.get("deposit_requested"):
        return False  # asked already; bcore's task is on it
    breakdown = breakdown_for(
        settlement.contract, list(settlement.charges.all()), lines_from_json(settlement.breakdown)
    )
    deductions = [
        (d.charge.kind, d.charge.description, d.amount, d.charge.damage) for d in breakdown.deductions if d.amount > 0
    ]
    if deductions:
        hold_capture(actor=None, hold=hold, deductions=deductions)
    else:
        hold_release(actor=None, hold=hold)
    settlement.breakdown = {**settlement.breakdown, "deposit_requested": True}
    settlement.save(update_fields=["breakdown", "updated_at"])
    return False


def _step_close(settlement: Settlement) -> bool:
    from .invoice_status import invoice_payment_status_refresh

    if settlement.final_invoice is not None:
        invoice_payment_status_refresh(invoice=settlement.final_invoice)
    contract = Contract.objects.get(pk=settlement.contract_id)
    if contract.status == Contract.Status.CHECKED_IN:
        contract_settle(actor=None, contract=contract)
    settlement.state = S.SETTLED
    settlement.settled_at = timezone.now()
    settlement.save(update_fields=["state", "settled_at", "updated_at"])
    return True


# --- the manual path ----------------------------------------------------------------------------


@transaction.atomic
def settlement_waive(*, actor: Membership, settlement: Settlement, reason: str) -> Settlement:
    """Close a settlement without collecting the rest (billing.change): the contract is settled, a
    still-held deposit released; documents already issued stay as they are (open items)."""
    locked = _locked(settlement)
    _require_contract(actor, locked, CHANGE_BILLING)
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for waiving.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Keep the reason under 300 characters.")})
    if locked.state not in (S.PROPOSED, S.FAILED):
        raise ValidationError(_("Only a waiting or failed settlement can be waived."), code="state")
    hold = DepositHold.objects.filter(contract=locked.contract, state=DepositHold.State.HELD).first()
    if hold is not None and not hold.deductions.exists():
        from .holds import hold_release

        hold_release(actor=None, hold=hold)
    contract = Contract.objects.get(pk=locked.contract_id)
    if contract.status == Contract.Status.CHECKED_IN:
        contract_settle(actor=None, contract=contract)
    locked.state = S.WAIVED
    locked.waive_reason = reason
    locked.confirmed_by_id = actor.user_id
    locked.settled_at = timezone.now()
    locked.save()
    return _fresh(settlement)

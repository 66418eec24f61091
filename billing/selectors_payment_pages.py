"""Reads behind the payment pages (bpay): a contract's money for its panel (payments, refunds,
deposit holds with their deductions and evidence) and the payment a return URL names.

Single payments and holds are loaded through bcore's `selectors_payments` (scoped to the member:
money is visible where its contract is); this module adds what the pages show on top.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from contracts.models import Contract
from protocols.models import Protocol, ProtocolPhoto
from vehicles.models import DamagePhoto

from . import selectors_payments
from .models import DepositDeduction, DepositHold, Payment, Refund, StoredCard

# The states in which a customer can still pay (the Payment Element on a pay page).
PAYABLE_STATES = (
    Payment.State.PENDING,
    Payment.State.REQUIRES_ACTION,
    Payment.State.OPEN,
)
# Contracts whose booking payment may still be taken (not once the rental is over or cancelled).
PAYABLE_CONTRACT_STATES = (Contract.Status.RESERVED, Contract.Status.CHECKED_OUT)
# Holds whose money is still on the customer's card.
ACTIVE_HOLD_STATES = (DepositHold.State.HELD,)


def booking_payment_by_intent(*, contract: Contract, intent_id: str) -> Payment | None:
    """The contract's payment the provider's return URL names (payment_intent=pi_...)."""
    if not intent_id or "\x00" in intent_id:
        return None
    return Payment.objects.filter(
        organization_id=contract.organization_id, contract=contract, provider_id=intent_id
    ).first()


def payment_by_token(*, token: str) -> Payment | None:
    """An open payment by its pay token (the customer's link); None for anything malformed or unknown.

    Called without a scope (the token is the only key); the caller enters the payment's organization.
    A NUL byte would make PostgreSQL refuse the query, so it is turned away here.
    """
    if not token or "\x00" in token:
        return None
    return selectors_payments.payment_by_pay_token(token=token)


def stored_card_of(*, customer_id: int, organization_id: int) -> StoredCard | None:
    return (
        StoredCard.objects.filter(organization_id=organization_id, customer_id=customer_id, removed_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass
class Evidence:
    """What a deduction rests on: the damage with photos before (check-out) and after (the damage's own)."""

    before: list[ProtocolPhoto] = field(default_factory=list)
    after: list[DamagePhoto] = field(default_factory=list)


@dataclass
class ContractMoney:
    payments: list[Payment]
    holds: list[DepositHold]
    card: StoredCard | None
    booking_paid: bool
    paid_total: Decimal
    refunded_total: Decimal
    held_total: Decimal
    evidence: dict[int, Evidence]  # deduction id → evidence


def _before_photos(contract: Contract, views: set[str]) -> dict[str, list[ProtocolPhoto]]:
    """The check-out protocol's photos of the views the damages sit on (one query)."""
    if not views:
        return {}
    photos = ProtocolPhoto.objects.filter(
        organization_id=contract.organization_id,
        protocol__contract=contract,
        protocol__kind=Protocol.Kind.CHECK_OUT,
        protocol__status=Protocol.Status.SUBMITTED,
        view__in=views,
    ).order_by("uploaded_at", "id")
    by_view: dict[str, list[ProtocolPhoto]] = {}
    for photo in photos:
        by_view.setdefault(photo.view, []).append(photo)
    return by_view


def _evidence(contract: Contract, holds: list[DepositHold]) -> dict[int, Evidence]:
    deductions = [d for hold in holds for d in hold.deductions.all()]
    damages = [d.damage for d in deductions if d.damage is not None]
    before = _before_photos(contract, {damage.view for damage in damages if damage.view})
    evidence: dict[int, Evidence] = {}
    for deduction in deductions:
        if deduction.damage is None:
            continue
        damage = deduction.damage
        evidence[deduction.pk] = Evidence(before=before.get(damage.view, []), after=list(damage.photos.all()))
    return evidence


def contract_money(*, contract: Contract) -> ContractMoney:
    """Everything the payments & deposit panel shows, in a fixed number of queries.

    The caller has loaded the contract through `contracts.selectors.contract_get` (which checked
    organization and stations), so its children need no scope check of their own.
    """
    refunds = Prefetch("refunds", queryset=Refund.objects.order_by("created_at", "pk"))
    payments = list(
        Payment.objects.filter(organization_id=contract.organization_id, contract=contract)
        .select_related("card")
        .prefetch_related(refunds)
        .order_by("created_at", "pk")
    )
    deductions = Prefetch(
        "deductions",
        queryset=DepositDeduction.objects.select_related("damage")
        .prefetch_related(Prefetch("damage__photos", queryset=DamagePhoto.objects.order_by("uploaded_at", "id")))
        .order_by("pk"),
    )
    holds = list(
        DepositHold.objects.filter(organization_id=contract.organization_id, contract=contract)
        .select_related("card", "capture_payment")
        .prefetch_related(deductions)
        .order_by("created_at", "pk")
    )
    succeeded = [p for p in payments if p.state == Payment.State.SUCCEEDED]
    refunded = sum(
        (r.amount for p in payments for r in p.refunds.all() if r.state == Refund.State.SUCCEEDED), Decimal("0")
    )
    return ContractMoney(
        payments=payments,
        holds=holds,
        card=stored_card_of(customer_id=contract.customer_id, organization_id=contract.organization_id),
        booking_paid=any(p.purpose == Payment.Purpose.BOOKING for p in succeeded),
        paid_total=sum((p.amount for p in succeeded), Decimal("0")),
        refunded_total=refunded,
        held_total=sum((h.amount for h in holds if h.state in ACTIVE_HOLD_STATES), Decimal("0")),
        evidence=_evidence(contract, holds),
    )


def refundable_amount(*, payment: Payment) -> Decimal:
    """What may still be refunded on a payment: paid minus refunds that did not fail."""
    if payment.state != Payment.State.SUCCEEDED:
        return Decimal("0")
    taken = sum(
        (r.amount for r in payment.refunds.all() if r.state != Refund.State.FAILED),
        Decimal("0"),
    )
    return payment.amount - taken

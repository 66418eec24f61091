"""Reads behind the payment pages: a contract's money (payments, refunds, deposit holds with their
deductions and evidence), one payment or hold for an action, and an open payment by its pay token.

Money belongs to a contract, so it is visible exactly where the contract is: the contract's pick-up
or return station must be one of the member's (the same rule as `contracts.selectors`). A payment
without a contract (a charge on the customer) is visible to members of all stations only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from contracts.models import Contract
from contracts.selectors import CONTRACT_STATIONS
from protocols.models import Protocol, ProtocolPhoto
from rentoffice.models import Membership
from rentoffice.tenancy import scope_to_stations
from vehicles.models import DamagePhoto

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


def _pk(pk: int | str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def _visible_contracts(membership: Membership) -> QuerySet:
    """Ids of the contracts the member sees (organization, then stations)."""
    contracts = Contract.objects.filter(organization_id=membership.organization_id)
    return scope_to_stations(contracts, membership, field=CONTRACT_STATIONS).values("pk")


def _payments(membership: Membership) -> QuerySet[Payment]:
    qs = Payment.objects.filter(organization_id=membership.organization_id)
    if membership.station_ids is None:
        return qs
    return qs.filter(contract__in=_visible_contracts(membership))


def payment_get(*, membership: Membership, pk: int | str) -> Payment:
    """One payment for an action on it (refund); Http404 outside the organization or stations."""
    payment = _payments(membership).select_related("contract", "customer").filter(pk=_pk(pk)).first()
    if payment is None:
        raise Http404
    return payment


def hold_get(*, membership: Membership, pk: int | str) -> DepositHold:
    """One deposit hold (release); Http404 outside the organization or the contract's stations."""
    qs = DepositHold.objects.filter(organization_id=membership.organization_id)
    if membership.station_ids is not None:
        qs = qs.filter(contract__in=_visible_contracts(membership))
    hold = qs.select_related("contract", "customer").filter(pk=_pk(pk)).first()
    if hold is None:
        raise Http404
    return hold


def booking_payment_of(*, contract: Contract) -> Payment | None:
    """The contract's latest booking payment (what the booking payment page works on)."""
    return (
        Payment.objects.filter(
            organization_id=contract.organization_id, contract=contract, purpose=Payment.Purpose.BOOKING
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def booking_payment_by_intent(*, contract: Contract, intent_id: str) -> Payment | None:
    """The contract's payment the provider's return URL names (payment_intent=pi_...)."""
    if not intent_id or "\x00" in intent_id:
        return None
    return Payment.objects.filter(
        organization_id=contract.organization_id, contract=contract, provider_id=intent_id
    ).first()


def payment_by_token(*, token: str) -> Payment | None:
    """An open payment by its pay token (the customer's link); None for anything unknown.

    Called without a scope (the token is the only key), so it filters by the token alone and the
    caller enters the payment's organization.
    """
    if not token or len(token) > 64 or "\x00" in token:
        return None
    return (
        Payment.objects.filter(pay_token=token)
        .select_related("organization", "customer", "contract", "contract__pickup_station")
        .first()
    )


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

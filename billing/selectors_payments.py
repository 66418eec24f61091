"""Reads of payments, deposit holds, refunds and stored cards, scoped to the member.

Money of a contract is visible where the contract is (its pick-up or return station, like
contracts' selectors); money without a contract (a customer's charge, a recorded payment) only to
members of all stations.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django_scopes import scopes_disabled

from contracts.models import Contract
from customers.models import Customer
from rentoffice.models import Membership
from rentoffice.tenancy import scope_to_stations

from .models import DepositDeduction, DepositHold, Payment, Refund, StoredCard

CONTRACT_STATIONS = ("contract__pickup_station", "contract__return_station")


def _int(pk: int | str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def payments_visible(*, membership: Membership) -> QuerySet[Payment]:
    qs = Payment.objects.filter(organization_id=membership.organization_id)
    return scope_to_stations(qs, membership, field=CONTRACT_STATIONS)


def holds_visible(*, membership: Membership) -> QuerySet[DepositHold]:
    qs = DepositHold.objects.filter(organization_id=membership.organization_id)
    return scope_to_stations(qs, membership, field=CONTRACT_STATIONS)


def payment_get(*, membership: Membership, pk: int | str) -> Payment:
    payment = (
        payments_visible(membership=membership)
        .select_related("customer", "contract", "invoice", "card")
        .filter(pk=_int(pk))
        .first()
    )
    if payment is None:
        raise Http404
    return payment


def hold_get(*, membership: Membership, pk: int | str) -> DepositHold:
    hold = (
        holds_visible(membership=membership).select_related("contract", "customer", "card").filter(pk=_int(pk)).first()
    )
    if hold is None:
        raise Http404
    return hold


def refund_get(*, membership: Membership, pk: int | str) -> Refund:
    refund = (
        Refund.objects.filter(
            organization_id=membership.organization_id, payment__in=payments_visible(membership=membership)
        )
        .select_related("payment")
        .filter(pk=_int(pk))
        .first()
    )
    if refund is None:
        raise Http404
    return refund


def payments_for_contract(*, contract: Contract) -> list[Payment]:
    """A contract's payments with their refunds, newest first (the caller loaded the contract scoped)."""
    payments = list(
        Payment.objects.filter(organization_id=contract.organization_id, contract=contract)
        .select_related("card", "invoice")
        .order_by("-created_at", "-pk")
    )
    refunds: dict[int, list[Refund]] = {}
    for refund in Refund.objects.filter(organization_id=contract.organization_id, payment__contract=contract).order_by(
        "created_at", "pk"
    ):
        refunds.setdefault(refund.payment_id, []).append(refund)
    for payment in payments:
        payment.refund_list = refunds.get(payment.pk, [])  # type: ignore[attr-defined]  # for the panel
    return payments


def holds_for_contract(*, contract: Contract) -> list[DepositHold]:
    """A contract's deposit holds (a re-authorisation adds one) with their deductions, newest first."""
    holds = list(
        DepositHold.objects.filter(organization_id=contract.organization_id, contract=contract)
        .select_related("card", "capture_payment")
        .order_by("-created_at", "-pk")
    )
    deductions: dict[int, list[DepositDeduction]] = {}
    for deduction in DepositDeduction.objects.filter(
        organization_id=contract.organization_id, hold__contract=contract
    ).select_related("damage"):
        deductions.setdefault(deduction.hold_id, []).append(deduction)
    for hold in holds:
        hold.deduction_list = deductions.get(hold.pk, [])  # type: ignore[attr-defined]  # for the panel
    return holds


def hold_current(*, contract: Contract) -> DepositHold | None:
    """The hold that counts now: the newest that is not failed (a replaced hold was released)."""
    return (
        DepositHold.objects.filter(organization_id=contract.organization_id, contract=contract)
        .exclude(state__in=(DepositHold.State.FAILED, DepositHold.State.EXPIRED))
        .exclude(state=DepositHold.State.RELEASED, replaced_by__isnull=False)
        .order_by("-created_at", "-pk")
        .first()
    )


def booking_payment(*, contract: Contract) -> Payment | None:
    return (
        Payment.objects.filter(
            organization_id=contract.organization_id, contract=contract, purpose=Payment.Purpose.BOOKING
        )
        .order_by("-pk")
        .first()
    )


def stored_cards_for_customer(*, customer: Customer) -> list[StoredCard]:
    return list(
        StoredCard.objects.filter(
            organization_id=customer.organization_id, customer=customer, removed_at__isnull=True
        ).order_by("-created_at", "-pk")
    )


def payment_by_pay_token(*, token: str) -> Payment | None:
    """The open payment behind a pay link (public page: the token is the only key, any organization)."""
    if not token or len(token) > 64:
        return None
    with scopes_disabled():
        return Payment.objects.filter(pay_token=token).select_related("organization", "customer", "contract").first()

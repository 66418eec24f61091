"""Merging customers moves their payments and deposits; the other's stored cards are never charged again."""

from decimal import Decimal

import pytest
from django_scopes import scope

from billing.models import DepositHold, Payment, ProviderCustomer, StoredCard
from customers.services import customer_merge
from tests.actors import admin_of
from tests.billing.payment_data import (  # noqa: F401  (fixtures)
    all_rows,
    car1,
    contract_a,
    customer_a,
    fresh,
    group_a,
    tariff_a,
)
from tests.conftest import data_helper
from tests.customers.conftest import make_customer

pytestmark = pytest.mark.django_db


@data_helper
def _paid_rows(contract):
    """A paid booking as rows (no invoice: invoices have their own merge rule)."""
    card = StoredCard.objects.create(
        organization=contract.organization, customer=contract.customer, provider_id="pm_1", brand="visa", last4="4242"
    )
    ProviderCustomer.objects.create(organization=contract.organization, customer=contract.customer, provider_id="cus_1")
    DepositHold.objects.create(
        organization=contract.organization,
        contract=contract,
        customer=contract.customer,
        card=card,
        amount=Decimal("300.00"),
        state=DepositHold.State.HELD,
        provider_id="pi_hold",
    )
    return Payment.objects.create(
        organization=contract.organization,
        customer=contract.customer,
        contract=contract,
        card=card,
        method=Payment.Method.CARD,
        purpose=Payment.Purpose.BOOKING,
        state=Payment.State.SUCCEEDED,
        amount=Decimal("49.00"),
        provider_id="pi_1",
    )


def test_merge_moves_payments_and_holds_and_removes_the_others_cards(org_a, contract_a):  # noqa: F811
    payment = _paid_rows(contract_a)
    other = contract_a.customer
    survivor = make_customer(org_a, first_name="Jürgen", last_name="Müller", email="j.mueller@example.com")
    with scope(organization=org_a):
        customer_merge(survivor=survivor, other=other, take_from_other=[], actor=admin_of(org_a))
    assert fresh(payment).customer_id == survivor.pk
    assert {h.customer_id for h in all_rows(DepositHold)} == {survivor.pk}
    [card] = all_rows(StoredCard)
    assert card.customer_id == survivor.pk and card.removed_at is not None  # the provider's card of someone else
    assert all_rows(ProviderCustomer, customer=survivor) == []
    assert sum(p.amount for p in all_rows(Payment, customer=survivor)) == Decimal("49.00")


def test_merge_of_a_customer_with_invoices_is_refused_and_moves_nothing(org_a, contract_a, fake_stripe):  # noqa: F811
    from django.core.exceptions import ValidationError

    from tests.billing.payment_data import paid_booking

    payment = paid_booking(contract_a)  # issues the booking invoice
    survivor = make_customer(org_a, first_name="Jürgen", last_name="Müller", email="j.mueller@example.com")
    with scope(organization=org_a), pytest.raises(ValidationError):
        customer_merge(survivor=survivor, other=contract_a.customer, take_from_other=[], actor=admin_of(org_a))
    assert fresh(payment).customer_id == contract_a.customer_id
    assert all_rows(StoredCard, customer=survivor) == []

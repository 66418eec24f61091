"""Refunds: a double click gives one refund at the provider; refunds never exceed what was paid."""

import contextlib
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import Payment, Refund
from billing.services.refunds import refund_create, refund_run
from tests.actors import admin_of, membership_of
from tests.billing.payment_data import (  # noqa: F401  (fixtures)
    DAY_PRICE,
    all_rows,
    car1,
    contract_a,
    customer_a,
    fresh,
    group_a,
    paid_booking,
    tariff_a,
)
from tests.conftest import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(contract_a, fake_stripe):  # noqa: F811
    return paid_booking(contract_a)


def _provider_refunds(fake_stripe, payment):
    return [
        e
        for e in fake_stripe.events()
        if e["type"] == "refund.created" and e["data"]["object"].get("payment_intent") == payment.provider_id
    ]


def test_double_clicked_refund_gives_one_refund_at_the_provider(org_a, paid, fake_stripe):
    with scope(organization=org_a):
        first = refund_create(actor=admin_of(org_a), payment=paid, amount=Decimal("20.00"), reason="Kulanz")
        second = refund_create(actor=admin_of(org_a), payment=paid, amount=Decimal("20.00"), reason="Kulanz")
        assert first.pk == second.pk
        refund_run(refund=first)
        refund_run(refund=second)  # both clicks' tasks: one provider call
    assert fresh(first).state == Refund.State.SUCCEEDED
    assert len(all_rows(Refund, payment=paid)) == 1
    assert len(_provider_refunds(fake_stripe, paid)) == 1
    assert fake_stripe.intent(paid.provider_id)["amount_received"] == 4900


def test_refund_above_what_is_left_is_a_field_error(org_a, paid):
    with scope(organization=org_a):
        refund_create(actor=admin_of(org_a), payment=paid, amount=Decimal("40.00"), reason="Storno")
        with pytest.raises(ValidationError) as exc:
            refund_create(actor=admin_of(org_a), payment=paid, amount=Decimal("9.01"), reason="noch mehr")
    assert "amount" in exc.value.message_dict
    assert [r.amount for r in all_rows(Refund, payment=paid)] == [Decimal("40.00")]


def test_refunds_need_billing_change(org_a, station_a1, paid):
    staff = make_member(org_a, "staff@a.example", stations=[station_a1])  # station staff: billing.view only
    with scope(organization=org_a), pytest.raises(PermissionDenied):
        refund_create(actor=membership_of(staff, org_a), payment=paid, amount=Decimal("1.00"), reason="x")
    assert all_rows(Refund) == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_never_exceed_the_payment(org_a, paid):
    """Four people refund 20 € of the 49 € at once: the payment's row lock lets two through."""
    barrier = threading.Barrier(4)
    results: list = []

    def run(n):
        try:
            barrier.wait()
            with scope(organization=org_a):
                results.append(refund_create(actor=None, payment=paid, amount=Decimal("20.00"), reason=f"r{n}"))
        except ValidationError as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(r, Refund) for r in results) == 2
    assert sum(r.amount for r in all_rows(Refund, payment=paid)) == Decimal("40.00")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(values=st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("60"), places=2), max_size=6))
def test_refunds_never_exceed_the_payment(org_a, customer_a, values):  # noqa: F811
    with scopes_disabled():
        payment = Payment.objects.create(
            organization=org_a,
            customer=customer_a,
            method=Payment.Method.CASH,
            purpose=Payment.Purpose.MANUAL,
            state=Payment.State.SUCCEEDED,
            amount=DAY_PRICE,
        )
    with scope(organization=org_a):
        for n, value in enumerate(values):
            with contextlib.suppress(ValidationError):
                refund_create(actor=None, payment=payment, amount=value, reason=f"r{n}")
        refunded = sum((r.amount for r in Refund.objects.filter(payment=payment)), Decimal("0"))
    assert refunded <= payment.amount

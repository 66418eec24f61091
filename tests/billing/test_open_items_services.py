"""Recording a payment (cash, bank transfer, card terminal): what it writes, what it refuses."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from billing.models import Invoice, Payment
from billing.selectors_open_balances import contract_balance, customer_balance
from billing.services.open_items import payment_record
from tests.actors import admin_of
from tests.billing.open_items_data import *  # noqa: F403  (its fixtures)
from tests.billing.open_items_data import issued_invoice, payment

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def record(actor, customer, amount="100.00", **kwargs):
    kwargs.setdefault("method", Payment.Method.CASH)
    kwargs.setdefault("received_on", TODAY())
    with scope(organization=customer.organization):
        return payment_record(actor=actor, customer=customer, amount=Decimal(str(amount)), **kwargs)


def payments_of(customer) -> int:
    with scopes_disabled():
        return Payment.objects.filter(customer=customer).count()


def test_a_recorded_payment_is_money_received_and_lowers_the_transaction_balance(admin, customer_a, contract_a1):
    issued_invoice(customer_a, "200.00", contract=contract_a1)
    recorded = record(
        admin,
        customer_a,
        "150.00",
        method=Payment.Method.BANK_TRANSFER,
        contract=contract_a1,
        reference="SEPA 4711",
        received_on=TODAY() - dt.timedelta(days=2),
    )
    assert recorded.state == Payment.State.SUCCEEDED
    assert recorded.purpose == Payment.Purpose.MANUAL
    assert recorded.method == Payment.Method.BANK_TRANSFER
    assert recorded.reference == "SEPA 4711"
    assert recorded.received_on == TODAY() - dt.timedelta(days=2)
    assert recorded.created_by == admin.user
    with scope(organization=customer_a.organization):
        assert contract_balance(contract=contract_a1, customer=customer_a) == Decimal("50.00")


def test_paying_an_invoice_links_it_and_refreshes_its_payment_status(admin, customer_a, contract_a1):
    invoice = issued_invoice(customer_a, "119.00", contract=contract_a1)
    part = record(admin, customer_a, "19.00", invoice=invoice)
    assert part.invoice == invoice and part.contract == contract_a1
    with scopes_disabled():
        invoice.refresh_from_db()
    assert invoice.payment_status == Invoice.PaymentStatus.PARTLY_PAID
    record(admin, customer_a, "100.00", invoice=invoice, method=Payment.Method.CARD_TERMINAL)
    with scopes_disabled():
        invoice.refresh_from_db()
    assert invoice.payment_status == Invoice.PaymentStatus.PAID


def test_more_than_is_open_is_refused_unless_confirmed_as_overpayment(admin, customer_a):
    invoice = issued_invoice(customer_a, "100.00")
    with pytest.raises(ValidationError) as refused:
        record(admin, customer_a, "120.00", invoice=invoice)
    assert "amount" in refused.value.message_dict
    assert "100.00" in refused.value.message_dict["amount"][0]
    assert payments_of(customer_a) == 0

    record(admin, customer_a, "120.00", invoice=invoice, overpayment=True)
    with scope(organization=customer_a.organization):
        assert customer_balance(customer=customer_a) == Decimal("-20.00")


def test_on_account_with_nothing_open_needs_the_overpayment_confirmation(admin, customer_a):
    with pytest.raises(ValidationError) as refused:
        record(admin, customer_a, "50.00")
    assert "Nothing is open" in refused.value.message_dict["amount"][0]
    assert payments_of(customer_a) == 0
    assert record(admin, customer_a, "50.00", overpayment=True).contract is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": "100000000000"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"method": Payment.Method.CARD}, "method"),
        ({"method": "bitcoin"}, "method"),
        ({"received_on": "tomorrow"}, "received_on"),
        ({"received_on": "four years ago"}, "received_on"),
        ({"reference": "abc\x00def"}, "reference"),
        ({"reference": "x" * 101}, "reference"),
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(admin, customer_a, changes, field):
    invoice = issued_invoice(customer_a, "100.00")
    kwargs = {"amount": "10.00", "method": Payment.Method.CASH, "received_on": TODAY(), "reference": ""}
    kwargs.update(changes)
    days = {"tomorrow": 1, "four years ago": -4 * 366}
    if kwargs["received_on"] in days:
        kwargs["received_on"] = TODAY() + dt.timedelta(days=days[kwargs["received_on"]])
    with pytest.raises(ValidationError) as refused:
        record(admin, customer_a, invoice=invoice, **kwargs)
    assert field in refused.value.message_dict
    assert payments_of(customer_a) == 0


def test_what_it_pays_must_be_the_customers_and_payable(admin, customer_a, other_customer, contract_a1, contract_a2):
    foreign = issued_invoice(other_customer, "80.00")
    with pytest.raises(ValidationError) as refused:
        record(admin, customer_a, "10.00", invoice=foreign)
    assert "invoice" in refused.value.message_dict

    original = issued_invoice(customer_a, "80.00", contract=contract_a1)
    credit = issued_invoice(
        customer_a, "-80.00", contract=contract_a1, kind=Invoice.Kind.CREDIT_NOTE, corrects=original
    )
    with pytest.raises(ValidationError) as refused:
        record(admin, customer_a, "10.00", invoice=credit)
    assert "invoice" in refused.value.message_dict

    with pytest.raises(ValidationError) as refused:
        record(admin, other_customer, "10.00", contract=contract_a1, overpayment=True)
    assert "contract" in refused.value.message_dict

    with pytest.raises(ValidationError) as refused:
        record(admin, customer_a, "10.00", invoice=original, contract=contract_a2)
    assert "contract" in refused.value.message_dict
    assert payments_of(customer_a) == payments_of(other_customer) == 0


def test_who_may_record(viewer, cashier_a1, customer_a, contract_a1, contract_a2, org_b):
    issued_invoice(customer_a, "100.00", contract=contract_a1)
    issued_invoice(customer_a, "100.00", contract=contract_a2)
    with pytest.raises(PermissionDenied):
        record(viewer, customer_a, "10.00", contract=contract_a1)
    with pytest.raises(PermissionDenied):
        record(admin_of(org_b), customer_a, "10.00", contract=contract_a1)
    # Station staff take money of their own stations' transactions only, and nothing on account.
    with pytest.raises(PermissionDenied):
        record(cashier_a1, customer_a, "10.00", contract=contract_a2)
    with pytest.raises(PermissionDenied):
        record(cashier_a1, customer_a, "10.00", overpayment=True)
    assert payments_of(customer_a) == 0
    assert record(cashier_a1, customer_a, "10.00", contract=contract_a1).contract == contract_a1


def test_paying_an_open_payment_request_closes_it(admin, customer_a, contract_a1):
    request = payment(
        customer_a, "75.00", state=Payment.State.OPEN, contract=contract_a1, pay_token="tok-1", description="Tanken"
    )
    with pytest.raises(ValidationError) as refused:
        record(admin, customer_a, "50.00", open_payment=request)
    assert "amount" in refused.value.message_dict
    recorded = record(admin, customer_a, "75.00", open_payment=request)
    assert recorded.contract == contract_a1 and recorded.description == "Tanken"
    with scopes_disabled():
        request.refresh_from_db()
    assert request.state == Payment.State.CANCELLED
    with pytest.raises(ValidationError) as refused:
        record(admin, customer_a, "75.00", open_payment=request)
    assert "open_payment" in refused.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_two_people_recording_the_same_transfer_at_once_record_it_once(admin, customer_a, contract_a1):
    issued_invoice(customer_a, "100.00", contract=contract_a1)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def clerk():
        try:
            barrier.wait(timeout=10)
            record(admin, customer_a, "100.00", contract=contract_a1, method=Payment.Method.BANK_TRANSFER)
            outcomes.append("recorded")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=clerk) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["recorded", "refused"]
    assert payments_of(customer_a) == 1

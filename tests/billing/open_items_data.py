"""Rows for the open-items tests: invoices, payments and refunds written directly (as the other
billing topics' services would leave them), a booked contract per station, and the personas."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from billing.models import Invoice, Payment, Refund
from tests.actors import membership_of
from tests.conftest import data_helper, make_member
from tests.contracts.conftest import at, book, car1, group_a
from tests.customers.conftest import make_customer
from tests.vehicles.conftest import make_vehicle

_numbers = itertools.count(1)


@data_helper
def issued_invoice(
    customer,
    gross,
    *,
    contract=None,
    station=None,
    due: dt.date | None = None,
    issued: dt.date | None = None,
    kind=Invoice.Kind.INVOICE,
    corrects=None,
    payment_status=Invoice.PaymentStatus.OPEN,
) -> Invoice:
    today = timezone.localdate()
    gross = Decimal(gross)
    return Invoice.objects.create(
        organization=customer.organization,
        kind=kind,
        status=Invoice.Status.ISSUED,
        purpose=Invoice.Purpose.MANUAL if kind == Invoice.Kind.INVOICE else Invoice.Purpose.CANCELLATION,
        number=f"T-{next(_numbers):05d}",
        customer=customer,
        contract=contract,
        station=station or (contract.pickup_station if contract else None),
        corrects=corrects,
        issue_date=issued or today,
        due_date=due if due is not None else (issued or today) + dt.timedelta(days=14),
        net_total=(gross / Decimal("1.19")).quantize(Decimal("0.01")),
        vat_total=gross - (gross / Decimal("1.19")).quantize(Decimal("0.01")),
        gross_total=gross,
        payment_status=payment_status,
    )


@data_helper
def payment(
    customer,
    amount,
    *,
    state=Payment.State.SUCCEEDED,
    invoice=None,
    contract=None,
    purpose=Payment.Purpose.CHARGE,
    method=Payment.Method.STORED_CARD,
    days_ago: int = 0,
    pay_token: str = "",
    description: str = "",
) -> Payment:
    row = Payment.objects.create(
        organization=customer.organization,
        customer=customer,
        invoice=invoice,
        contract=contract if contract is not None else (invoice.contract if invoice else None),
        method=method,
        purpose=purpose,
        state=state,
        amount=Decimal(amount),
        pay_token=pay_token,
        description=description,
        succeeded_at=timezone.now() if state == Payment.State.SUCCEEDED else None,
    )
    if days_ago:
        Payment.objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
        row.refresh_from_db()
    return row


@data_helper
def refund(of_payment, amount, *, state=Refund.State.SUCCEEDED) -> Refund:
    return Refund.objects.create(
        organization_id=of_payment.organization_id, payment=of_payment, amount=Decimal(amount), state=state
    )


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the source language); the German .po has them translated."""
    with translation.override("en"):
        yield


@pytest.fixture
def customer_a(org_a):
    return make_customer(
        org_a, first_name="Jürgen", last_name="Müller", email="juergen@example.com", additional_parallel_bookings=10
    )


@pytest.fixture
def contract_a1(org_a, station_a1, group_a, car1, customer_a):
    return book(customer_a, group_a, station_a1, at(0), at(2), vehicle=car1)


@pytest.fixture
def contract_a2(org_a, station_a2, group_a, customer_a):
    car = make_vehicle(org_a, station_a2, group_a, plate="A-AA 2")
    return book(customer_a, group_a, station_a2, at(5), at(7), vehicle=car)


@pytest.fixture
def other_customer(org_a):
    return make_customer(org_a, first_name="Erika", last_name="Mustermann")


@pytest.fixture
def admin(org_a, admin_a):
    return membership_of(admin_a, org_a)


@pytest.fixture
def viewer(org_a):
    """Reads billing but may not take payments (auditor)."""
    return membership_of(make_member(org_a, "auditor@a.example", role_key="auditor"), org_a)


@pytest.fixture
def cashier_a1(org_a, station_a1):
    """Station staff of A1 who may record payments (a role with billing.change)."""
    from django_scopes import scopes_disabled

    user = make_member(org_a, "cashier1@a.example", stations=[station_a1])
    member = membership_of(user, org_a)
    with scopes_disabled():
        role = member.role
        role.pk = None
        role.key = "cashier"
        role.name = "Kasse A1"
        role.permissions = sorted({*role.permissions, "billing.change"})
        role.save()
        member.role = role
        member.save()
    return membership_of(user, org_a)


# What the test modules take with `import *`: the fixtures (and the autouse English one).
__all__ = [
    "_english",
    "admin",
    "car1",
    "cashier_a1",
    "contract_a1",
    "contract_a2",
    "customer_a",
    "group_a",
    "other_customer",
    "viewer",
]

"""Data for the invoice tests: a customer with a contract at station A1, lines, issued documents.

Fixtures build their rows with scopes disabled (tests/conftest.py); the helpers are `data_helper`s,
so tests call them without a scope and assert inside `scope(organization=...)`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from billing.models import BillingSettings, Invoice, Payment, Refund
from billing.services.invoice_lines import LineSpec
from billing.services.invoices import invoice_draft_create, invoice_issue
from tests.actors import admin_of
from tests.conftest import data_helper, make_member
from tests.contracts.conftest import at, book
from tests.customers.conftest import make_customer
from tests.vehicles.conftest import make_vehicle
from vehicles.models import VehicleGroup


def line(description="Reinigung", gross="119.00", rate="19", kind="free") -> LineSpec:
    return LineSpec.gross_amount(kind=kind, description=description, gross=Decimal(gross), vat_rate=Decimal(rate))


@pytest.fixture
def billing_a(org_a):
    return BillingSettings.objects.create(
        organization=org_a,
        invoice_prefix="RE-2026-",
        payment_terms_days=14,
        bank_name="Sparkasse München",
        iban="DE89370400440532013000",
        bic="COBADEFFXXX",
        invoice_footer="Geschäftsführer: Max König",
    )


@pytest.fixture
def inv_group(org_a):
    return VehicleGroup.objects.create(organization=org_a, name="Kompakt", code="KOMP")


@pytest.fixture
def inv_car(org_a, station_a1, inv_group):
    return make_vehicle(org_a, station_a1, inv_group, plate="M-RE 1")


@pytest.fixture
def inv_customer(org_a):
    return make_customer(
        org_a,
        first_name="Jürgen",
        last_name="Müller",
        street="Leopoldstraße 1",
        postal_code="80802",
        city="München",
        email="juergen@example.com",
        email_invoices="rechnung@mueller.example",
        additional_parallel_bookings=10,
    )


@pytest.fixture
def inv_contract(inv_customer, inv_group, station_a1, inv_car):
    return book(inv_customer, inv_group, station_a1, at(0), at(3), vehicle=inv_car)


@pytest.fixture
def biller_a1(org_a, station_a1):
    """May issue invoices, but only at station A1."""
    return make_member(org_a, "biller1@a.example", role_key="administrator", stations=[station_a1])


@data_helper
def draft(customer, *, lines=None, contract=None, station=None, actor=None, **fields) -> Invoice:
    return invoice_draft_create(
        actor=actor or admin_of(customer),
        customer=customer,
        contract=contract,
        station=station,
        lines=lines if lines is not None else [line()],
        **fields,
    )


@data_helper
def issued(customer, *, send=True, **kwargs) -> Invoice:
    invoice = draft(customer, **kwargs)
    return invoice_issue(actor=admin_of(customer), invoice=invoice, send=send)


@data_helper
def payment(invoice, amount, *, state=Payment.State.SUCCEEDED, method=Payment.Method.CASH, when=None) -> Payment:
    return Payment.objects.create(
        organization_id=invoice.organization_id,
        customer_id=invoice.customer_id,
        contract_id=invoice.contract_id,
        invoice=invoice,
        method=method,
        purpose=Payment.Purpose.MANUAL,
        state=state,
        amount=Decimal(amount),
        succeeded_at=(when or timezone.now()) if state == Payment.State.SUCCEEDED else None,
    )


@data_helper
def refund(pay, amount, *, credit_note=None, state=Refund.State.SUCCEEDED) -> Refund:
    return Refund.objects.create(
        organization_id=pay.organization_id,
        payment=pay,
        credit_note=credit_note,
        amount=Decimal(amount),
        state=state,
        succeeded_at=timezone.now() if state == Refund.State.SUCCEEDED else None,
    )


def fresh(invoice) -> Invoice:
    with scopes_disabled():
        return Invoice.objects.get(pk=invoice.pk)


def today() -> dt.date:
    return timezone.localdate()

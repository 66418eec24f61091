"""What is open: invoices' open amounts, payment requests, balances per transaction, ageing, stations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope

from billing import selectors_open_items as selectors
from billing.models import Invoice, Payment, Refund
from billing.selectors_open_balances import contract_balance, customer_balance, customer_open_balances
from tests.actors import admin_of, membership_of
from tests.billing.open_items_data import *  # noqa: F403  (its fixtures)
from tests.billing.open_items_data import issued_invoice, payment, refund

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def test_balance_per_transaction_is_invoiced_minus_paid_plus_refunded(admin, customer_a, contract_a1, contract_a2):
    booking = issued_invoice(customer_a, "300.00", contract=contract_a1)
    issued_invoice(customer_a, "-50.00", contract=contract_a1, kind=Invoice.Kind.CREDIT_NOTE, corrects=booking)
    paid = payment(customer_a, "100.00", invoice=booking)
    payment(customer_a, "40.00", contract=contract_a1, state=Payment.State.FAILED)  # never received
    refund(paid, "20.00")
    refund(paid, "10.00", state=Refund.State.FAILED)  # never paid out
    # A payment naming no contract counts for its invoice's contract.
    with scope(organization=customer_a.organization):
        Payment.objects.filter(pk=paid.pk).update(contract=None)
    issued_invoice(customer_a, "80.00", contract=contract_a2)
    payment(customer_a, "80.00", contract=contract_a2)  # settled: left out
    payment(customer_a, "30.00", purpose=Payment.Purpose.MANUAL)  # on account, no transaction

    with scope(organization=customer_a.organization):
        rows = customer_open_balances(membership=admin, station_filter=None, customer=customer_a)
        assert contract_balance(contract=contract_a1, customer=customer_a) == Decimal("170.00")
        assert customer_balance(customer=customer_a) == Decimal("140.00")
    by_contract = {row.contract.pk if row.contract else None: row for row in rows}
    assert set(by_contract) == {contract_a1.pk, None}
    first = by_contract[contract_a1.pk]
    assert (first.invoiced, first.paid, first.refunded, first.balance) == (
        Decimal("250.00"),
        Decimal("100.00"),
        Decimal("20.00"),
        Decimal("170.00"),
    )
    assert by_contract[None].balance == Decimal("-30.00")  # a credit in the customer's favour


def test_an_invoice_is_open_until_its_payments_minus_refunds_cover_it(admin, customer_a):
    invoice = issued_invoice(customer_a, "119.00")
    paid = payment(customer_a, "119.00", invoice=invoice)
    with scope(organization=customer_a.organization):
        assert selectors.invoice_open_amount(invoice=invoice) == Decimal("0.00")
        assert selectors.open_items(membership=admin).rows == []
    refund(paid, "19.00")
    with scope(organization=customer_a.organization):
        assert selectors.invoice_open_amount(invoice=invoice) == Decimal("19.00")
        rows = selectors.open_items(membership=admin).rows
    assert [(r.kind, r.pk, r.open_amount) for r in rows] == [("invoice", invoice.pk, Decimal("19.00"))]


@pytest.mark.parametrize(
    ("days_overdue", "bucket"),
    [(-10, "current"), (0, "current"), (1, "1_30"), (30, "1_30"), (31, "31_60"), (60, "31_60"), (61, "over_60")],
)
def test_ageing_by_due_date(admin, customer_a, days_overdue, bucket):
    issued_invoice(customer_a, "10.00", due=today() - dt.timedelta(days=days_overdue))
    with scope(organization=customer_a.organization):
        items = selectors.open_items(membership=admin)
        filtered = selectors.open_items(membership=admin, filters=selectors.OpenItemFilters(bucket=bucket))
        others = [key for key in selectors.BUCKET_KEYS if key != bucket]
        elsewhere = selectors.open_items(membership=admin, filters=selectors.OpenItemFilters(bucket=others[0]))
    assert [row.bucket for row in items.rows] == [bucket]
    assert items.rows[0].days_overdue == max(days_overdue, 0)
    assert items.totals[bucket] == Decimal("10.00")
    assert sum(items.totals.values()) == Decimal("10.00")
    assert len(filtered.rows) == 1 and elsewhere.rows == []
    assert elsewhere.totals == items.totals  # the totals show the spread whatever bucket is chosen


def test_open_payment_requests_are_listed_once(admin, customer_a, contract_a1):
    request = payment(customer_a, "60.00", state=Payment.State.OPEN, contract=contract_a1, pay_token="t1", days_ago=40)
    # A failed booking payment the customer then paid again is no longer awaited.
    payment(customer_a, "49.00", state=Payment.State.FAILED, contract=contract_a1, purpose=Payment.Purpose.BOOKING)
    payment(customer_a, "49.00", contract=contract_a1, purpose=Payment.Purpose.BOOKING)
    # A request for an invoice that is listed itself shows as that invoice, marked "pay link sent".
    invoice = issued_invoice(customer_a, "90.00", contract=contract_a1)
    payment(customer_a, "90.00", state=Payment.State.OPEN, invoice=invoice, pay_token="t2")
    with scope(organization=customer_a.organization):
        items = selectors.open_items(membership=admin)
    listed = [(row.kind, row.pk, row.open_amount, row.pay_link_sent, row.bucket) for row in items.rows]
    assert listed == [
        ("payment", request.pk, Decimal("60.00"), True, "31_60"),
        ("invoice", invoice.pk, Decimal("90.00"), True, "current"),
    ]
    assert items.total == Decimal("150.00")
    assert items.rows[0].customer == customer_a and items.rows[0].contract == contract_a1


def test_station_staff_see_their_stations_money_only(
    org_a,
    station_a1,
    station_a2,
    staff_a1,
    admin,
    customer_a,
    contract_a1,
    contract_a2,
):
    at_a1 = issued_invoice(customer_a, "10.00", contract=contract_a1)
    issued_invoice(customer_a, "20.00", contract=contract_a2)
    issued_invoice(customer_a, "30.00")  # no contract, no station: organization-wide
    payment(customer_a, "5.00", state=Payment.State.OPEN, contract=contract_a2)
    staff = membership_of(staff_a1, org_a)
    with scope(organization=org_a):
        mine = selectors.open_items(membership=staff)
        everything = selectors.open_items(membership=admin)
        filtered = selectors.open_items(membership=admin, filters=selectors.OpenItemFilters(station_id=station_a2.pk))
        balances = customer_open_balances(membership=staff, station_filter=None, customer=customer_a)
        top_bar = selectors.open_items(membership=admin, station_filter=station_a1.pk)
    assert [row.pk for row in mine.rows] == [at_a1.pk] and mine.total == Decimal("10.00")
    assert everything.total == Decimal("65.00")
    assert filtered.total == Decimal("25.00")
    assert [row.contract for row in balances] == [contract_a1]
    assert top_bar.total == Decimal("10.00")


def test_customer_filter_and_the_other_organization(admin, customer_a, org_b):
    from tests.customers.conftest import make_customer

    other = make_customer(customer_a.organization, first_name="Erika", last_name="Schulz")
    issued_invoice(customer_a, "10.00")
    issued_invoice(other, "20.00")
    outsider = make_customer(org_b, last_name="Müller")
    issued_invoice(outsider, "99.00")
    with scope(organization=customer_a.organization):
        by_name = selectors.open_items(membership=admin, filters=selectors.OpenItemFilters(customer_query="müller"))
        everything = selectors.open_items(membership=admin)
    assert [row.customer for row in by_name.rows] == [customer_a]
    assert everything.total == Decimal("30.00")
    with scope(organization=org_b):
        assert selectors.open_items(membership=admin_of(org_b)).total == Decimal("99.00")


def test_paging(admin, customer_a):
    for day in range(7):
        issued_invoice(customer_a, "1.00", due=today() - dt.timedelta(days=day))
    with scope(organization=customer_a.organization):
        first = selectors.open_items(membership=admin, limit=5)
        second = selectors.open_items(membership=admin, offset=5, limit=5)
    assert len(first.rows) == 5 and first.has_next
    assert len(second.rows) == 2 and not second.has_next
    dues = [row.due for row in first.rows + second.rows]
    assert dues == sorted(dues)  # oldest due first
    assert first.total == Decimal("7.00")

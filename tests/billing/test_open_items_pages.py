"""The open-items list, "record a payment" and the customer card's two money panels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from billing.models import Invoice, Payment
from tests.billing.open_items_data import *  # noqa: F403  (its fixtures)
from tests.billing.open_items_data import issued_invoice, payment
from tests.conftest import client_for
from tests.customers.conftest import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(request):
    """Pages in English (amounts "119.00 €"); the German rendering is the translations' test."""
    for name in request.fixturenames:
        if name.startswith("client_"):
            request.getfixturevalue(name).cookies["django_language"] = "en"


def en(client):
    client.cookies["django_language"] = "en"
    return client


def list_url(org, **query) -> str:
    from urllib.parse import urlencode

    return reverse("billing:open_items", args=[org.slug]) + (f"?{urlencode(query)}" if query else "")


def panel_url(org, key, customer) -> str:
    return reverse("panel_body", args=[org.slug, "customer", key, customer.pk])


def queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_list_shows_items_with_age_and_totals_per_bucket(client_admin_a, org_a, customer_a, contract_a1):
    today = timezone.localdate()
    old = issued_invoice(customer_a, "119.00", contract=contract_a1, due=today - dt.timedelta(days=45))
    issued_invoice(customer_a, "20.00", due=today + dt.timedelta(days=3))
    page = client_admin_a.get(list_url(org_a)).content.decode()
    assert old.number in page and contract_a1.number in page and "Jürgen Müller" in page
    assert "45 days overdue" in page
    assert "139.00 €" in page  # open in total
    filtered = client_admin_a.get(list_url(org_a, bucket="31_60")).content.decode()
    assert old.number in filtered and filtered.count('data-testid="open-item"') == 1
    assert reverse("billing:payment_record_invoice", args=[org_a.slug, old.pk]) in page


def test_list_needs_billing_view_and_record_needs_billing_change(org_a, customer_a, viewer):
    invoice = issued_invoice(customer_a, "10.00")
    from tests.conftest import make_member

    nobody = en(client_for(make_member(org_a, "mechanic@a.example", role_key="technician")))
    assert nobody.get(list_url(org_a)).status_code == 403
    reader = en(client_for(viewer.user))
    page = reader.get(list_url(org_a))
    assert page.status_code == 200 and invoice.number in page.content.decode()
    assert 'data-testid="record-payment"' not in page.content.decode()
    assert reader.get(reverse("billing:payment_record_invoice", args=[org_a.slug, invoice.pk])).status_code == 403


def test_list_query_count_does_not_grow_with_items(client_admin_a, org_a, customer_a, contract_a1):
    template = issued_invoice(customer_a, "10.00", contract=contract_a1)
    payment(customer_a, "5.00", state=Payment.State.OPEN, contract=contract_a1, pay_token="x1")
    one = queries(client_admin_a, list_url(org_a))
    for n in range(15):
        other = make_customer(org_a, last_name=f"Kunde{n}")
        issued_invoice(other, "10.00", contract=contract_a1 if n % 2 else None, due=timezone.localdate())
        payment(other, "3.00", state=Payment.State.OPEN, pay_token=f"y{n}")
    assert queries(client_admin_a, list_url(org_a)) == one
    # More than a page: the totals need their two aggregate queries, however many rows there are.
    with scopes_disabled():
        Invoice.objects.bulk_create(
            [Invoice(**{**model_to_dict_for_copy(template), "number": f"B-{n}"}) for n in range(40)]
        )
    assert queries(client_admin_a, list_url(org_a)) == one + 2
    # A customer search costs its candidate lookup; a bucket filter needs the totals of all buckets.
    assert queries(client_admin_a, list_url(org_a, customer="kunde", bucket="current")) == one + 3


def model_to_dict_for_copy(invoice):
    """The columns of an issued invoice, to write more like it in one query."""
    skip = {"id", "uuid", "number"}
    return {f.attname: getattr(invoice, f.attname) for f in Invoice._meta.concrete_fields if f.name not in skip}


def test_recording_a_payment_on_an_invoice(client_admin_a, org_a, customer_a, contract_a1):
    invoice = issued_invoice(customer_a, "119.00", contract=contract_a1)
    url = reverse("billing:payment_record_invoice", args=[org_a.slug, invoice.pk])
    form = client_admin_a.get(url).content.decode()
    assert 'value="119.00"' in form and invoice.number in form
    response = client_admin_a.post(
        url,
        {
            "amount": "119.00",
            "method": "bank_transfer",
            "received_on": timezone.localdate().isoformat(),
            "reference": "Überweisung 0815",
            "next": list_url(org_a),
        },
    )
    assert response.status_code == 302 and response["Location"] == list_url(org_a)
    with scopes_disabled():
        recorded = Payment.objects.get(invoice=invoice)
    assert (recorded.amount, recorded.method, recorded.reference) == (
        Decimal("119.00"),
        "bank_transfer",
        "Überweisung 0815",
    )
    assert invoice.number not in client_admin_a.get(list_url(org_a)).content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "1.999"}, "amount"),
        ({"amount": "99999999999999"}, "amount"),
        ({"amount": "12\x00"}, "amount"),
        ({"amount": "200.00"}, "amount"),  # more than is open, not confirmed
        ({"method": "card"}, "method"),
        ({"received_on": "2999-01-01"}, "received_on"),
        ({"received_on": "kein Datum"}, "received_on"),
        ({"reference": "a\x00b"}, "reference"),
    ],
)
def test_bad_input_shows_field_errors_and_records_nothing(client_admin_a, org_a, customer_a, data, field):
    invoice = issued_invoice(customer_a, "100.00")
    url = reverse("billing:payment_record_invoice", args=[org_a.slug, invoice.pk])
    post = {"amount": "50.00", "method": "cash", "received_on": timezone.localdate().isoformat(), **data}
    response = client_admin_a.post(url, post)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'class="invalid-feedback' in response.content.decode()
    with scopes_disabled():
        assert not Payment.objects.filter(customer=customer_a).exists()


def test_overpayment_when_confirmed(client_admin_a, org_a, customer_a):
    invoice = issued_invoice(customer_a, "100.00")
    url = reverse("billing:payment_record_invoice", args=[org_a.slug, invoice.pk])
    post = {"amount": "120.00", "method": "cash", "received_on": timezone.localdate().isoformat(), "overpayment": "on"}
    assert client_admin_a.post(url, post).status_code == 302
    balances = client_admin_a.get(panel_url(org_a, "open_balances", customer_a)).content.decode()
    assert "-20.00 €" in balances and "credit" in balances


def test_recording_on_an_open_payment_request_and_on_the_customer(client_admin_a, org_a, customer_a, contract_a1):
    issued_invoice(customer_a, "115.00", contract=contract_a1)  # the request's 75 € and 40 € more
    request = payment(customer_a, "75.00", state=Payment.State.OPEN, contract=contract_a1, pay_token="p1")
    url = reverse("billing:payment_record_payment", args=[org_a.slug, request.pk])
    post = {"amount": "75.00", "method": "card_terminal", "received_on": timezone.localdate().isoformat()}
    assert client_admin_a.post(url, post).status_code == 302
    with scopes_disabled():
        request.refresh_from_db()
    assert request.state == Payment.State.CANCELLED

    url = reverse("billing:payment_record_customer", args=[org_a.slug, customer_a.pk])
    page = client_admin_a.get(url).content.decode()
    assert contract_a1.number in page  # the transaction to choose
    post = {**post, "amount": "40.00", "contract": contract_a1.pk}
    assert client_admin_a.post(url, post).status_code == 302
    with scopes_disabled():
        assert Payment.objects.filter(contract=contract_a1, purpose=Payment.Purpose.MANUAL).count() == 2


def test_other_stations_and_organizations_get_404(
    org_a,
    client_admin_b,
    customer_a,
    contract_a1,
    contract_a2,
    cashier_a1,
):
    at_a2 = issued_invoice(customer_a, "10.00", contract=contract_a2)
    request_a2 = payment(customer_a, "5.00", state=Payment.State.OPEN, contract=contract_a2)
    at_a1 = issued_invoice(customer_a, "10.00", contract=contract_a1)
    cashier = en(client_for(cashier_a1.user))
    for name, pk in [("payment_record_invoice", at_a2.pk), ("payment_record_payment", request_a2.pk)]:
        url = reverse(f"billing:{name}", args=[org_a.slug, pk])
        assert cashier.get(url).status_code == 404
        assert cashier.post(url, {"amount": "5.00"}).status_code == 404
        assert client_admin_b.get(url.replace(org_a.slug, "org-b")).status_code == 404
    assert cashier.get(reverse("billing:payment_record_invoice", args=[org_a.slug, at_a1.pk])).status_code == 200
    list_page = cashier.get(list_url(org_a)).content.decode()
    assert at_a1.number in list_page and at_a2.number not in list_page


def test_card_panels_show_open_payments_and_balances(client_admin_a, org_a, customer_a, contract_a1, contract_a2):
    invoice = issued_invoice(
        customer_a, "119.00", contract=contract_a1, due=timezone.localdate() - dt.timedelta(days=3)
    )
    payment(customer_a, "19.00", invoice=invoice)
    issued_invoice(customer_a, "50.00", contract=contract_a2)
    payment(customer_a, "50.00", contract=contract_a2)
    card = client_admin_a.get(reverse("customers:card", args=[org_a.slug, customer_a.pk])).content.decode()
    assert panel_url(org_a, "open_payments", customer_a) in card
    assert panel_url(org_a, "open_balances", customer_a) in card
    open_payments = client_admin_a.get(panel_url(org_a, "open_payments", customer_a)).content.decode()
    assert invoice.number in open_payments and "100.00 €" in open_payments and "3 days overdue" in open_payments
    balances = client_admin_a.get(panel_url(org_a, "open_balances", customer_a)).content.decode()
    assert contract_a1.number in balances and contract_a2.number not in balances  # settled
    assert "119.00 €" in balances and "19.00 €" in balances and "100.00 €" in balances


def test_card_panels_for_station_staff_and_query_counts(
    org_a,
    client_admin_a,
    staff_a1,
    customer_a,
    contract_a1,
    contract_a2,
):
    issued_invoice(customer_a, "11.00", contract=contract_a1)
    hidden = issued_invoice(customer_a, "22.00", contract=contract_a2)
    staff = en(client_for(staff_a1))
    for key in ("open_payments", "open_balances"):
        body = staff.get(panel_url(org_a, key, customer_a)).content.decode()
        assert "11.00 €" in body
        assert hidden.number not in body and contract_a2.number not in body and "22.00" not in body
    counts = {
        key: queries(client_admin_a, panel_url(org_a, key, customer_a)) for key in ("open_payments", "open_balances")
    }
    for n in range(8):
        invoice = issued_invoice(customer_a, "10.00", contract=contract_a1 if n % 2 else contract_a2)
        payment(customer_a, "3.00", invoice=invoice)
        payment(customer_a, "4.00", state=Payment.State.OPEN, pay_token=f"z{n}", contract=contract_a1)
    for key, count in counts.items():
        assert queries(client_admin_a, panel_url(org_a, key, customer_a)) == count, key

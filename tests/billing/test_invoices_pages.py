"""Invoice pages as staff use them: the list with filters and totals, the document page, the PDF,
sending, cancelling, manual drafts, the billing settings and the contract's invoices panel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from billing.models import BillingSettings, Invoice, InvoiceLine
from rentoffice.models import Membership, OutboundMessage, Role
from tests.billing.invoice_data import *  # noqa: F403  (the fixtures)
from tests.billing.invoice_data import draft, fresh, issued, line, payment, refund
from tests.conftest import client_for, make_member
from tests.customers.conftest import make_customer

pytestmark = pytest.mark.django_db


def url(name, org, *args, **query):
    path = reverse(f"billing:{name}", args=[org.slug, *args])
    if query:
        from urllib.parse import urlencode

        path += "?" + urlencode(query)
    return path


def queries(client, path) -> tuple[int, str]:
    client.get(path)  # the first request of a session fills caches (content types, the session)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.status_code
    return len(captured), response.content.decode()


def rows(html: str) -> int:
    return html.count('data-testid="invoice-row"')


# --- list ---


def test_list_filters_and_totals_of_the_filtered_set(
    org_a, station_a1, station_a2, client_admin_a, inv_customer, inv_contract
):
    other = make_customer(org_a, last_name="Zweite", email="z@example.com")
    paid = issued(inv_customer, contract=inv_contract, lines=[line("Miete", "119.00")])
    payment(paid, "119.00")
    with scopes_disabled():
        from billing.services.invoice_status import invoice_payment_status_refresh

        invoice_payment_status_refresh(invoice=paid)
    issued(other, station=station_a2, lines=[line("Reinigung", "59.50")])
    draft(other, lines=[line("Entwurf", "10.00")])
    _count, html = queries(client_admin_a, url("invoice_list", org_a))
    assert rows(html) == 3
    assert "178,50 €" in html.split('data-testid="totals-gross">')[1].split("</dd>")[0]
    cases = [
        ({"payment_status": "paid"}, 1, "119,00 €"),
        ({"status": "draft"}, 1, "0,00 €"),
        ({"customer": other.number}, 2, "59,50 €"),
        ({"station": station_a2.pk}, 1, "59,50 €"),
        ({"contract": inv_contract.number}, 1, "119,00 €"),
        ({"issued_from": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}, 0, "0,00 €"),
        ({"issued_until": timezone.localdate().isoformat(), "kind": "invoice"}, 2, "178,50 €"),
    ]
    for query, expected_rows, gross in cases:
        _count, html = queries(client_admin_a, url("invoice_list", org_a, **query))
        assert rows(html) == expected_rows, query
        totals = html.split('data-testid="totals-gross">')[1].split("</dd>")[0]
        assert gross in totals, (query, totals)


def test_bad_filter_values_drop_only_their_filter(org_a, client_admin_a, inv_customer):
    issued(inv_customer)
    for query in ({"customer": "abc"}, {"issued_from": "2026-13-45"}, {"station": "99999999"}, {"status": "x\x00"}):
        response = client_admin_a.get(url("invoice_list", org_a, **query))
        assert response.status_code == 200 and rows(response.content.decode()) == 1


def test_list_query_count_stays_constant(org_a, client_admin_a, inv_customer, inv_contract):
    issued(inv_customer, contract=inv_contract)
    few, _html = queries(client_admin_a, url("invoice_list", org_a))
    for n in range(12):
        customer = make_customer(org_a, last_name=f"Kunde {n}", email=f"k{n}@example.com")
        issued(customer, lines=[line(f"Position {n}", "10.00"), line("Zweite", "5.00", "7")])
    many, html = queries(client_admin_a, url("invoice_list", org_a))
    assert rows(html) == 13 and many == few


def test_station_staff_see_only_their_stations_documents(
    org_a, station_a1, station_a2, staff_a1, inv_customer, inv_contract
):
    mine = issued(inv_customer, contract=inv_contract)  # contract at A1
    theirs = issued(inv_customer, station=station_a2, lines=[line("Augsburg", "20.00")])
    nobodys = issued(inv_customer, lines=[line("Zentrale", "30.00")])
    client = client_for(staff_a1)
    html = client.get(url("invoice_list", org_a)).content.decode()
    assert rows(html) == 1 and mine.number in html
    assert client.get(url("invoice_detail", org_a, mine.pk)).status_code == 200
    for other in (theirs, nobodys):
        assert client.get(url("invoice_detail", org_a, other.pk)).status_code == 404
        assert client.get(url("invoice_pdf", org_a, other.pk)).status_code == 404


def test_outsider_gets_404_for_every_invoice_url(org_a, org_b, client_admin_b, inv_customer):
    invoice = issued(inv_customer)
    for name in ("invoice_detail", "invoice_edit", "invoice_pdf", "invoice_cancel"):
        assert client_admin_b.get(url(name, org_a, invoice.pk)).status_code == 404
        assert client_admin_b.get(reverse(f"billing:{name}", args=[org_b.slug, invoice.pk])).status_code == 404
    for name in ("invoice_send", "invoice_issue", "invoice_delete"):
        assert client_admin_b.post(reverse(f"billing:{name}", args=[org_b.slug, invoice.pk])).status_code == 404


# --- the document page ---


def test_invoice_page_shows_lines_vat_per_rate_payments_and_refunds(org_a, client_admin_a, inv_customer):
    invoice = issued(inv_customer, lines=[line("Miete", "119.00"), line("Kaffee", "10.70", "7")])
    paid = payment(invoice, "129.70", method="card")
    refund(paid, "10.70")
    html = client_admin_a.get(url("invoice_detail", org_a, invoice.pk)).content.decode()
    assert invoice.number in html and "Miete" in html and "Kaffee" in html
    assert html.count('data-testid="vat-row"') == 2
    assert "USt. 7 % auf 10,00 €" in html and "USt. 19 % auf 100,00 €" in html
    assert html.count('data-testid="invoice-payment"') == 1 and "129,70 €" in html
    assert html.count('data-testid="invoice-refund"') == 1 and "−10,70 €" in html
    assert "rechnung@mueller.example" in html


def test_invoice_page_query_count_stays_constant(org_a, client_admin_a, inv_customer):
    small = issued(inv_customer, lines=[line("Eins", "10.00")])
    big = issued(inv_customer, lines=[line(f"Position {n}", "10.00", "7" if n % 2 else "19") for n in range(15)])
    payment(small, "1.00")
    for _ in range(5):
        refund(payment(big, "2.00"), "1.00")
    few, _html = queries(client_admin_a, url("invoice_detail", org_a, small.pk))
    many, _html = queries(client_admin_a, url("invoice_detail", org_a, big.pk))
    assert many == few


def test_pdf_download_is_the_issued_document(org_a, client_admin_a, inv_customer):
    invoice = issued(inv_customer)
    response = client_admin_a.get(url("invoice_pdf", org_a, invoice.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="invoice-{invoice.number}.pdf"'
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"%PDF")
    assert client_admin_a.get(url("invoice_pdf", org_a, draft(inv_customer).pk)).status_code == 404


def test_send_again_queues_a_message_to_the_invoice_address(org_a, client_admin_a, client_staff_a1, inv_customer):
    invoice = issued(inv_customer)
    response = client_admin_a.post(url("invoice_send", org_a, invoice.pk))
    assert response.status_code == 302
    with scopes_disabled():
        (message,) = OutboundMessage.objects.filter(organization=org_a, template="invoice")
    assert message.recipient == "rechnung@mueller.example"
    assert client_staff_a1.post(url("invoice_send", org_a, invoice.pk)).status_code in (403, 404)


def test_cancel_by_credit_note_needs_a_reason(org_a, client_admin_a, inv_customer):
    invoice = issued(inv_customer)
    response = client_admin_a.post(url("invoice_cancel", org_a, invoice.pk), {"reason": ""})
    assert response.status_code == 200 and "Dieses Feld ist zwingend erforderlich." in response.content.decode()
    response = client_admin_a.post(url("invoice_cancel", org_a, invoice.pk), {"reason": "x\x00y"})
    assert response.status_code == 200
    with scopes_disabled():
        assert not Invoice.objects.filter(corrects=invoice).exists()
    response = client_admin_a.post(url("invoice_cancel", org_a, invoice.pk), {"reason": "Falsche Adresse"})
    with scopes_disabled():
        credit = Invoice.objects.get(corrects=invoice)
    assert response.status_code == 302 and response["Location"] == url("invoice_detail", org_a, credit.pk)
    html = client_admin_a.get(response["Location"]).content.decode()
    assert "Diese Gutschrift korrigiert die Rechnung" in html and invoice.number in html
    assert fresh(invoice).payment_status == "credited"
    # the invoice page no longer offers to cancel it again
    assert (
        'data-testid="invoice-cancel"'
        not in client_admin_a.get(url("invoice_detail", org_a, invoice.pk)).content.decode()
    )


# --- manual drafts ---


def lines_post(*rows) -> dict:
    data = {
        "lines-TOTAL_FORMS": "8",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "8",
        "lines-MAX_NUM_FORMS": "8",
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"lines-{n}-{key}"] = value
    return data


def test_draft_create_edit_issue_and_delete_through_the_pages(
    org_a, billing_a, client_admin_a, inv_customer, inv_contract
):
    data = {
        "customer": str(inv_customer.number),
        "contract": inv_contract.number,
        "note": "Danke!",
        **lines_post(
            {"description": "Reinigung", "quantity": "2", "unit": "h", "unit_price": "29.75", "vat_rate": ""},
            {"description": "Maut", "quantity": "1", "unit_price": "12.40", "vat_rate": "0"},
        ),
    }
    response = client_admin_a.post(url("invoice_create", org_a), data)
    assert response.status_code == 302
    with scopes_disabled():
        invoice = Invoice.objects.get(customer=inv_customer)
        assert (
            invoice.is_draft
            and invoice.contract_id == inv_contract.pk
            and invoice.station_id == inv_contract.pickup_station_id
        )
        assert [(x.description, x.quantity, x.gross, x.net, x.vat_rate) for x in invoice.lines.all()] == [
            ("Reinigung", Decimal("2.00"), Decimal("59.50"), Decimal("50.00"), Decimal("19.00")),
            ("Maut", Decimal("1.00"), Decimal("12.40"), Decimal("12.40"), Decimal("0.00")),
        ]
    edit = {"note": "", **lines_post({"description": "Reinigung", "quantity": "1", "unit_price": "29.75"})}
    assert client_admin_a.post(url("invoice_edit", org_a, invoice.pk), edit).status_code == 302
    assert fresh(invoice).gross_total == Decimal("29.75")
    assert client_admin_a.post(url("invoice_issue", org_a, invoice.pk), {"send": "1"}).status_code == 302
    issued_one = fresh(invoice)
    assert issued_one.number == "RE-2026-1" and issued_one.email_requested
    # issued: the edit page sends back, delete refuses
    assert client_admin_a.get(url("invoice_edit", org_a, invoice.pk)).status_code == 302
    assert client_admin_a.post(url("invoice_delete", org_a, invoice.pk)).status_code == 302
    assert fresh(invoice).status == "issued"
    other = draft(inv_customer)
    assert client_admin_a.post(url("invoice_delete", org_a, other.pk)).status_code == 302
    with scopes_disabled():
        assert not Invoice.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize(
    ("header", "row", "field"),
    [
        ({"customer": "999999"}, {"description": "x", "quantity": "1", "unit_price": "1"}, "customer"),
        ({"customer": "abc"}, {"description": "x", "quantity": "1", "unit_price": "1"}, "customer"),
        ({"contract": "MV-NOPE"}, {"description": "x", "quantity": "1", "unit_price": "1"}, "contract"),
        ({}, {"description": "x", "quantity": "-1", "unit_price": "1"}, "quantity"),
        ({}, {"description": "x", "quantity": "1", "unit_price": "1e30"}, "unit_price"),
        ({}, {"description": "x", "quantity": "1", "unit_price": "NaN"}, "unit_price"),
        ({}, {"description": "x\x00", "quantity": "1", "unit_price": "1"}, "description"),
        ({}, {"description": "x", "quantity": "1", "unit_price": "1", "vat_rate": "250"}, "vat_rate"),
        ({}, {"description": "x", "quantity": "", "unit_price": "1"}, "quantity"),
        (
            {"service_start": "2026-05-10", "service_end": "2026-05-01"},
            {"description": "x", "quantity": "1", "unit_price": "1"},
            "service_end",
        ),
        ({"note": "a\x00b"}, {"description": "x", "quantity": "1", "unit_price": "1"}, "note"),
    ],
)
def test_bad_draft_input_gives_field_errors_and_writes_nothing(org_a, client_admin_a, inv_customer, header, row, field):
    data = {"customer": str(inv_customer.number), **header, **lines_post(row)}
    response = client_admin_a.post(url("invoice_create", org_a), data)
    assert response.status_code == 200
    form_errors = response.context["form"].errors
    line_errors = response.context["lines"].forms[0].errors
    assert field in form_errors or field in line_errors, (form_errors, line_errors)
    with scopes_disabled():
        assert not Invoice.objects.exists() and not InvoiceLine.objects.exists()


def test_issue_of_an_empty_draft_is_refused_with_a_message(org_a, client_admin_a, inv_customer):
    empty = draft(inv_customer, lines=[])
    response = client_admin_a.post(url("invoice_issue", org_a, empty.pk), follow=True)
    assert "Eine Rechnung braucht mindestens eine Position." in response.content.decode()
    assert fresh(empty).is_draft


def test_station_staff_cannot_reach_the_write_pages(org_a, client_staff_a1, inv_customer, inv_contract):
    invoice = issued(inv_customer, contract=inv_contract)
    assert client_staff_a1.get(url("invoice_create", org_a)).status_code == 403
    assert client_staff_a1.get(url("invoice_cancel", org_a, invoice.pk)).status_code == 403
    assert client_staff_a1.get(url("settings", org_a)).status_code == 403


# --- settings ---


def settings_post(**overrides) -> dict:
    data = {
        "invoice_prefix": "AK-2026-",
        "payment_terms_days": "30",
        "settlement_mode": "automatic",
        "hold_expiry": "reauthorise",
        "charge_first_day": "on",
        "fuel_price_per_eighth": "15.00",
        "damage_charge_minor": "150.00",
        "damage_charge_medium": "500.00",
        "damage_charge_major": "1000.00",
        "vat_rate": "19",
        "bank_name": "Sparkasse",
        "iban": "de89 3704 0044 0532 0130 00",
        "bic": "COBADEFFXXX",
        "invoice_footer": "HRB 1",
    }
    return {**data, **overrides}


def test_settings_page_saves_and_new_invoices_use_them(org_a, client_admin_a, inv_customer):
    response = client_admin_a.get(url("settings", org_a))
    assert response.status_code == 200 and 'value="RE-"' in response.content.decode()
    assert client_admin_a.post(url("settings", org_a), settings_post()).status_code == 302
    with scopes_disabled():
        stored = BillingSettings.objects.get(organization=org_a)
    assert (stored.invoice_prefix, stored.payment_terms_days, stored.iban) == ("AK-2026-", 30, "DE89370400440532013000")
    invoice = issued(inv_customer)
    assert invoice.number == "AK-2026-1" and invoice.due_date == invoice.issue_date + dt.timedelta(days=30)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("invoice_prefix", "RE 2026 <b>"),
        ("payment_terms_days", "-1"),
        ("payment_terms_days", "9999"),
        ("iban", "DE00123"),
        ("bic", "XX"),
        ("fuel_price_per_eighth", "-3"),
        ("vat_rate", "1e9"),
        ("invoice_footer", "a\x00b"),
        ("settlement_mode", "sometimes"),
    ],
)
def test_settings_bad_input_is_a_field_error(org_a, client_admin_a, field, value):
    response = client_admin_a.post(url("settings", org_a), settings_post(**{field: value}))
    assert response.status_code == 200 and field in response.context["form"].errors
    with scopes_disabled():
        assert not BillingSettings.objects.filter(organization=org_a).exists()


def test_settings_need_organization_management_too(org_a, client_admin_a):
    clerk = make_member(org_a, "billing@a.example", role_key="back_office")
    with scopes_disabled():
        role = Role.objects.create(
            organization=org_a, key="clerk", name="Clerk", permissions=["billing.view", "billing.change"]
        )
        Membership.objects.filter(user=clerk, organization=org_a).update(role=role)
    client = client_for(clerk)
    assert client.get(url("invoice_create", org_a)).status_code == 200
    assert client.get(url("settings", org_a)).status_code == 403
    assert client.post(url("settings", org_a), settings_post()).status_code == 403


# --- contract panel and navigation ---


def test_contract_page_lists_its_invoices(org_a, client_admin_a, inv_customer, inv_contract):
    invoice = issued(inv_customer, contract=inv_contract, lines=[line("Miete", "119.00")])
    issued(inv_customer, lines=[line("Anderes", "5.00")])
    html = client_admin_a.get(reverse("contracts:detail", args=[org_a.slug, inv_contract.pk])).content.decode()
    assert html.count('data-testid="contract-invoice"') == 1 and invoice.number in html
    assert url("invoice_pdf", org_a, invoice.pk) in html
    assert 'data-testid="contract-invoice-create"' in html


def test_navigation_offers_invoices_to_readers(org_a, client_staff_a1):
    html = client_staff_a1.get(reverse("org_dashboard", args=[org_a.slug])).content.decode()
    assert url("invoice_list", org_a) in html

"""Back office on a phone: the open-items list with its ageing, record a bank transfer for an overdue
invoice (a wrong amount first), and the customer card's money panels — axe clean, no CSP violation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from billing.models import Invoice, Payment
from tests.billing.open_items_data import *  # noqa: F403  (its fixtures)
from tests.billing.open_items_data import issued_invoice
from tests.conftest import PASSWORD
from tests.e2e.conftest import AXE, WCAG_21_AA, assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, page.url


def _accessible_panels(page: Page, *selectors: str) -> None:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "([include, tags]) => axe.run({include}, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        [[[s] for s in selectors], WCAG_21_AA],
    )
    assert not result["violations"], [v["id"] for v in result["violations"]]


@pytest.mark.browser_context_args(has_touch=True, viewport=PHONE)
def test_record_a_bank_transfer_for_an_overdue_invoice_on_a_phone(
    page: Page,
    live_server,
    org_a,
    admin_a,
    customer_a,
    contract_a1,
):
    today = timezone.localdate()
    overdue = issued_invoice(customer_a, "238.00", contract=contract_a1, due=today - dt.timedelta(days=40))
    issued_invoice(customer_a, "59.50", due=today + dt.timedelta(days=10))

    login(page, live_server, "admin@a.example", PASSWORD)
    page.goto(live_server.url + "/o/org-a/billing/open-items/")
    expect(page.locator("h1")).to_have_text("Offene Posten")
    expect(page.locator("[data-testid=open-total]")).to_have_text("297,50 €")
    expect(page.locator("[data-testid=bucket-31_60] [data-testid=bucket-total]")).to_have_text("238,00 €")
    _fits(page)
    assert_accessible(page)

    # The ageing cards filter the list.
    page.click("[data-testid=bucket-31_60]")
    expect(page.locator("[data-testid=open-item]")).to_have_count(1)
    expect(page.locator("[data-testid=open-item]")).to_contain_text(overdue.number)
    expect(page.locator("[data-testid=open-item]")).to_contain_text("40 Tage überfällig")

    page.click("[data-testid=record-payment]")
    expect(page.locator("h1")).to_have_text("Zahlung erfassen")
    expect(page.locator("#id_amount")).to_have_value("238.00")
    _fits(page)
    assert_accessible(page)

    # More than is open, without confirming an overpayment: a field error, nothing recorded.
    page.fill("#id_amount", "300")
    page.check("input[name=method][value=bank_transfer]")
    page.fill("#id_reference", "Überweisung RE 0815")
    page.click("[data-testid=record-save]")
    expect(page.locator("#id_amount.is-invalid")).to_have_count(1)
    expect(page.locator(".invalid-feedback").first).to_contain_text("Offen sind nur 238,00 €")
    assert_accessible(page)
    with scopes_disabled():
        assert not Payment.objects.filter(customer=customer_a).exists()

    page.fill("#id_amount", "238.00")
    page.click("[data-testid=record-save]")
    expect(page).to_have_url(re.compile(r"/billing/open-items/"))
    expect(page.locator(".alert-success")).to_contain_text("238,00 € per Überweisung")
    expect(page.locator("[data-testid=open-total]")).to_have_text("59,50 €")
    with scopes_disabled():
        recorded = Payment.objects.get(customer=customer_a)
        overdue.refresh_from_db()
    assert (recorded.method, recorded.reference) == (Payment.Method.BANK_TRANSFER, "Überweisung RE 0815")
    assert overdue.payment_status == Invoice.PaymentStatus.PAID

    # The customer card: what is still open, and per transaction nothing left on the paid one.
    page.goto(live_server.url + f"/o/org-a/customers/{customer_a.pk}/")
    expect(page.locator("[data-testid=open-payments-total]")).to_have_text("59,50 €")
    expect(page.locator("[data-testid=open-balances]")).to_contain_text("59,50 €")
    expect(page.locator("[data-testid=open-balances]")).not_to_contain_text(contract_a1.number)
    _fits(page)
    # The card's other panels are the customers app's; axe checks the two money panels here.
    _accessible_panels(page, "#panel-open_payments", "#panel-open_balances")

"""The customer card at 1366 px and on a phone: tabs in one row, a short page with a section bar,
and editing on the phone still keeps unsaved input across tabs (issue 7, item 20)."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from customers.models import Customer, CustomerDocument
from tests.conftest import PASSWORD
from tests.customers.conftest import make_customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, email):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.fixture
def customer(org_a):
    with scopes_disabled():
        customer = make_customer(
            org_a, first_name="Petra", last_name="Telefon", email="petra@example.com", city="München"
        )
        for i in range(3):
            CustomerDocument.objects.create(
                organization=org_a, customer=customer, original_name=f"Vertrag-{i}.pdf", file=f"x/{i}.pdf"
            )
    return customer


def tab_rows(page) -> int:
    tops = page.eval_on_selector_all(
        "#customer-tabs button", "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
    )
    return len(set(tops))


def test_tabs_are_one_row_at_1366(page, live_server, org_a, admin_a, customer):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, live_server, admin_a.email)
    page.goto(f"{live_server.url}/o/{org_a.slug}/customers/{customer.pk}/")
    assert tab_rows(page) == 1
    # The last tab scrolls into view when chosen; its fields are shown.
    page.click("[data-testid=tab-config]")
    expect(page.locator("#id_c-notes")).to_be_visible()
    expect(page.locator("#master-data-body")).to_be_visible()


def test_phone_card_is_short_and_navigable_and_keeps_unsaved_input(page, live_server, org_a, admin_a, customer):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, admin_a.email)
    page.goto(f"{live_server.url}/o/{org_a.slug}/customers/{customer.pk}/")
    assert tab_rows(page) == 1
    # Master data start folded: the documents are within two screens, not ~4 screens down.
    expect(page.locator("#master-data-body")).to_be_hidden()
    documents_top = page.evaluate("document.getElementById('panel-documents').getBoundingClientRect().top")
    assert documents_top < 2 * 844, documents_top
    page.click("[data-testid=section-documents]")
    expect(page.locator("[data-testid=documents-list]")).to_contain_text("Vertrag-2.pdf")
    expect(page.locator("#panel-documents")).to_be_in_viewport()

    page.click("[data-testid=customer-edit]")
    expect(page.locator("#id_c-city")).to_be_visible()
    page.fill("#id_c-city", "Freising")
    page.click("[data-testid=tab-billing]")
    page.fill("#id_c-account_holder", "Petra Telefon")
    expect(page.locator("[data-testid=tab-billing] .tab-changed-dot")).to_be_visible()
    page.click("[data-testid=tab-address]")
    expect(page.locator("#id_c-city")).to_have_value("Freising")
    expect(page.locator("[data-testid=tab-address] .tab-changed-dot")).to_be_visible()
    page.click("[data-testid=customer-save]")
    expect(page.locator(".alert-success")).to_be_visible()
    with scopes_disabled():
        saved = Customer.objects.get(pk=customer.pk)
    assert saved.city == "Freising" and saved.account_holder == "Petra Telefon"


def test_phone_card_with_errors_opens_folded_master_data(page, live_server, org_a, admin_a, customer):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, admin_a.email)
    page.goto(f"{live_server.url}/o/{org_a.slug}/customers/{customer.pk}/")
    page.wait_for_load_state("networkidle")  # the lazy panels are in: nothing moves under the clicks
    page.click("[data-testid=master-data-toggle]")
    page.click("[data-testid=tab-billing]")
    page.select_option("#id_c-einvoice_mode", "xrechnung")
    with page.expect_navigation():
        page.click("[data-testid=customer-save]")
    expect(page.locator("#master-data-body")).to_be_visible()
    expect(page.locator("[data-testid=tab-billing]")).to_have_class(__import__("re").compile(r"text-danger"))
    expect(page.locator("#tab-billing")).to_contain_text("Leitweg-ID")

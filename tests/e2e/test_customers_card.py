"""Browser walk-throughs of the customer card: search, edit two tabs, save, activity; merge."""

import pytest
from playwright.sync_api import expect

from customers.models import Customer
from tests.conftest import PASSWORD, in_scope
from tests.customers.conftest import make_customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, email):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/login/" not in url)


@in_scope()
def test_search_edit_two_tabs_save_and_see_activity(page, live_server, org_a, admin_a):
    make_customer(org_a, first_name="Jürgen", last_name="Müller", email="juergen@example.com")
    make_customer(org_a, first_name="Petra", last_name="Peters")
    login(page, live_server, admin_a.email)
    page.goto(f"{live_server.url}/o/{org_a.slug}/customers/")
    page.fill("#global-search", "muell")
    hit = page.locator("#global-search-results [data-testid=search-hit]")
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text("Jürgen Müller")
    hit.click()
    expect(page.locator("[data-testid=customer-header]")).to_contain_text("Jürgen Müller")

    page.fill("#id_c-city", "Augsburg")
    expect(page.locator("[data-testid=tab-address] .tab-changed-dot")).to_be_visible()
    page.click("[data-testid=tab-billing]")
    page.fill("#id_c-account_holder", "Jürgen Müller")
    page.fill("#id_c-iban", "DE89 3704 0044 0532 0130 00")
    expect(page.locator("[data-testid=tab-billing] .tab-changed-dot")).to_be_visible()
    # Switching back keeps the unsaved value of the first tab.
    page.click("[data-testid=tab-address]")
    expect(page.locator("#id_c-city")).to_have_value("Augsburg")
    page.click("[data-testid=customer-save]")

    expect(page.locator(".alert-success")).to_be_visible()
    customer = Customer.objects.get(last_name="Müller")
    assert customer.city == "Augsburg" and customer.iban == "DE89370400440532013000"
    activity = page.locator("[data-testid=activity-list]")
    expect(activity).to_contain_text("Augsburg")
    expect(activity).to_contain_text("DE89370400440532013000")


def test_save_with_error_opens_the_tab_with_the_error(page, live_server, org_a, admin_a):
    customer = make_customer(org_a, first_name="Eva", last_name="Fehler")
    login(page, live_server, admin_a.email)
    page.goto(f"{live_server.url}/o/{org_a.slug}/customers/{customer.pk}/")
    page.click("[data-testid=tab-billing]")
    page.select_option("#id_c-einvoice_mode", "xrechnung")
    page.click("[data-testid=tab-address]")
    page.click("[data-testid=customer-save]")
    expect(page.locator("[data-testid=tab-billing]")).to_have_class(
        __import__("re").compile(r"active.*text-danger|text-danger.*active")
    )
    expect(page.locator("#tab-billing")).to_contain_text("Leitweg-ID")


@in_scope()
def test_merge_two_customers_in_the_browser(page, live_server, org_a, admin_a):
    survivor = make_customer(
        org_a, first_name="Anna", last_name="Doppelt", email="anna@alt.example", city="Köln", cards=["CARD-A"]
    )
    other = make_customer(
        org_a, first_name="Anna", last_name="Doppelt-Neu", email="anna@neu.example", city="Bonn", cards=["CARD-B"]
    )
    login(page, live_server, admin_a.email)
    page.goto(f"{live_server.url}/o/{org_a.slug}/customers/{survivor.pk}/")
    page.click("[data-testid=action-merge]")
    page.fill("[data-testid=merge-search]", "doppelt-neu")
    page.locator("[data-testid=merge-hit]").first.click()
    expect(page.locator("[data-testid=merge-table]")).to_contain_text("anna@neu.example")
    page.click("[data-testid=take-email]")
    page.click("[data-testid=merge-confirm]")
    expect(page.locator(".alert-success")).to_be_visible()
    survivor.refresh_from_db()
    assert survivor.email == "anna@neu.example" and survivor.city == "Köln"
    assert not Customer.objects.filter(pk=other.pk).exists()
    assert set(survivor.access_cards.values_list("number", flat=True)) == {"CARD-A", "CARD-B"}
    expect(page.locator("[data-testid=activity-list]")).to_contain_text("Doppelt-Neu")


@in_scope()
def test_upload_document_and_email_it(page, live_server, org_a, admin_a, tmp_path):
    from rentoffice.models import OutboundMessage

    customer = make_customer(
        org_a,
        first_name="Doris",
        last_name="Dokument",
        email="doris@example.com",
        email_invoices="rechnung@example.com",
    )
    pdf = tmp_path / "Mandat.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    login(page, live_server, admin_a.email)
    page.goto(f"{live_server.url}/o/{org_a.slug}/customers/{customer.pk}/")
    page.set_input_files("[data-testid=document-file]", str(pdf))
    page.click("[data-testid=document-upload]")
    expect(page.locator("[data-testid=documents-list]")).to_contain_text("Mandat.pdf")

    page.click("[data-testid=action-email]")
    page.select_option("#id_purpose", "invoice")
    page.fill("#id_subject", "Ihr Mandat, {first_name}")
    page.fill("#id_body", "Kundennummer {customer_number}")
    page.get_by_label("Mandat.pdf").check()
    page.click("[data-testid=email-send]")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("[data-testid=messages-list]")).to_contain_text("Ihr Mandat, Doris")
    message = OutboundMessage.objects.get(purpose="customer_email")
    assert message.recipient == "rechnung@example.com"
    assert [a["name"] for a in message.attachments] == ["Mandat.pdf"]


def test_top_bar_search_with_the_keyboard_on_a_phone(page, live_server, org_a, admin_a):
    make_customer(org_a, first_name="Jürgen", last_name="Müller")
    make_customer(org_a, first_name="Anna", last_name="Müller")
    login(page, live_server, admin_a.email)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/o/{org_a.slug}/")
    page.click("[data-bs-target='#topbar-menu']")
    page.fill("#global-search", "müller")
    hits = page.locator("#global-search-results [data-testid=search-hit]")
    expect(hits).to_have_count(2)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(hits.nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(page.locator("#global-search")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid=customer-header]")).to_contain_text("Anna Müller")


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 800}, {"width": 390, "height": 800}])
def test_top_bar_dropdown_shows_long_names_and_e_mails(page, live_server, org_a, admin_a, viewport):
    make_customer(
        org_a,
        kind="legal_entity",
        company="Müller & Söhne Transporte GmbH",
        last_name="Müller-Lüdenscheidt",
        email="buchhaltung.mueller-soehne@transporte-example.com",
    )
    login(page, live_server, admin_a.email)
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/o/{org_a.slug}/")
    if viewport["width"] < 768:
        page.click("[data-bs-target='#topbar-menu']")
    page.fill("#global-search", "söhne")
    hit = page.locator("#global-search-results [data-testid=search-hit]")
    expect(hit).to_have_count(1)
    box = page.locator("#global-search-results").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]  # fully on screen
    # Neither the name nor the e-mail is cut off (a long e-mail wraps on a phone).
    assert hit.evaluate("e => [...e.querySelectorAll('span, div')].every(x => x.scrollWidth <= x.clientWidth + 1)")
    expect(hit).to_contain_text("buchhaltung.mueller-soehne@transporte-example.com")

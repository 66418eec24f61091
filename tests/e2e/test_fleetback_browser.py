"""Dealer cases end to end: the back office creates a mechanics case with three work items and
sends it; the customer answers on a phone (approves two items, rates); the back office sees the
answer with the accepted amount. Every page passes axe-core (WCAG 2.1 AA)."""

import re

import pytest
from django_scopes import scope
from playwright.sync_api import Page, expect

from rentoffice.models import OutboundMessage
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, login
from tests.fleetback.helpers import brand_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
ITEMS = [
    ("Bremsbeläge vorne", "urgent", "100"),
    ("Wischerblätter", "recommended", "50"),
    ("Klimaservice", "recommended", "30"),
]


def _messages(org, **filters) -> int:
    with scope(organization=org):
        return OutboundMessage.objects.filter(organization=org, **filters).count()


def test_case_from_back_office_to_customer_phone_and_back(page: Page, browser, live_server, org_a, station_a1, admin_a):
    brand = brand_of(station_a1)
    login(page, live_server, "admin@a.example", PASSWORD)
    page.goto(live_server.url + "/o/org-a/cases/after-sales/")
    assert_accessible(page)
    page.click("[data-testid=case-new]")
    assert_accessible(page)
    page.select_option("#id_station", str(station_a1.pk))
    page.select_option("#id_brand", str(brand.pk))
    page.select_option("#id_module", "mechanics")
    page.fill("#id_reference", "AU-4711")
    page.fill("#id_plate", "M-FB 42")
    page.select_option("#id_contact_salutation", "ms")
    page.fill("#id_contact_last_name", "Kundin")
    page.fill("#id_contact_email", "kundin@example.com")
    page.select_option("#id_contact_language", "en")
    page.fill("#id_message", "Bei der Inspektion ist uns Folgendes aufgefallen.")
    page.click("[data-testid=add-row]")
    page.click("[data-testid=add-row]")
    expect(page.locator("[data-testid=work-row]")).to_have_count(3)
    for index, (title, urgency, price) in enumerate(ITEMS):
        page.fill(f"#id_items-{index}-title", title)
        page.select_option(f"#id_items-{index}-urgency", urgency)
        page.fill(f"#id_items-{index}-price", price)
    page.click("[data-testid=case-save]")
    expect(page.locator("[data-testid=case-status]")).to_have_text("Versand ausstehend")
    assert_accessible(page)

    page.click("[data-testid=case-send]")
    assert_accessible(page)
    page.check("input[name=channel][value=email]")
    page.click("[data-testid=send-submit]")
    expect(page.locator("[data-testid=case-status]")).to_have_text("Gesendet")
    assert _messages(org_a, recipient="kundin@example.com") == 1
    link = page.input_value("[data-testid=recipient-link]")
    assert re.search(r"/c/[\w-]{40,}/$", link)

    phone = browser.new_context(viewport=PHONE, has_touch=True, locale="en-GB")
    customer = phone.new_page()
    customer.goto(link)
    expect(customer.locator("h1")).to_contain_text("Your vehicle")
    assert customer.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert_accessible(customer)
    cards = customer.locator("[data-testid=customer-item]")
    expect(cards.nth(0).locator(".badge", has_text="Urgent")).to_be_visible()
    cards.nth(0).get_by_text("Approve", exact=True).tap()
    cards.nth(1).get_by_text("Approve", exact=True).tap()
    cards.nth(2).get_by_text("Decline", exact=True).tap()
    expect(customer.locator("[data-testid=customer-total]")).to_have_text("150.00")
    customer.get_by_text("5 stars").tap()
    customer.fill("#comment", "Quick and clear.")
    customer.click("[data-testid=customer-submit]")
    expect(customer.locator("[data-testid=answer-locked]")).to_be_visible()
    expect(customer.locator("[data-testid=customer-submit]")).to_have_count(0)
    assert_accessible(customer)
    phone.close()

    page.reload()
    expect(page.locator("[data-testid=case-status]")).to_have_text("Beantwortet")
    expect(page.locator("[data-testid=accepted]")).to_have_text("150,00 €")
    expect(page.locator("[data-testid=case-rating]")).to_contain_text("5/5")
    expect(page.locator("[data-testid=history]")).to_contain_text("Vom Kunden beantwortet")
    assert_accessible(page)
    # the assignee (here the author) was told by e-mail
    assert _messages(org_a, template="fleetback_answered") == 1

"""Staff take a booking's card payment and deposit in the Payment Element (the fake Stripe server's
stand-in for Stripe.js): a card that succeeds, one that asks for 3-D Secure, one that is declined and
then paid with another card — and a customer pays an open payment on their pay page. At desktop and
phone width, every page accessible (axe-core) and running under the Content-Security-Policy."""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from billing.models import DepositHold, Payment
from tests.billing.payment_pages_data import rental
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

VISA = "4242424242424242"
THREE_D_SECURE = "4000002760003184"
DECLINED = "4000000000000002"


@pytest.fixture
def eager_tasks():
    """Money moves in Celery tasks; here they run at once in the live server's thread."""
    from rentoffice.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def _check(page: Page) -> None:
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, page.url


def _fill_card(page: Page, number: str) -> None:
    element = page.locator("#payment-element")
    expect(element.locator("input").first).to_be_visible()
    element.get_by_label(re.compile("Kartennummer|Card number")).fill(number)
    element.get_by_label(re.compile("Ablauf|Expir")).fill("12/34")
    element.get_by_label(re.compile("Prüfnummer|CVC")).fill("123")


def _open_payment(page: Page, live_server, contract) -> None:
    page.goto(live_server.url + f"/o/org-a/contracts/{contract.pk}/")
    start = page.locator("[data-testid=booking-payment-start]")
    start.scroll_into_view_if_needed()
    start.click()
    expect(page.locator("h1")).to_have_text("Kartenzahlung und Kaution")
    expect(page.locator("[data-testid=amount-now]")).to_contain_text("49,00 €")
    expect(page.locator("[data-testid=amount-deposit]")).to_contain_text("300,00 €")


def _state(contract):
    with scopes_disabled():
        payment = Payment.objects.filter(contract=contract, purpose="booking").order_by("-pk").first()
        hold = DepositHold.objects.filter(contract=contract).order_by("-pk").first()
        return payment.state if payment else None, hold.state if hold else None


def _pay_and_see_the_hold(page: Page, live_server, contract) -> None:
    expect(page.locator("[data-testid=payment-result]")).to_have_attribute("data-result", "succeeded")
    _check(page)
    page.click("[data-testid=back-to-contract]")
    panel = page.locator("[data-testid=payments-panel]")
    expect(panel.locator("[data-testid=payment][data-purpose=booking]")).to_have_attribute("data-state", "succeeded")
    expect(panel.locator("[data-testid=deposit-hold]")).to_have_attribute("data-state", "held")
    expect(panel.locator("[data-testid=hold-expiry]")).to_be_visible()
    expect(panel.locator("[data-testid=stored-card]")).to_contain_text("4242")
    _check(page)
    assert _state(contract) == (Payment.State.SUCCEEDED, DepositHold.State.HELD)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_card_payment_and_deposit(page: Page, live_server, org_a, station_a1, staff_a1, eager_tasks, viewport):
    contract = rental(org_a, station_a1)
    page.set_viewport_size(viewport)
    login(page, live_server, "staff1@a.example", PASSWORD)
    _open_payment(page, live_server, contract)
    _check(page)
    _fill_card(page, VISA)
    page.click("[data-testid=payment-submit]")
    _pay_and_see_the_hold(page, live_server, contract)


def test_three_d_secure_card(page: Page, live_server, org_a, station_a1, staff_a1, eager_tasks):
    contract = rental(org_a, station_a1)
    login(page, live_server, "staff1@a.example", PASSWORD)
    _open_payment(page, live_server, contract)
    _fill_card(page, THREE_D_SECURE)
    page.click("[data-testid=payment-submit]")
    # The fake's challenge page stands in for the bank's.
    page.get_by_role("button", name=re.compile("Complete|Abschließen|Bestätigen")).click()
    expect(page.locator("[data-testid=payment-result]")).to_have_attribute("data-result", "succeeded")
    _check(page)


def test_declined_card_then_another(page: Page, live_server, org_a, station_a1, staff_a1, eager_tasks):
    contract = rental(org_a, station_a1)
    page.set_viewport_size(PHONE)
    login(page, live_server, "staff1@a.example", PASSWORD)
    _open_payment(page, live_server, contract)
    _fill_card(page, DECLINED)
    page.click("[data-testid=payment-submit]")
    message = page.locator("[data-testid=payment-message], [data-testid=payment-result][data-result=declined]")
    expect(message.first).to_be_visible()
    _check(page)
    assert _state(contract)[0] != Payment.State.SUCCEEDED
    _fill_card(page, VISA)
    page.click("[data-testid=payment-submit]")
    _pay_and_see_the_hold(page, live_server, contract)

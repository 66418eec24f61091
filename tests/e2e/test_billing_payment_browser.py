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
from tests.billing.payment_pages_data import open_charge, rental
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

VISA = "4242424242424242"
# 3-D Secure once when the card is saved; later off-session payments (the deposit hold) go through.
THREE_D_SECURE = "4000002500003155"
# 3-D Secure on every payment: the hold off-session is refused with authentication_required.
THREE_D_SECURE_ALWAYS = "4000002760003184"
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


def _pay_and_see_the_hold(page: Page, live_server, contract, last4: str = "4242") -> None:
    expect(page.locator("[data-testid=payment-result]")).to_have_attribute("data-result", "succeeded")
    _check(page)
    page.click("[data-testid=back-to-contract]")
    panel = page.locator("[data-testid=payments-panel]")
    expect(panel.locator("[data-testid=payment][data-purpose=booking]")).to_have_attribute("data-state", "succeeded")
    expect(panel.locator("[data-testid=deposit-hold]")).to_have_attribute("data-state", "held")
    expect(panel.locator("[data-testid=hold-expiry]")).to_be_visible()
    expect(panel.locator("[data-testid=stored-card]")).to_contain_text(last4)
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
    page.get_by_role("button", name=re.compile("abschließen|complete", re.I)).click()
    _pay_and_see_the_hold(page, live_server, contract, last4="3155")


def test_three_d_secure_failed_then_card_that_needs_it_always(
    page: Page, live_server, org_a, station_a1, staff_a1, eager_tasks
):
    contract = rental(org_a, station_a1)
    login(page, live_server, "staff1@a.example", PASSWORD)
    _open_payment(page, live_server, contract)
    _fill_card(page, THREE_D_SECURE)
    page.click("[data-testid=payment-submit]")
    page.get_by_role("button", name=re.compile("ablehnen|fail", re.I)).click()
    # Back on the return page: not paid, the Payment Element again for another try.
    expect(page.locator("[data-testid=payment-result]")).to_have_attribute("data-result", "declined")
    _check(page)
    _fill_card(page, THREE_D_SECURE_ALWAYS)
    page.click("[data-testid=payment-submit]")
    page.get_by_role("button", name=re.compile("abschließen|complete", re.I)).click()
    expect(page.locator("[data-testid=payment-result]")).to_have_attribute("data-result", "succeeded")
    # The day is paid; the deposit could not be held without the customer, and the page says why.
    expect(page.locator("[data-testid=return-hold]")).to_have_attribute("data-state", "failed")
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


def test_customer_pays_an_open_payment_on_the_pay_page(page: Page, live_server, org_a, station_a1, eager_tasks):
    contract = rental(org_a, station_a1)
    charge = open_charge(contract)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + f"/pay/{charge.pay_token}/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("[data-testid=pay-amount]")).to_contain_text("25,00 €")
    _check(page)
    _fill_card(page, DECLINED)
    page.click("[data-testid=payment-submit]")
    expect(page.locator("[data-testid=payment-message]")).to_be_visible()
    _fill_card(page, VISA)
    page.click("[data-testid=payment-submit]")
    expect(page.locator("[data-testid=pay-result]")).to_have_attribute("data-result", "succeeded")
    _check(page)
    with scopes_disabled():
        charge.refresh_from_db()
    assert charge.state == Payment.State.SUCCEEDED

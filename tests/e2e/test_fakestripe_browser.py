"""The Stripe.js stand-in in a real Chromium, on the fake's own checkout page (strict CSP):
the card form is labelled and accessible, a good card pays, a declined card says why, 3-D Secure
goes through the challenge page and back to return_url like Stripe, a card can be saved."""

import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from billing.provider import provider_for
from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def provider(org_a):
    return provider_for(org_a)


@pytest.fixture
def customer_id(provider):
    return provider.customer_create(name="Erika Muster", email="", idempotency_key="c:browser", metadata={})


def open_checkout(page: Page, fake_stripe, provider, client_secret, lang="de"):
    query = urlencode({"pk": provider.publishable_key, "client_secret": client_secret, "lang": lang})
    page.goto(f"{fake_stripe.url}/_fake/checkout?{query}")


def fill_card(page: Page, number, expiry="12 / 34", cvc="123", lang="de"):
    labels = {
        "de": ("Kartennummer", "Ablaufdatum", "Prüfnummer"),
        "en": ("Card number", "Expiry date", "Security code"),
    }
    number_label, expiry_label, cvc_label = labels[lang]
    page.get_by_label(number_label).fill(number)
    page.get_by_label(expiry_label).fill(expiry)
    page.get_by_label(cvc_label).fill(cvc)


def charge(provider, customer_id, key):
    return provider.charge(
        amount=Decimal("59.00"),
        currency="EUR",
        customer_id=customer_id,
        description="Miete",
        idempotency_key=key,
        metadata={},
        save_card=True,
    )


def test_good_card_pays_and_returns_like_stripe(page: Page, fake_stripe, provider, customer_id):
    intent = charge(provider, customer_id, "p:b1")
    open_checkout(page, fake_stripe, provider, intent.client_secret)
    fill_card(page, "4242 4242 4242 4242")
    assert_accessible(page)
    page.get_by_role("button", name="Bezahlen").click()
    expect(page).to_have_url(re.compile(r"/_fake/returned\?"))
    expect(page.locator("[data-param=redirect_status]")).to_have_text("succeeded")
    expect(page.locator("[data-param=payment_intent]")).to_have_text(intent.id)
    expect(page.locator("[data-param=payment_intent_client_secret]")).to_have_text(intent.client_secret)
    paid = provider.intent_get(intent.id)
    assert paid.status == "succeeded"
    assert provider.card_get(paid.payment_method_id).last4 == "4242"


def test_incomplete_form_shows_field_errors_and_sends_nothing(page: Page, fake_stripe, provider, customer_id, org_a):
    intent = charge(provider, customer_id, "p:b2")
    open_checkout(page, fake_stripe, provider, intent.client_secret)
    page.get_by_label("Kartennummer").fill("4242 4242")
    page.get_by_role("button", name="Bezahlen").click()
    number = page.get_by_label("Kartennummer")
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Ihre Kartennummer ist unvollständig.")).to_be_visible()
    expect(page.get_by_text("Das Ablaufdatum Ihrer Karte ist unvollständig.")).to_be_visible()
    expect(number).to_be_focused()
    assert_accessible(page)
    assert fake_stripe.events(organization=org_a, type="payment_method.*") == []
    assert provider.intent_get(intent.id).status == "requires_payment_method"


def test_declined_card_says_why_and_a_second_card_pays(page: Page, fake_stripe, provider, customer_id):
    intent = charge(provider, customer_id, "p:b3")
    open_checkout(page, fake_stripe, provider, intent.client_secret)
    fill_card(page, "4000 0000 0000 9995")
    page.get_by_role("button", name="Bezahlen").click()
    expect(page.get_by_role("alert").filter(has_text="nicht ausreichend gedeckt")).to_be_visible()
    assert provider.intent_get(intent.id).error_code == "insufficient_funds"
    fill_card(page, "5555 5555 5555 4444")
    page.get_by_role("button", name="Bezahlen").click()
    expect(page.locator("[data-param=redirect_status]")).to_have_text("succeeded")
    assert provider.intent_get(intent.id).status == "succeeded"


@pytest.mark.parametrize(("answer", "status"), [("Authentifizierung abschließen", "succeeded"), ("ablehnen", "failed")])
def test_three_d_secure_challenge(page: Page, fake_stripe, provider, customer_id, answer, status):
    intent = charge(provider, customer_id, f"p:b4:{status}")
    open_checkout(page, fake_stripe, provider, intent.client_secret)
    fill_card(page, "4000 0027 6000 3184")
    page.get_by_role("button", name="Bezahlen").click()
    expect(page.get_by_role("heading", name="Zahlung bestätigen")).to_be_visible()
    expect(page.get_by_text("59,00 EUR")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(answer)).click()
    expect(page.locator("[data-param=redirect_status]")).to_have_text(status)
    assert provider.intent_get(intent.id).status == (
        "succeeded" if status == "succeeded" else "requires_payment_method"
    )


def test_card_is_saved_through_confirm_setup_on_a_phone(page: Page, fake_stripe, provider, customer_id):
    page.set_viewport_size({"width": 375, "height": 740})
    setup = provider.card_save(customer_id=customer_id, idempotency_key="s:b", metadata={})
    open_checkout(page, fake_stripe, provider, setup.client_secret, lang="en")
    fill_card(page, "4242424242424242", expiry="0935", lang="en")
    expect(page.get_by_label("Expiry date")).to_have_value("09 / 35")
    assert_accessible(page)
    page.get_by_role("button", name="Pay").click()
    expect(page.locator("[data-param=setup_intent]")).to_have_text(setup.id)
    done = provider.setup_get(setup.id)
    assert done.status == "succeeded"
    card = provider.card_get(done.payment_method_id)
    assert (card.last4, card.exp_month, card.exp_year) == ("4242", 9, 2035)

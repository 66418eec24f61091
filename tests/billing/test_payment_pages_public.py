"""The customer's pay page `/pay/<token>/` for an open payment (a later charge the stored card
declined): no login, the customer's language, the Payment Element, the confirmation page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from billing.models import Payment
from tests.billing.payment_pages_data import open_charge, pay_with_card, rental

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract_a(org_a, station_a1):
    return rental(org_a, station_a1)


def pay_url(payment) -> str:
    return reverse("billing_public:pay_page", args=[payment.pay_token])


def test_open_payment_page_in_the_customers_language(contract_a):
    payment = open_charge(contract_a)
    page = Client().get(pay_url(payment))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="de">' in html
    assert "Bitte geben Sie Ihre Kartendaten ein" in html
    assert f'data-client-secret="{payment.client_secret}"' in html
    assert "25,00 €" in html or "25.00 €" in html
    assert page["Referrer-Policy"] == "same-origin"
    # No back-office navigation or data of the organization on the customer's page.
    assert "sidenav" not in html


def test_english_customer_gets_english(org_a, station_a1):
    contract = rental(org_a, station_a1, plate="M-PY 9", email="en@example.com", language="en")
    payment = open_charge(contract)
    html = Client().get(pay_url(payment)).content.decode()
    assert '<html lang="en">' in html and "Please enter your card details to pay." in html


def test_paying_shows_the_confirmation(contract_a, django_capture_on_commit_callbacks):
    payment = open_charge(contract_a)
    pay_with_card(payment)
    with django_capture_on_commit_callbacks(execute=True):
        page = Client().get(reverse("billing_public:pay_done", args=[payment.pay_token]))
    assert page.status_code == 200
    assert 'data-result="succeeded"' in page.content.decode()
    payment.refresh_from_db()
    assert payment.state == Payment.State.SUCCEEDED
    # The link now only says it has been paid.
    again = Client().get(pay_url(payment)).content.decode()
    assert 'data-result="succeeded"' in again and 'data-testid="payment-form"' not in again


def test_the_done_page_believes_the_provider(contract_a):
    payment = open_charge(contract_a)
    page = Client().get(reverse("billing_public:pay_done", args=[payment.pay_token]) + "?redirect_status=succeeded")
    assert 'data-result="succeeded"' not in page.content.decode()
    payment.refresh_from_db()
    assert payment.state != Payment.State.SUCCEEDED


@pytest.mark.parametrize("token", ["unknown-token", "x" * 65, "a%00b"])
def test_unknown_tokens_are_404(db, token):
    assert Client().get(f"/pay/{token}/").status_code == 404
    assert Client().get(f"/pay/{token}/done/").status_code == 404


def test_deactivated_organization_is_404(contract_a, org_a):
    payment = open_charge(contract_a)
    with scopes_disabled():
        org_a.is_active = False
        org_a.save(update_fields=["is_active"])
    assert Client().get(pay_url(payment)).status_code == 404


def test_not_configured_says_so(contract_a, settings):
    payment = open_charge(contract_a)
    settings.STRIPE_API_BASE = ""
    page = Client().get(pay_url(payment))
    assert page.status_code == 200
    assert 'data-testid="payments-not-configured"' in page.content.decode()

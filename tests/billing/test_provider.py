"""The payment-provider interface against the fake Stripe server, through the real `stripe` client."""

from decimal import Decimal

import pytest
import stripe

from billing.provider import (
    PaymentProviderError,
    PaymentsNotConfigured,
    ProviderUnavailable,
    WebhookSignatureInvalid,
    provider_for,
)
from billing.stripe_provider import STRIPE_JS_URL, StripeProvider, to_cents
from tests.billing import fakes
from tests.billing.fakes import PK, pay

pytestmark = pytest.mark.django_db

provider = fakes.provider
customer_id = fakes.customer_id


# --- choosing the provider -------------------------------------------------------------------


def test_organization_keys_are_used_when_set(org_a, settings):
    org_a.stripe_secret_key = "sk_test_own_123"
    org_a.stripe_publishable_key = "pk_test_own_123"
    provider = provider_for(org_a)
    assert isinstance(provider, StripeProvider)
    assert provider.publishable_key == "pk_test_own_123"
    settings.STRIPE_API_BASE = ""
    real = provider_for(org_a)
    assert real.js_url == STRIPE_JS_URL
    assert "https://js.stripe.com" in real.origins


def test_without_keys_the_fake_account_of_the_organization_is_used(org_a, org_b, settings):
    a, b = provider_for(org_a), provider_for(org_b)
    assert a.publishable_key == f"pk_test_fake_{org_a.pk}"
    assert b.publishable_key == f"pk_test_fake_{org_b.pk}"
    assert a.js_url == settings.STRIPE_API_BASE + "/v3/"
    assert a.origins == (settings.STRIPE_API_BASE,)


def test_without_keys_and_without_fake_payments_are_not_configured(org_a, settings):
    settings.STRIPE_API_BASE = ""
    with pytest.raises(PaymentsNotConfigured):
        provider_for(org_a)


def test_accounts_of_two_organizations_are_apart(org_a, org_b, provider):
    customer = provider.customer_create(name="A", email="", idempotency_key="c-x", metadata={})
    intent = provider.charge(
        amount=Decimal("10"), currency="EUR", customer_id=customer, description="", idempotency_key="p-x", metadata={}
    )
    with pytest.raises(PaymentProviderError) as exc:
        provider_for(org_b).intent_get(intent.id)
    assert exc.value.code == "resource_missing"


# --- customers, idempotency ------------------------------------------------------------------


def test_same_idempotency_key_gives_the_same_customer(provider, fake_stripe, org_a):
    first = provider.customer_create(name="Erika", email="e@example.com", idempotency_key="cust:1", metadata={"a": "1"})
    again = provider.customer_create(name="Erika", email="e@example.com", idempotency_key="cust:1", metadata={"a": "1"})
    other = provider.customer_create(name="Erika", email="e@example.com", idempotency_key="cust:2", metadata={"a": "1"})
    assert first == again != other
    assert len(fake_stripe.events(organization=org_a, type="customer.created")) == 2


def test_same_key_with_other_parameters_is_refused(provider):
    provider.customer_create(name="Erika", email="", idempotency_key="cust:9", metadata={})
    with pytest.raises(PaymentProviderError) as exc:
        provider.customer_create(name="Max", email="", idempotency_key="cust:9", metadata={})
    assert not isinstance(exc.value, ProviderUnavailable)
    assert "same parameters" in exc.value.message


def test_idempotency_keys_are_per_account(org_a, org_b):
    a = provider_for(org_a).customer_create(name="A", email="", idempotency_key="same", metadata={})
    b = provider_for(org_b).customer_create(name="B", email="", idempotency_key="same", metadata={})
    assert a != b


# --- charge (customer confirms), saving the card -----------------------------------------------


def test_charge_is_confirmed_by_the_customer_and_saves_the_card(provider, customer_id, fake_stripe, org_a):
    intent = provider.charge(
        amount=Decimal("49.90"),
        currency="EUR",
        customer_id=customer_id,
        description="Miete 1 Tag",
        idempotency_key="payment:1",
        metadata={"payment": "1"},
        save_card=True,
    )
    assert intent.status == "requires_payment_method"
    assert intent.amount == Decimal("49.90")
    assert intent.client_secret.startswith(intent.id + "_secret_")
    assert fake_stripe.intent(intent.id)["amount"] == 4990
    assert fake_stripe.intent(intent.id)["setup_future_usage"] == "off_session"
    assert fake_stripe.intent(intent.id)["capture_method"] == "automatic"

    status, _ = pay(fake_stripe, org_a, intent)
    assert status == 200
    paid = provider.intent_get(intent.id)
    assert paid.status == "succeeded"
    assert paid.amount_received == Decimal("49.90")
    assert paid.currency == "EUR"
    card = provider.card_get(paid.payment_method_id)
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("visa", "4242", 12, 2034)
    assert fake_stripe.object(card.id)["customer"] == customer_id
    # the saved card now pays without the customer
    later = provider.charge_stored_card(
        amount=Decimal("20"),
        currency="EUR",
        customer_id=customer_id,
        payment_method_id=card.id,
        description="Reinigung",
        idempotency_key="payment:2",
        metadata={},
    )
    assert later.status == "succeeded"
    assert later.amount_received == Decimal("20.00")


def test_declined_card_in_the_payment_element_leaves_the_intent_open(provider, customer_id, fake_stripe, org_a):
    intent = provider.charge(
        amount=Decimal("30"),
        currency="EUR",
        customer_id=customer_id,
        description="",
        idempotency_key="p:d",
        metadata={},
    )
    status, answer = pay(fake_stripe, org_a, intent, card="4000000000000002")
    assert status == 402
    assert answer["error"]["decline_code"] == "generic_decline"
    after = provider.intent_get(intent.id)
    assert after.status == "requires_payment_method"
    assert (after.error_code, after.error_message) == ("generic_decline", "Your card was declined.")
    # a retry with a good card succeeds on the same intent
    assert pay(fake_stripe, org_a, intent)[0] == 200
    assert provider.intent_get(intent.id).status == "succeeded"


def test_three_d_secure_in_the_payment_element(provider, customer_id, fake_stripe, org_a):
    intent = provider.charge(
        amount=Decimal("30"),
        currency="EUR",
        customer_id=customer_id,
        description="",
        idempotency_key="p:3ds",
        metadata={},
        save_card=True,
    )
    status, answer = pay(fake_stripe, org_a, intent, card="4000002760003184")
    assert status == 200
    assert answer["status"] == "requires_action"
    assert provider.intent_get(intent.id).status == "requires_action"
    location = fake_stripe.authenticate(answer, complete=True)
    assert f"payment_intent={intent.id}" in location
    assert "redirect_status=succeeded" in location
    assert provider.intent_get(intent.id).status == "succeeded"


def test_failed_three_d_secure(provider, customer_id, fake_stripe, org_a):
    intent = provider.charge(
        amount=Decimal("30"),
        currency="EUR",
        customer_id=customer_id,
        description="",
        idempotency_key="p:3f",
        metadata={},
    )
    _, answer = pay(fake_stripe, org_a, intent, card="4000002760003184")
    location = fake_stripe.authenticate(answer, complete=False)
    assert "redirect_status=failed" in location
    after = provider.intent_get(intent.id)
    assert after.status == "requires_payment_method"
    assert after.error_code == "payment_intent_authentication_failure"


def test_card_save_through_a_setup_intent(provider, customer_id, fake_stripe, org_a):
    setup = provider.card_save(customer_id=customer_id, idempotency_key="setup:1", metadata={"customer": "1"})
    assert setup.status == "requires_payment_method"
    assert fake_stripe.object(setup.id)["usage"] == "off_session"
    status, _ = fake_stripe.confirm(setup.client_secret, publishable_key=PK.format(org_a.pk))
    assert status == 200
    done = provider.setup_get(setup.id)
    assert done.status == "succeeded"
    assert provider.card_get(done.payment_method_id).last4 == "4242"
    assert fake_stripe.object(done.payment_method_id)["customer"] == customer_id


# --- events and webhooks ---------------------------------------------------------------------------


def test_webhook_endpoint_and_event_verification(provider, customer_id, fake_stripe, org_a):
    secret = provider.webhook_endpoint_create(url="http://127.0.0.1:9/pay/stripe/webhook/1/", events=["*"])
    assert secret.startswith("whsec_")
    event_id = fake_stripe.events(organization=org_a, type="customer.created")[0]["id"]
    payload, header = fake_stripe.signed_event(event_id, secret)
    event = provider.event_verify(payload=payload, signature_header=header, secret=secret)
    assert event["id"] == event_id
    assert event["data"]["object"]["id"] == customer_id
    assert provider.event_get(event_id)["type"] == "customer.created"
    with pytest.raises(WebhookSignatureInvalid):
        provider.event_verify(payload=payload, signature_header=header, secret="whsec_other")
    with pytest.raises(WebhookSignatureInvalid):
        provider.event_verify(payload=payload.replace(b"customer", b"kunde"), signature_header=header, secret=secret)
    with pytest.raises(WebhookSignatureInvalid):
        provider.event_verify(payload=payload, signature_header="", secret=secret)
    with pytest.raises(WebhookSignatureInvalid):
        provider.event_verify(payload=b"\xff", signature_header=header, secret=secret)


# --- amounts ------------------------------------------------------------------------------------------


def test_amounts_become_cents_half_up():
    assert to_cents(Decimal("49.90")) == 4990
    assert to_cents(Decimal("10.005")) == 1001
    assert to_cents(Decimal("0.01")) == 1
    for bad in (Decimal("0"), Decimal("-1"), Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises(PaymentProviderError):
            to_cents(bad)


def test_amount_below_stripes_minimum_is_refused(provider, customer_id):
    with pytest.raises(PaymentProviderError) as exc:
        provider.charge(
            amount=Decimal("0.49"),
            currency="EUR",
            customer_id=customer_id,
            description="",
            idempotency_key="p:min",
            metadata={},
        )
    assert exc.value.code == "amount_too_small"


def test_the_official_client_parses_the_fakes_answers(org_a, settings):
    """The fake's JSON is read by stripe-python's own classes, not just as dicts."""
    client = stripe.StripeClient(f"sk_test_fake_{org_a.pk}", base_addresses={"api": settings.STRIPE_API_BASE})
    customer = client.v1.customers.create({"name": "Erika"})
    assert isinstance(customer, stripe.Customer)
    intent = client.v1.payment_intents.create(
        {"amount": 1000, "currency": "eur", "customer": customer.id, "payment_method": "pm_card_visa", "confirm": True}
    )
    assert isinstance(intent, stripe.PaymentIntent)
    assert intent.status == "succeeded"
    refund = client.v1.refunds.create({"payment_intent": intent.id, "amount": 400})
    assert isinstance(refund, stripe.Refund)
    events = client.v1.events.list({"limit": 3})
    assert [type(e) for e in events.data] == [stripe.Event] * 3

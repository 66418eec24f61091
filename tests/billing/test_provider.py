"""The payment-provider interface against the fake Stripe server, through the real `stripe` client."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import stripe

from billing.provider import (
    CardDeclined,
    PaymentProviderError,
    PaymentsNotConfigured,
    ProviderUnavailable,
    WebhookSignatureInvalid,
    provider_for,
)
from billing.stripe_provider import STRIPE_JS_URL, StripeProvider, to_cents

pytestmark = pytest.mark.django_db

PK = "pk_test_fake_{}"


@pytest.fixture
def provider(org_a):
    return provider_for(org_a)


@pytest.fixture
def customer_id(provider):
    return provider.customer_create(name="Erika Muster", email="erika@example.com", idempotency_key="c-1", metadata={})


def pay(fake_stripe, org, intent, card="4242424242424242"):
    """The customer confirms an intent in the Payment Element (publishable key, like Stripe.js)."""
    return fake_stripe.confirm(intent.client_secret, publishable_key=PK.format(org.pk), card=card)


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


# --- holds -----------------------------------------------------------------------------------------


def test_hold_confirmed_by_the_customer_has_capture_before(provider, customer_id, fake_stripe, org_a):
    hold = provider.authorise(
        amount=Decimal("500"),
        currency="EUR",
        customer_id=customer_id,
        payment_method_id="",
        description="Kaution",
        idempotency_key="authorise:1",
        metadata={},
    )
    assert hold.status == "requires_payment_method"
    assert fake_stripe.intent(hold.id)["capture_method"] == "manual"
    pay(fake_stripe, org_a, hold)
    held = provider.intent_get(hold.id)
    assert held.status == "requires_capture"
    assert held.amount_capturable == Decimal("500.00")
    assert held.amount_received == Decimal("0.00")
    expected = datetime.now(UTC) + timedelta(days=7)
    assert abs((held.capture_before - expected).total_seconds()) < 120


@pytest.fixture
def stored_card(provider, customer_id, fake_stripe, org_a):
    setup = provider.card_save(customer_id=customer_id, idempotency_key="setup:s", metadata={})
    fake_stripe.confirm(setup.client_secret, publishable_key=PK.format(org_a.pk))
    return provider.setup_get(setup.id).payment_method_id


def hold_on(provider, customer_id, card, key="authorise:s", amount="300"):
    return provider.authorise(
        amount=Decimal(amount),
        currency="EUR",
        customer_id=customer_id,
        payment_method_id=card,
        description="Kaution",
        idempotency_key=key,
        metadata={},
    )


def test_hold_on_a_stored_card_is_placed_at_once_and_captured_in_part(provider, customer_id, stored_card):
    hold = hold_on(provider, customer_id, stored_card)
    assert hold.status == "requires_capture"
    assert hold.capture_before is not None
    captured = provider.capture(intent_id=hold.id, amount=Decimal("120.50"), idempotency_key="capture:1")
    assert captured.status == "succeeded"
    assert captured.amount_received == Decimal("120.50")
    assert captured.amount_capturable == Decimal("0.00")
    # the same key again answers the same (a retried task), a new capture is refused
    again = provider.capture(intent_id=hold.id, amount=Decimal("120.50"), idempotency_key="capture:1")
    assert again == captured
    with pytest.raises(PaymentProviderError) as exc:
        provider.capture(intent_id=hold.id, amount=Decimal("10"), idempotency_key="capture:2")
    assert exc.value.code == "payment_intent_unexpected_state"


def test_capture_more_than_held_is_refused(provider, customer_id, stored_card):
    hold = hold_on(provider, customer_id, stored_card)
    with pytest.raises(PaymentProviderError) as exc:
        provider.capture(intent_id=hold.id, amount=Decimal("300.01"), idempotency_key="capture:big")
    assert exc.value.code == "amount_too_large"
    assert provider.intent_get(hold.id).status == "requires_capture"


def test_release_cancels_the_hold(provider, customer_id, stored_card):
    hold = hold_on(provider, customer_id, stored_card)
    released = provider.release(intent_id=hold.id, idempotency_key="release:1")
    assert released.status == "canceled"
    assert released.amount_capturable == Decimal("0.00")
    assert provider.release(intent_id=hold.id, idempotency_key="release:1") == released
    with pytest.raises(PaymentProviderError):
        provider.capture(intent_id=hold.id, amount=Decimal("1"), idempotency_key="capture:late")


def test_hold_expires_after_seven_days(provider, customer_id, stored_card, fake_stripe):
    hold = hold_on(provider, customer_id, stored_card)
    fake_stripe.advance(days=6, hours=23)
    assert provider.intent_get(hold.id).status == "requires_capture"
    fake_stripe.advance(hours=2)
    assert provider.intent_get(hold.id).status == "canceled"
    with pytest.raises(PaymentProviderError):
        provider.capture(intent_id=hold.id, amount=Decimal("1"), idempotency_key="capture:expired")


# --- stored card declines --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("card", "code", "decline_code"),
    [
        ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
        ("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
        ("pm_card_authenticationRequired", "authentication_required", "authentication_required"),
    ],
)
def test_stored_card_declines(provider, customer_id, card, code, decline_code):
    with pytest.raises(CardDeclined) as exc:
        provider.charge_stored_card(
            amount=Decimal("80"),
            currency="EUR",
            customer_id=customer_id,
            payment_method_id=card,
            description="Schaden",
            idempotency_key=f"payment:{card}",
            metadata={},
        )
    assert (exc.value.code, exc.value.decline_code) == (code, decline_code)
    assert exc.value.message
    intent = provider.intent_get(exc.value.intent_id)
    assert intent.status == "requires_payment_method"
    assert intent.error_code == decline_code


def test_three_d_secure_card_declines_a_hold_off_session(provider, customer_id, fake_stripe, org_a):
    """4000002760003184 asks for 3-D Secure on every payment, also after it was saved."""
    setup = provider.card_save(customer_id=customer_id, idempotency_key="setup:3ds", metadata={})
    _, answer = fake_stripe.confirm(setup.client_secret, publishable_key=PK.format(org_a.pk), card="4000002760003184")
    assert answer["status"] == "requires_action"
    fake_stripe.authenticate(answer)
    card = provider.setup_get(setup.id).payment_method_id
    with pytest.raises(CardDeclined) as exc:
        hold_on(provider, customer_id, card, key="authorise:3ds")
    assert exc.value.code == "authentication_required"


def test_card_set_up_with_three_d_secure_then_pays_off_session(provider, customer_id, fake_stripe, org_a):
    """4000002500003155 asks for 3-D Secure once; after the set-up off-session payments go through."""
    setup = provider.card_save(customer_id=customer_id, idempotency_key="setup:3155", metadata={})
    _, answer = fake_stripe.confirm(setup.client_secret, publishable_key=PK.format(org_a.pk), card="4000002500003155")
    fake_stripe.authenticate(answer)
    card = provider.setup_get(setup.id).payment_method_id
    assert hold_on(provider, customer_id, card, key="authorise:3155").status == "requires_capture"


def test_declined_answer_is_kept_for_its_idempotency_key(provider, customer_id, fake_stripe, org_a):
    for _ in range(2):
        with pytest.raises(CardDeclined):
            provider.charge_stored_card(
                amount=Decimal("80"),
                currency="EUR",
                customer_id=customer_id,
                payment_method_id="pm_card_chargeDeclined",
                description="",
                idempotency_key="payment:decl",
                metadata={},
            )
    assert len(fake_stripe.events(organization=org_a, type="payment_intent.created")) == 1


# --- refunds ----------------------------------------------------------------------------------------


def test_refund_part_then_never_more_than_captured(provider, customer_id, stored_card):
    hold = hold_on(provider, customer_id, stored_card)
    provider.capture(intent_id=hold.id, amount=Decimal("100"), idempotency_key="capture:r")
    first = provider.refund(intent_id=hold.id, amount=Decimal("60"), idempotency_key="refund:1", metadata={"r": "1"})
    assert (first.status, first.amount, first.intent_id) == ("succeeded", Decimal("60.00"), hold.id)
    assert provider.refund_get(first.id) == first
    assert (
        provider.refund(intent_id=hold.id, amount=Decimal("60"), idempotency_key="refund:1", metadata={"r": "1"})
        == first
    )
    with pytest.raises(PaymentProviderError) as exc:
        provider.refund(intent_id=hold.id, amount=Decimal("40.01"), idempotency_key="refund:2", metadata={})
    assert exc.value.code == "amount_too_large"
    rest = provider.refund(intent_id=hold.id, amount=Decimal("40"), idempotency_key="refund:3", metadata={})
    assert rest.amount == Decimal("40.00")
    with pytest.raises(PaymentProviderError) as exc:
        provider.refund(intent_id=hold.id, amount=Decimal("0.01"), idempotency_key="refund:4", metadata={})
    assert exc.value.code == "charge_already_refunded"


def test_refund_of_an_uncaptured_hold_is_refused(provider, customer_id, stored_card):
    hold = hold_on(provider, customer_id, stored_card)
    with pytest.raises(PaymentProviderError) as exc:
        provider.refund(intent_id=hold.id, amount=Decimal("1"), idempotency_key="refund:h", metadata={})
    assert exc.value.code == "charge_not_refundable"


# --- outages -----------------------------------------------------------------------------------------


def charge_card(provider, customer_id, key="payment:out"):
    return provider.charge_stored_card(
        amount=Decimal("15"),
        currency="EUR",
        customer_id=customer_id,
        payment_method_id="pm_card_visa",
        description="",
        idempotency_key=key,
        metadata={},
    )


def test_server_error_is_provider_unavailable_and_retry_charges_once(provider, customer_id, fake_stripe, org_a):
    # the client retries once by itself: two failures make the call fail
    fake_stripe.fail_next("/v1/payment_intents", status=500, times=2)
    with pytest.raises(ProviderUnavailable):
        charge_card(provider, customer_id)
    assert fake_stripe.events(organization=org_a, type="payment_intent.created") == []
    # the task's retry with the same key charges
    assert charge_card(provider, customer_id).status == "succeeded"
    assert len(fake_stripe.events(organization=org_a, type="payment_intent.succeeded")) == 1


def test_one_server_error_is_absorbed_by_the_client_retry(provider, customer_id, fake_stripe, org_a):
    fake_stripe.fail_next("/v1/payment_intents", status=500, times=1)
    assert charge_card(provider, customer_id).status == "succeeded"
    assert len(fake_stripe.events(organization=org_a, type="payment_intent.created")) == 1


def test_lost_answer_after_the_charge_does_not_charge_twice(provider, customer_id, fake_stripe, org_a):
    """Stripe acted but its answer never came (twice): the retry with the same key gets the first answer."""
    fake_stripe.fail_next("/v1/payment_intents", status=502, times=2, after=True)
    with pytest.raises(ProviderUnavailable):
        charge_card(provider, customer_id)
    intent = charge_card(provider, customer_id)
    assert intent.status == "succeeded"
    created = fake_stripe.events(organization=org_a, type="payment_intent.created")
    assert [e["data"]["object"]["id"] for e in created] == [intent.id]


def test_rate_limit_is_provider_unavailable(provider, customer_id, fake_stripe):
    fake_stripe.fail_next("/v1/payment_intents", status=429, times=2)
    with pytest.raises(ProviderUnavailable):
        charge_card(provider, customer_id, key="payment:rl")


def test_timeout_is_provider_unavailable(org_a, customer_id, fake_stripe, settings):
    settings.STRIPE_TIMEOUT = 0.5
    provider = provider_for(org_a)
    fake_stripe.hang_next("/v1/payment_intents", seconds=1.5, times=2)
    with pytest.raises(ProviderUnavailable):
        charge_card(provider, customer_id, key="payment:slow")


def test_connection_refused_is_provider_unavailable(org_a, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    with pytest.raises(ProviderUnavailable):
        provider_for(org_a).customer_create(name="x", email="", idempotency_key="c:down", metadata={})


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

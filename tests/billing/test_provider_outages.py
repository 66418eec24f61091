"""Outages: 5xx, rate limits, timeouts, refused connections and lost answers → ProviderUnavailable,
and a retry with the same idempotency key acts once."""

import pytest

from billing.provider import ProviderUnavailable, provider_for
from tests.billing import fakes
from tests.billing.fakes import charge_card

pytestmark = pytest.mark.django_db

provider = fakes.provider
customer_id = fakes.customer_id


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

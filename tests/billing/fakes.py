"""Billing tests' shared pieces around the fake Stripe server: an organization's provider, a
provider customer, a stored card, and what the customer does in the Payment Element.

Use the fixtures by naming them in a test module: `provider = fakes.provider` (an assignment,
so pytest finds the fixture and ruff sees no shadowed import).
"""

from decimal import Decimal

import pytest

from billing.provider import provider_for

PK = "pk_test_fake_{}"


@pytest.fixture
def provider(org_a):
    return provider_for(org_a)


@pytest.fixture
def customer_id(provider):
    return provider.customer_create(name="Erika Muster", email="erika@example.com", idempotency_key="c-1", metadata={})


@pytest.fixture
def stored_card(provider, customer_id, fake_stripe, org_a):
    """A card saved through a SetupIntent the customer confirmed (4242…): its payment method id."""
    setup = provider.card_save(customer_id=customer_id, idempotency_key="setup:s", metadata={})
    fake_stripe.confirm(setup.client_secret, publishable_key=PK.format(org_a.pk))
    return provider.setup_get(setup.id).payment_method_id


def pay(fake_stripe, org, intent, card="4242424242424242"):
    """The customer confirms an intent in the Payment Element (publishable key, like Stripe.js)."""
    return fake_stripe.confirm(intent.client_secret, publishable_key=PK.format(org.pk), card=card)


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

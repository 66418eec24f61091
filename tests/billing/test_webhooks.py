"""Webhooks: verified, de-duplicated by event id, re-fetched; 400 for a bad signature, 503 to be retried."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from billing.models import DepositHold, Invoice, Payment, StoredCard, WebhookEvent
from billing.services.payments import booking_payment_start
from billing.services.webhooks import stripe_webhooks_connect
from tests.actors import admin_of
from tests.billing.payment_data import (  # noqa: F401  (fixtures)
    all_rows,
    car1,
    confirm,
    contract_a,
    customer_a,
    fresh,
    group_a,
    messages,
    tariff_a,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def connected(org_a, fake_stripe, settings):
    # The fake also delivers events itself to the registered URL: point it where nobody listens.
    settings.SITE_URL = "http://127.0.0.1:9"
    stripe_webhooks_connect(organization=org_a)
    org_a.refresh_from_db()
    assert org_a.stripe_webhook_secret.startswith("whsec_")
    return org_a


def _url(org) -> str:
    return reverse("billing_public:stripe_webhook", args=[org.pk])


def _post(client, org, signed) -> int:
    payload, header = signed
    return client.post(
        _url(org), data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    ).status_code


def _succeeded_event(fake_stripe, payment) -> str:
    [event] = [
        e
        for e in fake_stripe.events()
        if e["type"] == "payment_intent.succeeded" and e["data"]["object"]["id"] == payment.provider_id
    ]
    return event["id"]


def _paid_at_provider(org, contract):
    """The customer paid at the provider; we have not synced yet (no return page, webhooks only)."""
    with scope(organization=org):
        payment = booking_payment_start(actor=admin_of(org), contract=contract)
    confirm(payment)
    return payment


def test_webhook_moves_the_payment_and_a_repeat_does_nothing(connected, contract_a, fake_stripe):  # noqa: F811
    payment = _paid_at_provider(connected, contract_a)
    signed = fake_stripe.signed_event(_succeeded_event(fake_stripe, payment), connected.stripe_webhook_secret)
    assert _post(Client(), connected, signed) == 200
    assert _post(Client(), connected, signed) == 200
    assert fresh(payment).state == Payment.State.SUCCEEDED
    assert len(all_rows(WebhookEvent, organization=connected)) == 1
    assert len(all_rows(Invoice, contract=contract_a)) == 1


@pytest.mark.django_db(transaction=True)
def test_five_identical_webhooks_at_once_have_their_effects_once(connected, contract_a, fake_stripe):  # noqa: F811
    payment = _paid_at_provider(connected, contract_a)
    signed = fake_stripe.signed_event(_succeeded_event(fake_stripe, payment), connected.stripe_webhook_secret)
    barrier = threading.Barrier(5)
    statuses: list[int] = []

    def deliver():
        try:
            barrier.wait()
            statuses.append(_post(Client(), connected, signed))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 5
    assert fresh(payment).state == Payment.State.SUCCEEDED
    assert len(all_rows(WebhookEvent, organization=connected)) == 1
    assert len(all_rows(StoredCard, customer=contract_a.customer)) == 1
    assert len(all_rows(DepositHold, contract=contract_a)) == 1
    assert len(all_rows(Invoice, contract=contract_a)) == 1
    assert len(messages(connected, "reservation_confirmation")) == 1


def test_bad_signature_is_400_and_writes_nothing(connected, contract_a, fake_stripe):  # noqa: F811
    payment = _paid_at_provider(connected, contract_a)
    signed = fake_stripe.signed_event(_succeeded_event(fake_stripe, payment), "whsec_someone_else")
    assert _post(Client(), connected, signed) == 400
    payload, header = fake_stripe.signed_event(_succeeded_event(fake_stripe, payment), connected.stripe_webhook_secret)
    tampered = (payload.replace(b'"succeeded"', b'"canceled"', 1), header)
    assert _post(Client(), connected, tampered) == 400
    response = Client().post(_url(connected), data=b"{}", content_type="application/json")
    assert response.status_code == 400
    assert all_rows(WebhookEvent) == []
    assert fresh(payment).state == Payment.State.PENDING
    assert all_rows(Invoice) == [] and all_rows(StoredCard) == []


def test_transient_failure_answers_503_keeps_nothing_and_the_redelivery_acts(connected, contract_a, fake_stripe):  # noqa: F811
    payment = _paid_at_provider(connected, contract_a)
    signed = fake_stripe.signed_event(_succeeded_event(fake_stripe, payment), connected.stripe_webhook_secret)
    fake_stripe.fail_next(f"/v1/payment_intents/{payment.provider_id}", status=500, times=5)
    assert _post(Client(), connected, signed) == 503
    assert all_rows(WebhookEvent) == [] and fresh(payment).state == Payment.State.PENDING
    fake_stripe.clear_failures()
    assert _post(Client(), connected, signed) == 200
    assert fresh(payment).state == Payment.State.SUCCEEDED


def test_events_in_any_order_end_in_the_provider_state(connected, contract_a, fake_stripe):  # noqa: F811
    """A late 'created' or 'requires_payment_method' event after success moves nothing back."""
    payment = _paid_at_provider(connected, contract_a)
    events = [e for e in fake_stripe.events() if e["data"]["object"].get("id") == payment.provider_id]
    for event in reversed(events):  # newest first: succeeded, then the older ones
        assert _post(Client(), connected, fake_stripe.signed_event(event["id"], connected.stripe_webhook_secret)) == 200
    assert fresh(payment).state == Payment.State.SUCCEEDED
    assert len(all_rows(Invoice, contract=contract_a)) == 1


def test_unknown_organization_is_404(fake_stripe):
    assert Client().post("/pay/stripe/webhook/999999/", data=b"{}", content_type="application/json").status_code == 404


def test_webhook_of_a_hold_moves_the_hold(connected, contract_a, fake_stripe):  # noqa: F811
    """The hold was cancelled at the provider (e.g. in Stripe's dashboard): the event releases ours."""
    from billing.provider import provider_for
    from billing.services.holds import hold_authorise_run

    payment = _paid_at_provider(connected, contract_a)
    signed = fake_stripe.signed_event(_succeeded_event(fake_stripe, payment), connected.stripe_webhook_secret)
    assert _post(Client(), connected, signed) == 200
    [hold] = all_rows(DepositHold, contract=contract_a)
    with scope(organization=connected):
        hold_authorise_run(hold=hold)
    hold = fresh(hold)
    assert hold.state == DepositHold.State.HELD
    provider_for(connected).release(intent_id=hold.provider_id, idempotency_key="dashboard-cancel")
    [event] = [
        e
        for e in fake_stripe.events()
        if e["type"] == "payment_intent.canceled" and e["data"]["object"]["id"] == hold.provider_id
    ]
    assert _post(Client(), connected, fake_stripe.signed_event(event["id"], connected.stripe_webhook_secret)) == 200
    assert fresh(hold).state == DepositHold.State.RELEASED

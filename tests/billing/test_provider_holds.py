"""Holds (authorise, capture part or all, release, expiry), stored-card declines and refunds through
the provider against the fake Stripe server."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from billing.provider import CardDeclined, PaymentProviderError
from tests.billing import fakes
from tests.billing.fakes import PK, hold_on, pay

pytestmark = pytest.mark.django_db

provider = fakes.provider
customer_id = fakes.customer_id
stored_card = fakes.stored_card


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

"""The payment-provider interface that billing's services code against.

Amounts are `Decimal` euros here and integer cents on the wire. Every call that moves money takes
the idempotency key of its row (`payment:<uuid>`, `capture:<uuid>`, …), so a repeated call — a
retried task, a worker that died mid-call — makes the provider act once and answer the same.

Errors: `PaymentProviderError` is permanent (do not retry); `ProviderUnavailable` is transient
(5xx, timeout, connection, rate limit: retry with back-off, same key); `CardDeclined` is the
customer's card saying no (including `authentication_required` off-session);
`PaymentsNotConfigured` means the organization cannot take card payments (the UI says so).

`provider_for(organization)` picks the implementation: the organization's own Stripe keys, else
the fake server's derived keys when `settings.STRIPE_API_BASE` is set (development, tests), else
`PaymentsNotConfigured`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from django.conf import settings

if TYPE_CHECKING:
    from rentoffice.models import Organization


@dataclass(frozen=True)
class Intent:
    """A PaymentIntent as the provider reports it."""

    id: str
    # Stripe's statuses: requires_payment_method, requires_confirmation, requires_action,
    # processing, requires_capture, succeeded, canceled
    status: str
    amount: Decimal
    amount_capturable: Decimal
    amount_received: Decimal
    currency: str
    client_secret: str
    customer_id: str  # "" when none
    payment_method_id: str  # "" when none
    capture_before: datetime | None  # holds: until when the authorisation may be captured
    error_code: str  # last_payment_error: decline code if any, else its code; "" when none
    error_message: str


@dataclass(frozen=True)
class Setup:
    """A SetupIntent: saving a card for later charges without the customer (usage off_session)."""

    id: str
    status: str
    client_secret: str
    payment_method_id: str


@dataclass(frozen=True)
class Card:
    id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class RefundInfo:
    id: str
    status: str  # pending, requires_action, succeeded, failed, canceled
    amount: Decimal
    intent_id: str


class PaymentProviderError(Exception):
    """A permanent error: retrying the same call will not help."""

    def __init__(self, message: str = "", *, code: str = ""):
        super().__init__(message or code)
        self.code = code
        self.message = message


class CardDeclined(PaymentProviderError):
    """The card said no: card_declined (decline_code insufficient_funds, …) or authentication_required."""

    def __init__(self, message: str = "", *, code: str = "", decline_code: str = "", intent_id: str = ""):
        super().__init__(message, code=code)
        self.decline_code = decline_code
        self.intent_id = intent_id


class ProviderUnavailable(PaymentProviderError):
    """Transient: 5xx, timeout, connection refused, rate limit. Retry with back-off and the same key."""


class WebhookSignatureInvalid(PaymentProviderError):
    """The webhook's signature does not match the endpoint's secret (or the payload is no event)."""


class PaymentsNotConfigured(PaymentProviderError):
    """No Stripe keys for the organization and no fake server: card payments are off."""


class PaymentProvider(Protocol):
    publishable_key: str
    js_url: str  # https://js.stripe.com/v3/ or the fake's stand-in
    origins: tuple[str, ...]  # for the payment pages' CSP (script-src, connect-src, frame-src)

    def customer_create(self, *, name: str, email: str, idempotency_key: str, metadata: dict) -> str: ...

    def card_save(self, *, customer_id: str, idempotency_key: str, metadata: dict) -> Setup: ...

    def charge(
        self,
        *,
        amount: Decimal,
        currency: str,
        customer_id: str,
        description: str,
        idempotency_key: str,
        metadata: dict,
        save_card: bool = False,
    ) -> Intent: ...

    def authorise(
        self,
        *,
        amount: Decimal,
        currency: str,
        customer_id: str,
        payment_method_id: str,
        description: str,
        idempotency_key: str,
        metadata: dict,
    ) -> Intent: ...

    def capture(self, *, intent_id: str, amount: Decimal, idempotency_key: str) -> Intent: ...

    def release(self, *, intent_id: str, idempotency_key: str) -> Intent: ...

    def refund(self, *, intent_id: str, amount: Decimal, idempotency_key: str, metadata: dict) -> RefundInfo: ...

    def charge_stored_card(
        self,
        *,
        amount: Decimal,
        currency: str,
        customer_id: str,
        payment_method_id: str,
        description: str,
        idempotency_key: str,
        metadata: dict,
    ) -> Intent: ...

    def intent_get(self, intent_id: str) -> Intent: ...

    def setup_get(self, setup_id: str) -> Setup: ...

    def card_get(self, payment_method_id: str) -> Card: ...

    def refund_get(self, refund_id: str) -> RefundInfo: ...

    def event_verify(self, *, payload: bytes, signature_header: str, secret: str) -> dict: ...

    def event_get(self, event_id: str) -> dict: ...

    def webhook_endpoint_create(self, *, url: str, events: Sequence[str]) -> str: ...


def fake_keys(organization: Organization) -> tuple[str, str]:
    """The fake server's account of an organization: (secret key, publishable key)."""
    return f"sk_test_fake_{organization.pk}", f"pk_test_fake_{organization.pk}"


def provider_for(organization: Organization) -> PaymentProvider:
    """The organization's provider; raises `PaymentsNotConfigured` when card payments are off."""
    from .stripe_provider import StripeProvider

    secret_key = organization.stripe_secret_key or ""
    publishable_key = organization.stripe_publishable_key or ""
    if secret_key and publishable_key:
        return StripeProvider(secret_key=secret_key, publishable_key=publishable_key)
    if getattr(settings, "STRIPE_API_BASE", ""):
        secret_key, publishable_key = fake_keys(organization)
        return StripeProvider(secret_key=secret_key, publishable_key=publishable_key)
    raise PaymentsNotConfigured("Card payments are not configured for this organization.", code="not_configured")

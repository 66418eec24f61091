"""The payment provider through Stripe's official library (`stripe.StripeClient`, one per organization).

`settings.STRIPE_API_BASE` (the fake server in development and tests) replaces Stripe's API
address. The library retries a failed call `STRIPE_MAX_NETWORK_RETRIES` times itself, sending the
same idempotency key, so a lost answer is picked up at once; longer outages are the Celery task's
back-off (`ProviderUnavailable`). The timeout is short so a hanging Stripe does not hold a worker.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import stripe
from django.conf import settings

from .provider import (
    Card,
    CardDeclined,
    Intent,
    PaymentProviderError,
    ProviderUnavailable,
    RefundInfo,
    Setup,
    WebhookSignatureInvalid,
)

STRIPE_JS_URL = "https://js.stripe.com/v3/"
# Stripe's documented CSP sources for Stripe.js and the Payment Element (3-D Secure frames on hooks).
STRIPE_ORIGINS = (
    "https://js.stripe.com",
    "https://*.js.stripe.com",
    "https://api.stripe.com",
    "https://hooks.stripe.com",
)
CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> int:
    """Euros to Stripe's integer cents (half up); refuses what no payment can be."""
    try:
        cents = (Decimal(amount) / CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        raise PaymentProviderError(f"Not an amount: {amount!r}", code="amount_invalid") from None
    if not cents.is_finite() or cents <= 0:
        raise PaymentProviderError(f"Amount must be positive: {amount}", code="amount_invalid")
    return int(cents)


def from_cents(cents: int | None) -> Decimal:
    return (Decimal(cents or 0) * CENT).quantize(CENT)


def _id(value: Any) -> str:
    """An expandable field: its id whether Stripe sent the id or the object."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return str(value.get("id") or "")


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if obj is None or isinstance(obj, str):
            return None
        obj = obj.get(key)
    return obj


class StripeProvider:
    def __init__(self, *, secret_key: str, publishable_key: str):
        self.publishable_key = publishable_key
        api_base = getattr(settings, "STRIPE_API_BASE", "") or ""
        if api_base:
            api_base = api_base.rstrip("/")
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(api_base))
            self.js_url = f"{api_base}/v3/"
            self.origins: tuple[str, ...] = (origin,)
        else:
            self.js_url = STRIPE_JS_URL
            self.origins = STRIPE_ORIGINS
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=getattr(settings, "STRIPE_MAX_NETWORK_RETRIES", 1),
            http_client=stripe.RequestsClient(timeout=getattr(settings, "STRIPE_TIMEOUT", 10.0)),
        )
        self._v1 = self._client.v1

    # --- the calls ----------------------------------------------------------------------------

    def customer_create(self, *, name: str, email: str, idempotency_key: str, metadata: dict) -> str:
        params: dict[str, Any] = {"name": name, "metadata": metadata}
        if email:
            params["email"] = email
        customer = self._call(lambda: self._v1.customers.create(params, {"idempotency_key": idempotency_key}))
        return str(customer["id"])

    def card_save(self, *, customer_id: str, idempotency_key: str, metadata: dict) -> Setup:
        params = {
            "customer": customer_id,
            "usage": "off_session",
            "payment_method_types": ["card"],
            "metadata": metadata,
        }
        setup = self._call(lambda: self._v1.setup_intents.create(params, {"idempotency_key": idempotency_key}))
        return self._setup(setup)

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
    ) -> Intent:
        params: dict[str, Any] = {
            "amount": to_cents(amount),
            "currency": currency.lower(),
            "customer": customer_id,
            "description": description,
            "metadata": metadata,
            "payment_method_types": ["card"],
            "expand": ["latest_charge"],
        }
        if save_card:
            params["setup_future_usage"] = "off_session"
        return self._intent_call(lambda: self._v1.payment_intents.create(params, {"idempotency_key": idempotency_key}))

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
    ) -> Intent:
        params: dict[str, Any] = {
            "amount": to_cents(amount),
            "currency": currency.lower(),
            "customer": customer_id,
            "capture_method": "manual",
            "description": description,
            "metadata": metadata,
            "payment_method_types": ["card"],
            "expand": ["latest_charge"],
        }
        if payment_method_id:
            params.update(payment_method=payment_method_id, confirm=True, off_session=True)
        return self._intent_call(lambda: self._v1.payment_intents.create(params, {"idempotency_key": idempotency_key}))

    def capture(self, *, intent_id: str, amount: Decimal, idempotency_key: str) -> Intent:
        params = {"amount_to_capture": to_cents(amount), "expand": ["latest_charge"]}
        return self._intent_call(
            lambda: self._v1.payment_intents.capture(intent_id, params, {"idempotency_key": idempotency_key})
        )

    def release(self, *, intent_id: str, idempotency_key: str) -> Intent:
        params = {"expand": ["latest_charge"]}
        return self._intent_call(
            lambda: self._v1.payment_intents.cancel(intent_id, params, {"idempotency_key": idempotency_key})
        )

    def refund(self, *, intent_id: str, amount: Decimal, idempotency_key: str, metadata: dict) -> RefundInfo:
        params = {"payment_intent": intent_id, "amount": to_cents(amount), "metadata": metadata}
        refund = self._call(lambda: self._v1.refunds.create(params, {"idempotency_key": idempotency_key}))
        return self._refund(refund)

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
    ) -> Intent:
        params: dict[str, Any] = {
            "amount": to_cents(amount),
            "currency": currency.lower(),
            "customer": customer_id,
            "payment_method": payment_method_id,
            "off_session": True,
            "confirm": True,
            "description": description,
            "metadata": metadata,
            "payment_method_types": ["card"],
            "expand": ["latest_charge"],
        }
        return self._intent_call(lambda: self._v1.payment_intents.create(params, {"idempotency_key": idempotency_key}))

    def intent_get(self, intent_id: str) -> Intent:
        return self._intent_call(lambda: self._v1.payment_intents.retrieve(intent_id, {"expand": ["latest_charge"]}))

    def setup_get(self, setup_id: str) -> Setup:
        return self._setup(self._call(lambda: self._v1.setup_intents.retrieve(setup_id)))

    def card_get(self, payment_method_id: str) -> Card:
        pm = self._call(lambda: self._v1.payment_methods.retrieve(payment_method_id))
        card = pm.get("card") or {}
        return Card(
            id=str(pm["id"]),
            brand=str(card.get("brand") or ""),
            last4=str(card.get("last4") or ""),
            exp_month=int(card.get("exp_month") or 0),
            exp_year=int(card.get("exp_year") or 0),
        )

    def refund_get(self, refund_id: str) -> RefundInfo:
        return self._refund(self._call(lambda: self._v1.refunds.retrieve(refund_id)))

    def event_verify(self, *, payload: bytes, signature_header: str, secret: str) -> dict:
        if not secret:
            raise WebhookSignatureInvalid("No webhook secret is stored for this organization.", code="no_secret")
        try:
            text = payload.decode("utf-8")
            stripe.WebhookSignature.verify_header(text, signature_header or "", secret)
            event = json.loads(text)
        except stripe.SignatureVerificationError as exc:
            raise WebhookSignatureInvalid(str(exc.user_message or exc), code="signature_invalid") from exc
        except (UnicodeDecodeError, ValueError) as exc:
            raise WebhookSignatureInvalid("The payload is not a JSON event.", code="payload_invalid") from exc
        if not isinstance(event, dict) or event.get("object") != "event" or not event.get("id"):
            raise WebhookSignatureInvalid("The payload is not a Stripe event.", code="payload_invalid")
        return event

    def event_get(self, event_id: str) -> dict:
        event = self._call(lambda: self._v1.events.retrieve(event_id))
        return event

    def webhook_endpoint_create(self, *, url: str, events: Sequence[str]) -> str:
        params = {"url": url, "enabled_events": list(events)}
        endpoint = self._call(lambda: self._v1.webhook_endpoints.create(params))
        return str(endpoint["secret"])

    # --- translation of answers and errors -------------------------------------------------------

    def _intent_call(self, call: Callable[[], Any]) -> Intent:
        return self._intent(self._call(call))

    @staticmethod
    def _call(call: Callable[[], Any]) -> dict[str, Any]:
        """Run one call; the answer as a plain dict, Stripe's errors as ours."""
        try:
            answer = call()
            return answer.to_dict() if isinstance(answer, stripe.StripeObject) else dict(answer)
        except stripe.CardError as exc:
            error = exc.error.to_dict() if exc.error is not None else {}
            raise CardDeclined(
                str(exc.user_message or "The card was declined."),
                code=str(exc.code or ""),
                decline_code=str(_get(error, "decline_code") or ""),
                intent_id=_id(_get(error, "payment_intent")),
            ) from exc
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            raise ProviderUnavailable(str(exc.user_message or exc), code=type(exc).__name__) from exc
        except stripe.StripeError as exc:
            status = exc.http_status or 0
            if status >= 500 or status in (409, 429):
                raise ProviderUnavailable(str(exc.user_message or exc), code=str(exc.code or status)) from exc
            raise PaymentProviderError(str(exc.user_message or exc), code=str(exc.code or status)) from exc

    @staticmethod
    def _intent(pi: dict[str, Any]) -> Intent:
        capture_before = _get(pi.get("latest_charge"), "payment_method_details", "card", "capture_before")
        error = pi.get("last_payment_error")
        return Intent(
            id=str(pi["id"]),
            status=str(pi["status"]),
            amount=from_cents(pi.get("amount")),
            amount_capturable=from_cents(pi.get("amount_capturable")),
            amount_received=from_cents(pi.get("amount_received")),
            currency=str(pi.get("currency") or "").upper(),
            client_secret=str(pi.get("client_secret") or ""),
            customer_id=_id(pi.get("customer")),
            payment_method_id=_id(pi.get("payment_method")),
            capture_before=datetime.fromtimestamp(int(capture_before), tz=UTC) if capture_before else None,
            error_code=str((_get(error, "decline_code") or _get(error, "code") or "") if error else ""),
            error_message=str(_get(error, "message") or "") if error else "",
        )

    @staticmethod
    def _setup(si: dict[str, Any]) -> Setup:
        return Setup(
            id=str(si["id"]),
            status=str(si["status"]),
            client_secret=str(si.get("client_secret") or ""),
            payment_method_id=_id(si.get("payment_method")),
        )

    @staticmethod
    def _refund(refund: dict[str, Any]) -> RefundInfo:
        return RefundInfo(
            id=str(refund["id"]),
            status=str(refund["status"]),
            amount=from_cents(refund.get("amount")),
            intent_id=_id(refund.get("payment_intent")),
        )

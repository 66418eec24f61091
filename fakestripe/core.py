"""The fake's state and Stripe's rules for the objects we use.

Everything runs under one lock (`Fake.lock`): requests are short, and serialising them is what
makes concurrent requests with one idempotency key behave like Stripe's (the second gets the
first one's answer). Objects are plain dicts in Stripe's shapes; answers are deep copies.
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

API_VERSION = "2025-09-30.clover"
HOLD_DAYS = 7  # Stripe keeps an online card authorisation for 7 days (capture_before)
MIN_AMOUNT = 50  # cents: Stripe's minimum charge in EUR

# Stripe's test cards: number → (brand, behaviour). Behaviours: ok, decline:<decline_code>,
# 3ds_always (authentication on every payment; off-session → authentication_required),
# 3ds_setup (authentication once; after a set-up off-session payments succeed).
CARDS = {
    "4242424242424242": ("visa", "ok"),
    "4000056655665556": ("visa", "ok"),
    "5555555555554444": ("mastercard", "ok"),
    "378282246310005": ("amex", "ok"),
    "4000000000000002": ("visa", "decline:generic_decline"),
    "4000000000009995": ("visa", "decline:insufficient_funds"),
    "4000000000000069": ("visa", "decline:expired_card"),
    "4000002760003184": ("visa", "3ds_always"),
    "4000002500003155": ("visa", "3ds_setup"),
}
# Stripe's test payment-method ids, usable by server code without card numbers.
TEST_PAYMENT_METHODS = {
    "pm_card_visa": "4242424242424242",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_amex": "378282246310005",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeDeclinedExpiredCard": "4000000000000069",
    "pm_card_authenticationRequired": "4000002760003184",
    "pm_card_authenticationRequiredSetupForOffSession": "4000002500003155",
}
DECLINE_MESSAGES = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
    "expired_card": "Your card has expired.",
    "authentication_required": "Your card was declined. This transaction requires authentication.",
}
PREFIXES = {
    "customer": "cus",
    "payment_method": "pm",
    "setup_intent": "seti",
    "payment_intent": "pi",
    "charge": "ch",
    "refund": "re",
    "event": "evt",
    "webhook_endpoint": "we",
}


class StripeError(Exception):
    """An answer with Stripe's error shape; the `stripe` library maps it by status and type."""

    def __init__(self, status: int, type_: str, message: str, *, code: str = "", param: str = "", **extra: Any):
        super().__init__(message)
        self.status = status
        self.error: dict[str, Any] = {"type": type_, "message": message}
        if code:
            self.error["code"] = code
        if param:
            self.error["param"] = param
        self.error.update(extra)

    @property
    def body(self) -> dict[str, Any]:
        return {"error": self.error}


def invalid(message: str, *, code: str = "", param: str = "", status: int = 400) -> StripeError:
    return StripeError(status, "invalid_request_error", message, code=code, param=param)


def not_found(kind: str, object_id: str, param: str = "id") -> StripeError:
    return StripeError(
        404, "invalid_request_error", f"No such {kind}: '{object_id}'", code="resource_missing", param=param
    )


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0 and len(digits) >= 12


def to_int(value: Any, param: str) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise invalid(f"Invalid integer: {value}", code="parameter_invalid_integer", param=param) from None
    return number


def to_bool(value: Any) -> bool:
    return str(value).lower() in ("true", "1", "yes")


@dataclass
class Account:
    """One Stripe account: the part of an API key after `sk_test_` / `pk_test_` names it."""

    name: str
    objects: dict[str, dict] = field(default_factory=dict)
    idempotency: dict[str, dict] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)


class Fake:
    """State of all accounts plus the clock; the HTTP layer calls `dispatch`."""

    def __init__(self, *, base_url: Callable[[], str], on_event: Callable[[Account, dict], None]):
        self.lock = threading.RLock()
        self.accounts: dict[str, Account] = {}
        self.clock_offset = 0.0
        self._base_url = base_url
        self._on_event = on_event

    # --- infrastructure -------------------------------------------------------------------

    def now(self) -> int:
        return int(time.time() + self.clock_offset)

    def reset(self, account: str | None = None) -> None:
        with self.lock:
            if account:
                self.accounts.pop(account, None)
            else:
                self.accounts.clear()
                self.clock_offset = 0.0

    def account(self, name: str) -> Account:
        if name not in self.accounts:
            self.accounts[name] = Account(name)
        return self.accounts[name]

    def find(self, object_id: str) -> tuple[Account, dict] | None:
        for account in self.accounts.values():
            if object_id in account.objects:
                return account, account.objects[object_id]
        return None

    def new_id(self, kind: str) -> str:
        return f"{PREFIXES[kind]}_{secrets.token_hex(12)}"

    def store(self, account: Account, obj: dict) -> dict:
        account.objects[obj["id"]] = obj
        return obj

    def get(self, account: Account, kind: str, object_id: str, param: str = "id") -> dict:
        obj = account.objects.get(object_id)
        if obj is None or obj["object"] != kind:
            raise not_found(kind, object_id, param)
        if kind == "payment_intent":
            self.expire(account, obj)
        return obj

    def event(self, account: Account, type_: str, obj: dict, *, request: dict | None = None) -> dict:
        event = {
            "id": self.new_id("event"),
            "object": "event",
            "api_version": API_VERSION,
            "created": self.now(),
            "data": {"object": public(obj)},
            "livemode": False,
            "pending_webhooks": 0,
            "request": request or {"id": None, "idempotency_key": None},
            "type": type_,
        }
        account.events.append(event)
        account.objects[event["id"]] = event
        self._on_event(account, event)
        return event

    def render(self, account: Account, obj: dict, expand: list[str] | None = None) -> dict:
        """A copy of the object with the requested `expand[]` paths replaced by their objects."""
        out = copy.deepcopy(obj)
        for path in expand or []:
            self._expand(account, out, path.split("."))
        return out

    def _expand(self, account: Account, node: dict, parts: list[str]) -> None:
        head, rest = parts[0], parts[1:]
        value = node.get(head)
        if isinstance(value, str) and value in account.objects:
            value = node[head] = copy.deepcopy(account.objects[value])
        if rest and isinstance(value, dict):
            self._expand(account, value, rest)

    def sweep(self) -> None:
        """Let holds expire that passed capture_before (after the clock moved)."""
        with self.lock:
            for account in self.accounts.values():
                for obj in list(account.objects.values()):
                    if obj["object"] == "payment_intent":
                        self.expire(account, obj)

    def expire(self, account: Account, intent: dict) -> None:
        if intent["status"] != "requires_capture":
            return
        charge = account.objects.get(intent["latest_charge"] or "")
        capture_before = charge["payment_method_details"]["card"]["capture_before"] if charge else None
        if capture_before and self.now() > capture_before:
            intent.update(
                status="canceled", amount_capturable=0, canceled_at=self.now(), cancellation_reason="automatic"
            )
            self.event(account, "payment_intent.canceled", intent)

    # --- customers and payment methods -------------------------------------------------------

    def customer_create(self, account: Account, p: dict) -> dict:
        customer = {
            "id": self.new_id("customer"),
            "object": "customer",
            "created": self.now(),
            "email": p.get("email") or None,
            "name": p.get("name") or None,
            "description": p.get("description") or None,
            "metadata": p.get("metadata") or {},
            "invoice_settings": {"default_payment_method": None},
            "livemode": False,
        }
        self.store(account, customer)
        self.event(account, "customer.created", customer)
        return customer

    def payment_method_create(self, account: Account, p: dict) -> dict:
        if p.get("type", "card") != "card":
            raise invalid("Only card payment methods are supported by the fake.", param="type")
        card = p.get("card") or {}
        number = "".join(ch for ch in str(card.get("number", "")) if ch.isdigit())
        if not number:
            raise invalid("Missing required param: card[number].", code="parameter_missing", param="card[number]")
        if not luhn_ok(number):
            raise StripeError(
                402, "card_error", "Your card number is incorrect.", code="incorrect_number", param="number"
            )
        exp_month = to_int(card.get("exp_month", 0), "card[exp_month]")
        exp_year = to_int(card.get("exp_year", 0), "card[exp_year]")
        if exp_year < 100:
            exp_year += 2000
        if not 1 <= exp_month <= 12:
            raise StripeError(
                402, "card_error", "Your card's expiration month is invalid.", code="invalid_expiry_month"
            )
        now = time.gmtime(self.now())
        if (exp_year, exp_month) < (now.tm_year, now.tm_mon):
            raise StripeError(402, "card_error", "Your card's expiration year is invalid.", code="invalid_expiry_year")
        cvc = str(card.get("cvc", ""))
        if cvc and (not cvc.isdigit() or len(cvc) not in (3, 4)):
            raise StripeError(402, "card_error", "Your card's security code is invalid.", code="invalid_cvc")
        return self._payment_method(account, number, exp_month, exp_year, p.get("metadata") or {})

    def _payment_method(self, account: Account, number: str, exp_month: int, exp_year: int, metadata: dict) -> dict:
        brand, behaviour = CARDS.get(number, (_brand(number), "ok"))
        pm = {
            "id": self.new_id("payment_method"),
            "object": "payment_method",
            "type": "card",
            "created": self.now(),
            "customer": None,
            "livemode": False,
            "metadata": metadata,
            "billing_details": {"address": None, "email": None, "name": None, "phone": None},
            "card": {
                "brand": brand,
                "country": "DE",
                "exp_month": exp_month,
                "exp_year": exp_year,
                "funding": "credit",
                "last4": number[-4:],
                "fingerprint": secrets.token_hex(8),
            },
            # not Stripe fields: the fake's own memory of how this card behaves
            "_behaviour": behaviour,
            "_set_up": False,
        }
        return self.store(account, pm)

    def payment_method_resolve(self, account: Account, pm_id: str, param: str = "payment_method") -> dict:
        if pm_id in TEST_PAYMENT_METHODS:
            # Stripe turns a test token into a fresh payment method on every use.
            return self._payment_method(account, TEST_PAYMENT_METHODS[pm_id], 12, 2034, {})
        return self.get(account, "payment_method", pm_id, param)

    def payment_method_attach(self, account: Account, pm: dict, customer_id: str) -> None:
        if pm["customer"] == customer_id:
            return
        if pm["customer"]:
            raise invalid(
                "The payment method you provided has already been attached to a customer.",
                code="payment_method_unexpected_state",
            )
        pm["customer"] = customer_id
        self.event(account, "payment_method.attached", pm)

    def _payment_method_from_params(self, account: Account, p: dict, current: str | None) -> dict | None:
        if p.get("payment_method"):
            return self.payment_method_resolve(account, p["payment_method"])
        if p.get("payment_method_data"):
            return self.payment_method_create(account, p["payment_method_data"])
        if current:
            return self.get(account, "payment_method", current)
        return None

    def _check_customer(self, account: Account, p: dict) -> str | None:
        customer_id = p.get("customer") or None
        if customer_id:
            self.get(account, "customer", customer_id, "customer")
        return customer_id

    def _attempt(self, pm: dict, *, off_session: bool, authenticated: bool) -> tuple[str, str]:
        """How the card answers one payment or set-up: ("ok"|"action"|"decline", decline_code)."""
        behaviour = pm["_behaviour"]
        if behaviour.startswith("decline:"):
            return "decline", behaviour.split(":", 1)[1]
        needs_auth = behaviour == "3ds_always" or (behaviour == "3ds_setup" and not pm["_set_up"])
        if needs_auth and not authenticated:
            return ("decline", "authentication_required") if off_session else ("action", "")
        return "ok", ""

    def _next_action(self, kind: str, obj: dict, return_url: str) -> dict:
        query = urlencode({"return_url": return_url, "client_secret": obj["client_secret"]})
        url = f"{self._base_url()}/_fake/3ds/{obj['id']}?{query}"
        return {"type": "redirect_to_url", "redirect_to_url": {"url": url, "return_url": return_url}}

    # --- setup intents -------------------------------------------------------------------------

    def setup_intent_create(self, account: Account, p: dict) -> dict:
        customer_id = self._check_customer(account, p)
        intent_id = self.new_id("setup_intent")
        intent = {
            "id": intent_id,
            "object": "setup_intent",
            "client_secret": f"{intent_id}_secret_{secrets.token_hex(12)}",
            "created": self.now(),
            "customer": customer_id,
            "description": p.get("description") or None,
            "last_setup_error": None,
            "livemode": False,
            "metadata": p.get("metadata") or {},
            "next_action": None,
            "payment_method": None,
            "payment_method_types": p.get("payment_method_types") or ["card"],
            "status": "requires_payment_method",
            "usage": p.get("usage") or "off_session",
            "cancellation_reason": None,
        }
        pm = self._payment_method_from_params(account, p, None)
        if pm:
            intent["payment_method"] = pm["id"]
            intent["status"] = "requires_confirmation"
        self.store(account, intent)
        self.event(account, "setup_intent.created", intent)
        if to_bool(p.get("confirm", False)):
            self.setup_intent_confirm(account, intent, p)
        return intent

    def setup_intent_confirm(self, account: Account, intent: dict, p: dict) -> dict:
        if intent["status"] not in ("requires_payment_method", "requires_confirmation"):
            raise invalid(
                f"You cannot confirm this SetupIntent because it has a status of {intent['status']}.",
                code="setup_intent_unexpected_state",
            )
        pm = self._payment_method_from_params(account, p, intent["payment_method"])
        if pm is None:
            raise invalid(
                "You cannot confirm this SetupIntent because it's missing a payment method.",
                code="setup_intent_unexpected_state",
            )
        intent["payment_method"] = pm["id"]
        outcome, decline = self._attempt(pm, off_session=False, authenticated=False)
        if outcome == "action":
            intent["status"] = "requires_action"
            intent["next_action"] = self._next_action("setup_intent", intent, p.get("return_url", ""))
            self.event(account, "setup_intent.requires_action", intent)
        elif outcome == "decline":
            self._setup_failed(account, intent, pm, decline)
        else:
            self._setup_succeeded(account, intent, pm)
        return intent

    def _setup_succeeded(self, account: Account, intent: dict, pm: dict) -> None:
        intent.update(status="succeeded", next_action=None, last_setup_error=None)
        pm["_set_up"] = True
        if intent["customer"]:
            self.payment_method_attach(account, pm, intent["customer"])
        self.event(account, "setup_intent.succeeded", intent)

    def _setup_failed(self, account: Account, intent: dict, pm: dict, decline: str, *, raise_: bool = True) -> None:
        error = _card_error(decline, pm)
        intent.update(status="requires_payment_method", payment_method=None, next_action=None, last_setup_error=error)
        self.event(account, "setup_intent.setup_failed", intent)
        if raise_:
            raise StripeError(
                402,
                "card_error",
                error["message"],
                **_without(error, "type", "message"),
                setup_intent=copy.deepcopy(intent),
            )

    def setup_intent_cancel(self, account: Account, intent: dict, p: dict) -> dict:
        if intent["status"] in ("succeeded", "canceled"):
            raise invalid(
                f"You cannot cancel this SetupIntent because it has a status of {intent['status']}.",
                code="setup_intent_unexpected_state",
            )
        intent.update(status="canceled", next_action=None, cancellation_reason=p.get("cancellation_reason"))
        self.event(account, "setup_intent.canceled", intent)
        return intent

    # --- payment intents -----------------------------------------------------------------------

    def payment_intent_create(self, account: Account, p: dict) -> dict:
        amount, capture_method, sfu = self._intent_params(p)
        customer_id = self._check_customer(account, p)
        if sfu and not customer_id:
            raise invalid(
                "A customer is required to save a payment method for future usage.", param="setup_future_usage"
            )
        off_session = to_bool(p.get("off_session", False))
        confirm = to_bool(p.get("confirm", False))
        if off_session and not confirm:
            raise invalid("off_session can only be used when confirm=true.", param="off_session")
        intent_id = self.new_id("payment_intent")
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_received": 0,
            "canceled_at": None,
            "cancellation_reason": None,
            "capture_method": capture_method,
            "client_secret": f"{intent_id}_secret_{secrets.token_hex(12)}",
            "confirmation_method": "automatic",
            "created": self.now(),
            "currency": str(p["currency"]).lower(),
            "customer": customer_id,
            "description": p.get("description") or None,
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": p.get("metadata") or {},
            "next_action": None,
            "payment_method": None,
            "payment_method_types": p.get("payment_method_types") or ["card"],
            "setup_future_usage": sfu,
            "status": "requires_payment_method",
            "_off_session": off_session,
        }
        pm = self._payment_method_from_params(account, p, None)
        if pm:
            self._check_pm_customer(pm, customer_id)
            intent["payment_method"] = pm["id"]
            intent["status"] = "requires_confirmation"
        self.store(account, intent)
        self.event(account, "payment_intent.created", intent)
        if confirm:
            self.payment_intent_confirm(account, intent, p)
        return intent

    @staticmethod
    def _intent_params(p: dict) -> tuple[int, str, str | None]:
        if "amount" not in p:
            raise invalid("Missing required param: amount.", code="parameter_missing", param="amount")
        amount = to_int(p["amount"], "amount")
        if amount < MIN_AMOUNT:
            raise invalid("Amount must be at least €0.50 eur", code="amount_too_small", param="amount")
        if amount > 99_999_999:
            raise invalid("Amount must be no more than €999,999.99", code="amount_too_large", param="amount")
        if not p.get("currency"):
            raise invalid("Missing required param: currency.", code="parameter_missing", param="currency")
        capture_method = p.get("capture_method") or "automatic"
        if capture_method not in ("automatic", "automatic_async", "manual"):
            raise invalid(f"Invalid capture_method: {capture_method}", param="capture_method")
        sfu = p.get("setup_future_usage") or None
        if sfu not in (None, "off_session", "on_session"):
            raise invalid(f"Invalid setup_future_usage: {sfu}", param="setup_future_usage")
        return amount, capture_method, sfu

    def _check_pm_customer(self, pm: dict, customer_id: str | None) -> None:
        if pm["customer"] and pm["customer"] != customer_id:
            raise invalid(
                "The provided PaymentMethod belongs to another customer.", code="payment_method_unexpected_state"
            )

    def payment_intent_confirm(self, account: Account, intent: dict, p: dict) -> dict:
        if intent["status"] not in ("requires_payment_method", "requires_confirmation"):
            raise invalid(
                f"You cannot confirm this PaymentIntent because it has a status of {intent['status']}.",
                code="payment_intent_unexpected_state",
            )
        pm = self._payment_method_from_params(account, p, intent["payment_method"])
        if pm is None:
            raise invalid(
                "You cannot confirm this PaymentIntent because it's missing a payment method.",
                code="payment_intent_unexpected_state",
            )
        self._check_pm_customer(pm, intent["customer"])
        if p.get("setup_future_usage"):
            intent["setup_future_usage"] = p["setup_future_usage"]
        off_session = to_bool(p.get("off_session", intent["_off_session"]))
        intent["payment_method"] = pm["id"]
        outcome, decline = self._attempt(pm, off_session=off_session, authenticated=False)
        if outcome == "action":
            intent["status"] = "requires_action"
            intent["next_action"] = self._next_action("payment_intent", intent, p.get("return_url", ""))
            self.event(account, "payment_intent.requires_action", intent)
        elif outcome == "decline":
            self._payment_failed(account, intent, pm, decline)
        else:
            self._authorised(account, intent, pm)
        return intent

    def _authorised(self, account: Account, intent: dict, pm: dict) -> None:
        manual = intent["capture_method"] == "manual"
        charge = {
            "id": self.new_id("charge"),
            "object": "charge",
            "amount": intent["amount"],
            "amount_captured": 0 if manual else intent["amount"],
            "amount_refunded": 0,
            "captured": not manual,
            "created": self.now(),
            "currency": intent["currency"],
            "customer": intent["customer"],
            "livemode": False,
            "metadata": intent["metadata"],
            "paid": True,
            "payment_intent": intent["id"],
            "payment_method": pm["id"],
            "payment_method_details": {
                "type": "card",
                "card": {
                    "brand": pm["card"]["brand"],
                    "last4": pm["card"]["last4"],
                    "exp_month": pm["card"]["exp_month"],
                    "exp_year": pm["card"]["exp_year"],
                    "country": "DE",
                    "funding": "credit",
                    "capture_before": self.now() + HOLD_DAYS * 86400 if manual else None,
                },
            },
            "refunded": False,
            "status": "succeeded",
        }
        self.store(account, charge)
        intent.update(latest_charge=charge["id"], next_action=None, last_payment_error=None)
        if intent["setup_future_usage"] and intent["customer"]:
            pm["_set_up"] = True
            self.payment_method_attach(account, pm, intent["customer"])
        self.event(account, "charge.succeeded", charge)
        if manual:
            intent.update(status="requires_capture", amount_capturable=intent["amount"])
            self.event(account, "payment_intent.amount_capturable_updated", intent)
        else:
            intent.update(status="succeeded", amount_received=intent["amount"])
            self.event(account, "payment_intent.succeeded", intent)

    def _payment_failed(self, account: Account, intent: dict, pm: dict, decline: str, *, raise_: bool = True) -> None:
        error = _card_error(decline, pm)
        intent.update(status="requires_payment_method", payment_method=None, next_action=None, last_payment_error=error)
        self.event(account, "payment_intent.payment_failed", intent)
        if raise_:
            raise StripeError(
                402,
                "card_error",
                error["message"],
                **_without(error, "type", "message"),
                payment_intent=self.render(account, intent),
            )

    def authenticate(self, account: Account, obj: dict, complete: bool) -> dict:
        """The customer's answer on the 3-D Secure challenge page."""
        if obj["status"] != "requires_action":
            return obj
        pm = self.get(account, "payment_method", obj["payment_method"])
        if obj["object"] == "setup_intent":
            if complete:
                self._setup_succeeded(account, obj, pm)
            else:
                self._setup_failed(account, obj, pm, "authentication_failure", raise_=False)
        elif complete:
            self._authorised(account, obj, pm)
        else:
            self._payment_failed(account, obj, pm, "authentication_failure", raise_=False)
        return obj

    def payment_intent_capture(self, account: Account, intent: dict, p: dict) -> dict:
        if intent["status"] != "requires_capture":
            raise invalid(
                f"This PaymentIntent could not be captured because it has a status of {intent['status']}. "
                "Only a PaymentIntent with one of the following statuses may be captured: requires_capture.",
                code="payment_intent_unexpected_state",
            )
        amount = to_int(p.get("amount_to_capture", intent["amount_capturable"]), "amount_to_capture")
        if amount <= 0 or amount > intent["amount_capturable"]:
            raise invalid(
                "The amount to capture must be positive and no more than the amount capturable.",
                code="amount_too_large",
                param="amount_to_capture",
            )
        charge = account.objects[intent["latest_charge"]]
        charge.update(amount_captured=amount, captured=True)
        # Stripe releases the rest of a partly captured authorisation at once.
        intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
        self.event(account, "charge.captured", charge)
        self.event(account, "payment_intent.succeeded", intent)
        return intent

    def payment_intent_cancel(self, account: Account, intent: dict, p: dict) -> dict:
        if intent["status"] in ("succeeded", "canceled", "processing"):
            raise invalid(
                f"You cannot cancel this PaymentIntent because it has a status of {intent['status']}.",
                code="payment_intent_unexpected_state",
            )
        intent.update(
            status="canceled",
            amount_capturable=0,
            next_action=None,
            canceled_at=self.now(),
            cancellation_reason=p.get("cancellation_reason") or "requested_by_customer",
        )
        self.event(account, "payment_intent.canceled", intent)
        return intent

    # --- refunds ---------------------------------------------------------------------------------

    def refund_create(self, account: Account, p: dict) -> dict:
        if p.get("payment_intent"):
            intent = self.get(account, "payment_intent", p["payment_intent"], "payment_intent")
            charge = account.objects.get(intent["latest_charge"] or "")
            if intent["status"] != "succeeded" or charge is None:
                raise invalid(
                    f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
                    code="charge_not_refundable",
                    param="payment_intent",
                )
        elif p.get("charge"):
            charge = self.get(account, "charge", p["charge"], "charge")
        else:
            raise invalid("One of the following params should be provided for this request: payment_intent or charge.")
        remaining = charge["amount_captured"] - charge["amount_refunded"]
        if remaining <= 0:
            raise invalid(
                f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded", param="amount"
            )
        amount = to_int(p.get("amount", remaining), "amount")
        if amount <= 0:
            raise invalid("Invalid positive integer", code="parameter_invalid_integer", param="amount")
        if amount > remaining:
            raise invalid(
                f"Refund amount ({amount / 100:.2f}) is greater than unrefunded amount on charge "
                f"({remaining / 100:.2f})",
                code="amount_too_large",
                param="amount",
            )
        refund = {
            "id": self.new_id("refund"),
            "object": "refund",
            "amount": amount,
            "charge": charge["id"],
            "created": self.now(),
            "currency": charge["currency"],
            "metadata": p.get("metadata") or {},
            "payment_intent": charge["payment_intent"],
            "reason": p.get("reason") or None,
            "status": "succeeded",
        }
        self.store(account, refund)
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount_captured"]
        self.event(account, "refund.created", refund)
        self.event(account, "charge.refunded", charge)
        return refund

    # --- webhook endpoints -------------------------------------------------------------------------

    def webhook_endpoint_create(self, account: Account, p: dict) -> dict:
        if not p.get("url"):
            raise invalid("Missing required param: url.", code="parameter_missing", param="url")
        events = p.get("enabled_events") or []
        if not events:
            raise invalid("Missing required param: enabled_events.", code="parameter_missing", param="enabled_events")
        endpoint = {
            "id": self.new_id("webhook_endpoint"),
            "object": "webhook_endpoint",
            "api_version": None,
            "created": self.now(),
            "enabled_events": list(events),
            "livemode": False,
            "metadata": p.get("metadata") or {},
            "secret": "whsec_" + secrets.token_urlsafe(24),
            "status": "enabled",
            "url": p["url"],
        }
        return self.store(account, endpoint)

    def endpoints(self, account: Account) -> list[dict]:
        return [o for o in account.objects.values() if o["object"] == "webhook_endpoint"]


def _brand(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in ("51", "52", "53", "54", "55") or number[:1] == "2":
        return "mastercard"
    if number[:2] in ("34", "37"):
        return "amex"
    return "unknown"


def _card_error(decline: str, pm: dict) -> dict:
    if decline == "authentication_failure":
        return {
            "type": "invalid_request_error",
            "code": "payment_intent_authentication_failure",
            "message": "The provided PaymentMethod has failed authentication.",
            "payment_method": copy.deepcopy(_public(pm)),
        }
    code = "authentication_required" if decline == "authentication_required" else "card_declined"
    if decline == "expired_card":
        code = "expired_card"
    return {
        "type": "card_error",
        "code": code,
        "decline_code": decline,
        "message": DECLINE_MESSAGES.get(decline, "Your card was declined."),
        "payment_method": copy.deepcopy(_public(pm)),
    }


def _public(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def _without(d: dict, *keys: str) -> dict:
    return {k: v for k, v in d.items() if k not in keys}


def public(obj: Any) -> Any:
    """Strip the fake's private `_` keys before an object leaves the server."""
    if isinstance(obj, dict):
        return {k: public(v) for k, v in obj.items() if not k.startswith("_")}
    if isinstance(obj, list):
        return [public(v) for v in obj]
    return obj

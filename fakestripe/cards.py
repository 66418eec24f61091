"""Stripe's test cards, customers and payment methods, and how a card answers a payment."""

from __future__ import annotations

import copy
import secrets
import time

from .base import Account, Base, StripeError, invalid, to_int

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


class Cards(Base):
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


def _brand(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in ("51", "52", "53", "54", "55") or number[:1] == "2":
        return "mastercard"
    if number[:2] in ("34", "37"):
        return "amex"
    return "unknown"


def card_error(decline: str, pm: dict) -> dict:
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

"""Setup intents and payment intents: confirmation, 3-D Secure, holds with capture_before, capture, cancel."""

from __future__ import annotations

import copy
import secrets
from urllib.parse import urlencode

from .base import Account, StripeError, invalid, to_bool, to_int, without
from .cards import Cards, card_error

HOLD_DAYS = 7  # Stripe keeps an online card authorisation for 7 days (capture_before)
MIN_AMOUNT = 50  # cents: Stripe's minimum charge in EUR


class Intents(Cards):
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
            "payment_method_types": _allowed_types(p),
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
        error = card_error(decline, pm)
        intent.update(status="requires_payment_method", payment_method=None, next_action=None, last_setup_error=error)
        self.event(account, "setup_intent.setup_failed", intent)
        if raise_:
            raise StripeError(
                402,
                "card_error",
                error["message"],
                **without(error, "type", "message"),
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
            "payment_method_types": _allowed_types(p),
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
        error = card_error(decline, pm)
        intent.update(status="requires_payment_method", payment_method=None, next_action=None, last_payment_error=error)
        self.event(account, "payment_intent.payment_failed", intent)
        if raise_:
            raise StripeError(
                402,
                "card_error",
                error["message"],
                **without(error, "type", "message"),
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


def _allowed_types(p: dict) -> list:
    """The request's allowed_payment_method_types (API 2026-10-28) become the answer's payment_method_types."""
    return p.get("allowed_payment_method_types") or ["card"]

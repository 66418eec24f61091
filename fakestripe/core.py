"""The fake's object rules put together, plus refunds and webhook endpoints (`Fake`)."""

from __future__ import annotations

import secrets

from .base import Account, StripeError, invalid, not_found, public, to_int
from .intents import Intents

__all__ = ["Account", "Fake", "StripeError", "invalid", "not_found", "public"]


class Fake(Intents):
    """All accounts' objects and the clock; the HTTP layer (`server.py`) calls its methods."""

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

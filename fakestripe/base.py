"""The fake's state: accounts, ids, events, expansion, the clock; and Stripe's error shape.

Everything runs under one lock (`Fake.lock`): requests are short, and serialising them is what
makes concurrent requests with one idempotency key behave like Stripe's (the second gets the
first one's answer). Objects are plain dicts in Stripe's shapes; answers are deep copies.
Keys starting with `_` are the fake's own memory and never leave the server (`public`).
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

API_VERSION = "2026-10-28.endive"  # the version stripe 16.1 sends

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


class Base:
    """State of all accounts plus the clock; the object rules build on it (cards, intents, core)."""

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

    def dump(self) -> dict:
        return {
            "clock_offset": self.clock_offset,
            "accounts": {
                name: {
                    "objects": a.objects,
                    "idempotency": a.idempotency,
                    "events": [e["id"] for e in a.events],
                }
                for name, a in self.accounts.items()
            },
        }

    def load(self, data: dict) -> None:
        with self.lock:
            self.clock_offset = float(data.get("clock_offset", 0))
            for name, saved in data.get("accounts", {}).items():
                account = self.account(name)
                account.objects = saved["objects"]
                account.idempotency = saved["idempotency"]
                account.events = [account.objects[i] for i in saved["events"] if i in account.objects]

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
        event: dict[str, Any] = {
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


def without(d: dict, *keys: str) -> dict:
    return {k: v for k, v in d.items() if k not in keys}


def public(obj: Any) -> Any:
    """Strip the fake's private `_` keys before an object leaves the server."""
    if isinstance(obj, dict):
        return {k: public(v) for k, v in obj.items() if not k.startswith("_")}
    if isinstance(obj, list):
        return [public(v) for v in obj]
    return obj

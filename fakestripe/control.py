"""The fake's control API for tests and scripts (`/_fake/…`, JSON, no key): failures on demand,
the clock, reset, events (also signed), objects, webhook deliveries."""

from __future__ import annotations

import fnmatch
import json
import time
from typing import Any

from .core import invalid, not_found, public
from .webhooks import sign


class Failure:
    """One rule of `POST /_fake/failures`: the next `times` matching calls fail."""

    def __init__(self, spec: dict):
        self.path = spec.get("path", "*")
        self.method = (spec.get("method") or "*").upper()
        self.status = int(spec.get("status", 500))
        self.times = int(spec.get("times", 1))
        self.mode = spec.get("mode", "error")  # error | hang
        self.seconds = float(spec.get("seconds", 30))
        # after=True: the call is carried out (and its idempotent answer kept), then the answer is lost
        self.after = bool(spec.get("after", False))
        self.account = spec.get("account") or ""

    def matches(self, method: str, path: str, account: str) -> bool:
        return (
            self.times > 0
            and (self.method in ("*", method))
            and fnmatch.fnmatchcase(path, self.path)
            and (not self.account or self.account == account)
        )


class ControlMixin:
    """Part of the request handler (server._Handler)."""

    fake_server: Any
    _json: Any
    _body: Any

    def _control(self, method: str, path: str, query: dict) -> None:
        data = json.loads(self._body() or "{}") if method == "POST" else {}
        exact = {
            ("GET", "/_fake/health"): lambda: {"ok": True, "fake": "stripe"},
            ("POST", "/_fake/failures"): lambda: self._failure_add(data),
            ("DELETE", "/_fake/failures"): self._failures_clear,
            ("POST", "/_fake/clock"): lambda: self._clock(data),
            ("POST", "/_fake/reset"): lambda: self._reset(data),
            ("GET", "/_fake/events"): lambda: self._all_events(query),
            ("GET", "/_fake/deliveries"): lambda: {"object": "list", "data": self.fake_server.deliverer.log()},
        }
        if (method, path) in exact:
            self._json(200, exact[(method, path)]())
        elif path.startswith("/_fake/events/") and path.endswith("/signed"):
            self._signed(path.split("/")[3], query)
        elif path.startswith("/_fake/objects/"):
            self._json(200, self._object(path.rsplit("/", 1)[1], query))
        else:
            raise invalid(f"Unrecognized control URL ({method}: {path}).", status=404)

    def _failure_add(self, data: dict) -> dict:
        server = self.fake_server
        with server.fake.lock:
            server.failures = [f for f in server.failures if f.times > 0]
            server.failures.append(Failure(data))
            return {"ok": True, "pending": len(server.failures)}

    def _failures_clear(self) -> dict:
        with self.fake_server.fake.lock:
            self.fake_server.failures.clear()
        return {"ok": True}

    def _clock(self, data: dict) -> dict:
        fake = self.fake_server.fake
        seconds = (
            float(data.get("seconds", 0)) + 86400 * float(data.get("days", 0)) + 3600 * float(data.get("hours", 0))
        )
        with fake.lock:
            fake.clock_offset += seconds
        fake.sweep()
        return {"now": fake.now()}

    def _reset(self, data: dict) -> dict:
        self.fake_server.fake.reset(data.get("account"))
        self._failures_clear()
        self.fake_server.deliverer.clear()
        return {"ok": True}

    def _all_events(self, query: dict) -> dict:
        fake = self.fake_server.fake
        with fake.lock:
            events = [
                {**e, "account": a.name}
                for a in fake.accounts.values()
                for e in a.events
                if (not query.get("account") or a.name == query["account"])
                and (not query.get("type") or fnmatch.fnmatchcase(e["type"], query["type"]))
            ]
        events.sort(key=lambda e: e["created"])
        return {"object": "list", "data": events}

    def _object(self, object_id: str, query: dict) -> dict:
        fake = self.fake_server.fake
        with fake.lock:
            found = fake.find(object_id)
            if not found:
                raise not_found("object", object_id)
            account, obj = found
            if obj["object"] == "payment_intent":
                fake.expire(account, obj)
            expand = query["expand"].split(",") if query.get("expand") else []
            return {**fake.render(account, obj, expand), "account": account.name}

    def _signed(self, event_id: str, query: dict) -> None:
        fake = self.fake_server.fake
        with fake.lock:
            found = fake.find(event_id)
            if not found or found[1]["object"] != "event":
                raise not_found("event", event_id)
            account, event = found
            secret = query.get("secret", "")
            if query.get("endpoint"):
                endpoint = fake.get(account, "webhook_endpoint", query["endpoint"], "endpoint")
                secret = endpoint["secret"]
            if not secret:
                raise invalid("Give endpoint=<we_…> or secret=<whsec_…>.", param="endpoint")
            payload = json.dumps(public(event), indent=2)
        header = sign(payload, secret, timestamp=int(query.get("timestamp") or time.time()))
        self._json(200, {"payload": payload, "header": header, "account": account.name})

"""HTTP layer of the fake: Stripe's routes, idempotency, failures on demand, the control API.

Stripe's API: `/v1/...`, authenticated by `Authorization: Bearer <key>`; the key's part after
`sk_test_` / `pk_test_` names the account (so `sk_test_fake_7` and `pk_test_fake_7` share one).
A publishable key may only do what Stripe.js does: create payment methods, and read or confirm
an intent whose client secret it presents.

Control API (JSON, no key): `POST /_fake/failures`, `POST /_fake/clock`, `POST /_fake/reset`,
`GET /_fake/events`, `GET /_fake/events/<id>/signed?endpoint=|secret=`, `GET /_fake/objects/<id>`,
`GET /_fake/deliveries`, `GET /_fake/health`. Browser: `/v3/` (Stripe.js stand-in), `/_fake/3ds/<id>`.
"""

from __future__ import annotations

import contextlib
import copy
import fnmatch
import html
import json
import re
import secrets
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from . import forms
from .core import Account, Fake, StripeError, invalid, not_found, public
from .webhooks import Deliverer, sign

STATIC = Path(__file__).parent / "static"
KEY = re.compile(r"^(sk|pk|rk)_(?:test|live)_(.+)$")


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


class FakeStripe:
    """The server; `start()` runs it in a daemon thread, `serve_forever()` in the caller's."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, deliver_webhooks: bool = True):
        self.fake = Fake(base_url=lambda: self.url, on_event=self._on_event)
        self.failures: list[Failure] = []
        self.deliverer = Deliverer(enabled=deliver_webhooks)
        self.httpd = ThreadingHTTPServer((host, port), _handler(self))
        self.httpd.daemon_threads = True
        self.host, self.port = self.httpd.server_address[:2]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> FakeStripe:
        self._thread = threading.Thread(target=self.serve_forever, name="fakestripe", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.deliverer.start()
        self.httpd.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.deliverer.stop()

    def _on_event(self, account: Account, event: dict) -> None:
        for endpoint in self.fake.endpoints(account):
            if "*" in endpoint["enabled_events"] or event["type"] in endpoint["enabled_events"]:
                event["pending_webhooks"] += 1
                self.deliverer.queue(endpoint["url"], endpoint["secret"], endpoint["id"], event)

    def take_failure(self, method: str, path: str, account: str) -> Failure | None:
        with self.fake.lock:
            for failure in self.failures:
                if failure.matches(method, path, account):
                    failure.times -= 1
                    return failure
        return None


def _handler(server: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        fake_server = server

    return Handler


class _Handler(BaseHTTPRequestHandler):
    fake_server: FakeStripe
    protocol_version = "HTTP/1.1"
    server_version = "fakestripe/1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests and `make run` read their own logs

    # --- plumbing ------------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        origin = self.headers.get("Origin")
        self.send_header("Access-Control-Allow-Origin", origin or "*")
        self.send_header("Vary", "Origin")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: Any, headers: dict | None = None) -> None:
        body = json.dumps(public(data), indent=2).encode()
        base = {"Request-Id": "req_" + secrets.token_hex(8), "Stripe-Version": self.headers.get("Stripe-Version", "")}
        self._send(status, body, "application/json", {**base, **(headers or {})})

    def _body(self) -> str:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode("utf-8") if length else ""

    def do_OPTIONS(self) -> None:
        self._send(
            204,
            b"",
            "text/plain",
            {
                "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
                "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key, Stripe-Version",
                "Access-Control-Max-Age": "600",
            },
        )

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_DELETE(self) -> None:
        self._route("DELETE")

    def _route(self, method: str) -> None:
        split = urlsplit(self.path)
        path = split.path.rstrip("/") or "/"
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        try:
            if path.startswith("/v1/"):
                self._api(method, path, split.query)
            elif path == "/v3" or path == "/v3/stripe.js":
                self._send(200, (STATIC / "stripe.js").read_bytes(), "application/javascript; charset=utf-8")
            elif path.startswith("/_fake/3ds/"):
                self._challenge(method, path.rsplit("/", 1)[1], query)
            elif path.startswith("/_fake/"):
                self._control(method, path, query)
            else:
                self._json(
                    404,
                    {
                        "error": {
                            "type": "invalid_request_error",
                            "message": f"Unrecognized request URL ({method}: {path}).",
                        }
                    },
                )
        except StripeError as exc:
            self._json(exc.status, exc.body)
        except BrokenPipeError:
            pass

    # --- Stripe's API ---------------------------------------------------------------------------

    def _api(self, method: str, path: str, raw_query: str) -> None:
        server = self.fake_server
        auth = self.headers.get("Authorization", "")
        match = KEY.match(auth.removeprefix("Bearer ").strip())
        if not match:
            raise StripeError(
                401, "invalid_request_error", "You did not provide an API key, or the key is not a valid key."
            )
        key_type, account_name = match.group(1), match.group(2)
        body = self._body() if method == "POST" else raw_query
        params = forms.decode(body)
        request_sig = (method, path, copy.deepcopy(params))
        failure = server.take_failure(method, path, account_name)
        if failure and not failure.after:
            self._fail(failure)
            return
        idem_key = self.headers.get("Idempotency-Key") if method == "POST" else None
        fake = server.fake
        with fake.lock:
            account = fake.account(account_name)
            replay = account.idempotency.get(idem_key) if idem_key else None
            if replay is not None:
                if replay["request"] != request_sig:
                    status, answer = (
                        400,
                        {
                            "error": {
                                "type": "idempotency_error",
                                "message": "Keys for idempotent requests can only be used with the same parameters "
                                "they were first used with. Try using a key other than "
                                f"'{idem_key}' if you meant to execute a different request.",
                            }
                        },
                    )
                    headers = {}
                else:
                    status, answer = replay["status"], replay["answer"]
                    headers = {"Idempotent-Replayed": "true", "Original-Request": replay["request_id"]}
            else:
                try:
                    status, answer = 200, self._dispatch(account, method, path, params, key_type)
                except StripeError as exc:
                    status, answer = exc.status, exc.body
                answer = public(answer)
                if idem_key and status != 401:
                    account.idempotency[idem_key] = {
                        "request": request_sig,
                        "status": status,
                        "answer": copy.deepcopy(answer),
                        "request_id": "req_" + secrets.token_hex(8),
                    }
                headers = {"Idempotency-Key": idem_key} if idem_key else {}
        if failure:
            self._fail(failure)
            return
        self._json(status, answer, headers)

    def _fail(self, failure: Failure) -> None:
        if failure.mode == "hang":
            time.sleep(failure.seconds)
        status = failure.status
        type_ = "rate_limit_error" if status == 429 else "api_error"
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._json(status, {"error": {"type": type_, "message": f"The fake answers {status} on request."}})

    def _dispatch(self, account: Account, method: str, path: str, p: dict, key_type: str) -> dict:
        fake = self.fake_server.fake
        parts = path.split("/")[2:]  # after /v1
        resource, object_id, action = ([*parts, None, None])[:3]
        expand = p.pop("expand", None) or []
        if isinstance(expand, str):
            expand = [expand]
        if key_type == "pk":
            return fake.render(account, self._publishable(account, method, resource, object_id, action, p), expand)
        route = (method, resource, object_id is not None, action)
        handlers = {
            ("POST", "customers", False, None): lambda: fake.customer_create(account, p),
            ("GET", "customers", True, None): lambda: fake.get(account, "customer", object_id),
            ("POST", "payment_methods", False, None): lambda: fake.payment_method_create(account, p),
            ("GET", "payment_methods", True, None): lambda: fake.get(account, "payment_method", object_id),
            ("POST", "payment_methods", True, "attach"): lambda: self._attach(account, object_id, p),
            ("POST", "setup_intents", False, None): lambda: fake.setup_intent_create(account, p),
            ("GET", "setup_intents", True, None): lambda: fake.get(account, "setup_intent", object_id),
            ("POST", "setup_intents", True, "confirm"): lambda: fake.setup_intent_confirm(
                account, fake.get(account, "setup_intent", object_id), p
            ),
            ("POST", "setup_intents", True, "cancel"): lambda: fake.setup_intent_cancel(
                account, fake.get(account, "setup_intent", object_id), p
            ),
            ("POST", "payment_intents", False, None): lambda: fake.payment_intent_create(account, p),
            ("GET", "payment_intents", True, None): lambda: fake.get(account, "payment_intent", object_id),
            ("POST", "payment_intents", True, "confirm"): lambda: fake.payment_intent_confirm(
                account, fake.get(account, "payment_intent", object_id), p
            ),
            ("POST", "payment_intents", True, "capture"): lambda: fake.payment_intent_capture(
                account, fake.get(account, "payment_intent", object_id), p
            ),
            ("POST", "payment_intents", True, "cancel"): lambda: fake.payment_intent_cancel(
                account, fake.get(account, "payment_intent", object_id), p
            ),
            ("GET", "charges", True, None): lambda: fake.get(account, "charge", object_id),
            ("POST", "refunds", False, None): lambda: fake.refund_create(account, p),
            ("GET", "refunds", True, None): lambda: fake.get(account, "refund", object_id),
            ("GET", "events", True, None): lambda: fake.get(account, "event", object_id),
            ("GET", "events", False, None): lambda: self._event_list(account, p),
            ("POST", "webhook_endpoints", False, None): lambda: fake.webhook_endpoint_create(account, p),
            ("GET", "webhook_endpoints", False, None): lambda: _list("/v1/webhook_endpoints", fake.endpoints(account)),
        }
        handler = handlers.get(route)
        if handler is None:
            raise invalid(f"Unrecognized request URL ({method}: {path}).", status=404)
        return fake.render(account, handler(), expand)

    def _attach(self, account: Account, pm_id: str, p: dict) -> dict:
        fake = self.fake_server.fake
        pm = fake.get(account, "payment_method", pm_id)
        customer = fake.get(account, "customer", p.get("customer", ""), "customer")
        fake.payment_method_attach(account, pm, customer["id"])
        return pm

    def _event_list(self, account: Account, p: dict) -> dict:
        events = list(reversed(account.events))
        if p.get("type"):
            events = [e for e in events if fnmatch.fnmatchcase(e["type"], p["type"])]
        limit = int(p.get("limit", 10))
        return _list("/v1/events", events[:limit], has_more=len(events) > limit)

    def _publishable(
        self, account: Account, method: str, resource: str, object_id: str | None, action: str | None, p: dict
    ) -> dict:
        """What Stripe.js may do with a publishable key (and the intent's client secret)."""
        fake = self.fake_server.fake
        if method == "POST" and resource == "payment_methods" and object_id is None:
            return fake.payment_method_create(account, p)
        if resource in ("payment_intents", "setup_intents") and object_id and action in (None, "confirm"):
            kind = resource[:-1]
            intent = fake.get(account, kind, object_id)
            if p.pop("client_secret", None) != intent["client_secret"]:
                raise invalid(
                    "The client_secret provided does not match any associated PaymentIntent on this account.",
                    code="resource_missing",
                    param="client_secret",
                )
            if action == "confirm" and method == "POST":
                if kind == "payment_intent":
                    return fake.payment_intent_confirm(account, intent, p)
                return fake.setup_intent_confirm(account, intent, p)
            if method == "GET":
                return intent
        raise StripeError(
            401,
            "invalid_request_error",
            "This API call cannot be made with a publishable API key. Please use a secret API key.",
        )

    # --- control API ------------------------------------------------------------------------------

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

    # --- 3-D Secure challenge page -------------------------------------------------------------

    def _challenge(self, method: str, object_id: str, query: dict) -> None:
        fake = self.fake_server.fake
        with fake.lock:
            found = fake.find(object_id)
            if not found or found[1]["object"] not in ("payment_intent", "setup_intent"):
                raise not_found("intent", object_id)
            account, intent = found
            if query.get("client_secret") != intent["client_secret"]:
                raise invalid("The client_secret does not match.", param="client_secret")
            if method == "POST":
                answer = parse_qs(self._body()).get("answer", [""])[0]
                fake.authenticate(account, intent, complete=answer == "complete")
                prefix = intent["object"]
                if intent["status"] in ("succeeded", "requires_capture"):
                    status = "succeeded"
                elif intent["status"] == "processing":
                    status = "pending"
                else:
                    status = "failed"
                target = query.get("return_url", "")
                params = {
                    prefix: intent["id"],
                    f"{prefix}_client_secret": intent["client_secret"],
                    "redirect_status": status,
                }
                location = target + ("&" if "?" in target else "?") + urlencode(params)
                self._send(303, b"", "text/plain", {"Location": location})
                return
            amount = intent.get("amount")
            currency = (intent.get("currency") or "eur").upper()
        self._send(200, _challenge_page(query.get("locale", "en"), amount, currency), "text/html; charset=utf-8")


def _list(url: str, data: list, *, has_more: bool = False) -> dict:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


CHALLENGE_TEXT = {
    "en": {
        "title": "3-D Secure test page",
        "heading": "Confirm this payment",
        "amount": "Amount",
        "setup": "Your bank asks you to confirm that this card may be saved.",
        "intro": "This is the fake Stripe server's stand-in for your bank's 3-D Secure check.",
        "complete": "Complete authentication",
        "fail": "Fail authentication",
    },
    "de": {
        "title": "3-D-Secure-Testseite",
        "heading": "Zahlung bestätigen",
        "amount": "Betrag",
        "setup": "Ihre Bank bittet Sie zu bestätigen, dass diese Karte gespeichert werden darf.",
        "intro": "Dies ist die Testseite des Stripe-Testservers anstelle der 3-D-Secure-Prüfung Ihrer Bank.",
        "complete": "Authentifizierung abschließen",
        "fail": "Authentifizierung ablehnen",
    },
}


def _challenge_page(locale: str, amount: int | None, currency: str) -> bytes:
    lang = "de" if locale.lower().startswith("de") else "en"
    t = CHALLENGE_TEXT[lang]
    if amount is not None:
        value = f"{amount / 100:,.2f}"
        if lang == "de":
            value = value.replace(",", "\u202f").replace(".", ",")
        what = f"<p>{html.escape(t['amount'])}: <strong>{value} {html.escape(currency)}</strong></p>"
    else:
        what = f"<p>{html.escape(t['setup'])}</p>"
    page = f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(t["title"])}</title>
<style>
body {{ font-family: system-ui, sans-serif; color: #1a1a1a; background: #fff; max-width: 32rem;
  margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
button {{ font: inherit; padding: .6rem 1rem; margin: .25rem .5rem .25rem 0; border-radius: .3rem;
  border: 2px solid #1a1a1a; cursor: pointer; min-height: 44px; }}
.complete {{ background: #0b5d1e; color: #fff; border-color: #0b5d1e; }}
.fail {{ background: #fff; color: #8a1c1c; border-color: #8a1c1c; }}
button:focus-visible {{ outline: 3px solid #1f4fd1; outline-offset: 2px; }}
</style>
</head>
<body>
<main>
<h1>{html.escape(t["heading"])}</h1>
<p>{html.escape(t["intro"])}</p>
{what}
<form method="post">
<button type="submit" name="answer" value="complete" class="complete">{html.escape(t["complete"])}</button>
<button type="submit" name="answer" value="fail" class="fail">{html.escape(t["fail"])}</button>
</form>
</main>
</body>
</html>
"""
    return page.encode()


__all__ = ["FakeStripe", "HTTPStatus"]

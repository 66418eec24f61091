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
import json
import re
import secrets
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import forms
from .control import ControlMixin, Failure
from .core import Account, Fake, StripeError, invalid, public
from .pages import STATIC_FILES, PagesMixin
from .webhooks import Deliverer

STATIC = Path(__file__).parent / "static"
# Parameters each POST accepts (Stripe answers any other with `parameter_unknown`), so a caller's
# typo or a field of another API version fails here as it would at Stripe.
_INTENT_CREATE = {"customer", "payment_method", "payment_method_data", "confirm", "allowed_payment_method_types"}
PARAMETERS = {
    ("customers", False, None): {"name", "email", "description", "metadata", "phone", "preferred_locales"},
    ("payment_methods", False, None): {"type", "card", "billing_details", "metadata"},
    ("payment_methods", True, "attach"): {"customer"},
    ("setup_intents", False, None): _INTENT_CREATE | {"usage", "metadata", "description", "return_url"},
    ("setup_intents", True, "confirm"): {"payment_method", "payment_method_data", "return_url", "client_secret"},
    ("setup_intents", True, "cancel"): {"cancellation_reason"},
    ("payment_intents", False, None): _INTENT_CREATE
    | {
        "amount",
        "currency",
        "capture_method",
        "off_session",
        "setup_future_usage",
        "description",
        "metadata",
        "return_url",
        "receipt_email",
        "statement_descriptor_suffix",
    },
    ("payment_intents", True, "confirm"): {
        "payment_method",
        "payment_method_data",
        "return_url",
        "off_session",
        "setup_future_usage",
        "client_secret",
    },
    ("payment_intents", True, "capture"): {"amount_to_capture", "metadata"},
    ("payment_intents", True, "cancel"): {"cancellation_reason"},
    ("refunds", False, None): {"payment_intent", "charge", "amount", "metadata", "reason"},
    ("webhook_endpoints", False, None): {"url", "enabled_events", "description", "metadata", "api_version"},
}
KEY = re.compile(r"^(sk|pk|rk)_(?:test|live)_(.+)$")


class FakeStripe:
    """The server; `start()` runs it in a daemon thread, `serve_forever()` in the caller's."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        deliver_webhooks: bool = True,
        state_file: str | Path | None = None,
    ):
        self.fake = Fake(base_url=lambda: self.url, on_event=self._on_event)
        # `make run` keeps the fake's objects next to the demo database, so a restart still finds
        # the intents the demo's payments name.
        self.state_file = Path(state_file) if state_file else None
        if self.state_file and self.state_file.exists():
            self.fake.load(json.loads(self.state_file.read_text()))
        self.failures: list[Failure] = []
        self.deliverer = Deliverer(enabled=deliver_webhooks)
        self.httpd = ThreadingHTTPServer((host, port), _handler(self))
        self.httpd.daemon_threads = True
        self.host = host
        self.port = int(self.httpd.server_address[1])
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

    def save(self) -> None:
        if self.state_file is None:
            return
        with self.fake.lock:
            data = json.dumps(self.fake.dump())
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(data)
        tmp.replace(self.state_file)

    def shutdown(self) -> None:
        self.save()
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


class _Handler(ControlMixin, PagesMixin, BaseHTTPRequestHandler):
    fake_server: FakeStripe
    _raw_body = ""
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, keep-alive clients
    # wait for a delayed ACK (~40 ms) on every answer.
    disable_nagle_algorithm = True
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
        return self._raw_body

    def _read_body(self) -> str:
        # Read before anything can answer: an unread body would be taken for the next request
        # on a keep-alive connection.
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode("utf-8", errors="replace") if length else ""

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
        self._raw_body = self._read_body()
        split = urlsplit(self.path)
        path = split.path.rstrip("/") or "/"
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        try:
            self._serve(method, path, split.query, query)
        except StripeError as exc:
            self._json(exc.status, exc.body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except (ValueError, KeyError, TypeError) as exc:
            # malformed input (bad JSON to the control API, a field of the wrong shape)
            self._json(400, {"error": {"type": "invalid_request_error", "message": f"Malformed request: {exc!r}"}})
        except Exception:
            # a bug of the fake: say so loudly instead of posing as a Stripe outage
            traceback.print_exc()
            self._json(500, {"error": {"type": "api_error", "message": "fakestripe crashed, see its log"}})

    def _serve(self, method: str, path: str, raw_query: str, query: dict) -> None:
        if path.startswith("/v1/"):
            self._api(method, path, raw_query)
        elif path == "/v3" or path == "/v3/stripe.js":
            self._send(200, (STATIC / "stripe.js").read_bytes(), "application/javascript; charset=utf-8")
        elif path in ("/_fake/checkout", "/_fake/returned"):
            self._page(path, query)
        elif path.startswith("/_fake/static/") and path.rsplit("/", 1)[1] in STATIC_FILES:
            name = path.rsplit("/", 1)[1]
            self._send(200, (STATIC / name).read_bytes(), STATIC_FILES[name])
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
        request_sig = json.dumps([method, path, params], sort_keys=True)
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
        if method == "POST" and server.state_file is not None:
            server.save()
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
        resource = parts[0]
        object_id = parts[1] if len(parts) > 1 else ""
        action = parts[2] if len(parts) > 2 else None
        expand = p.pop("expand", None) or []
        if isinstance(expand, str):
            expand = [expand]
        allowed = PARAMETERS.get((resource, bool(object_id), action))
        if method == "POST" and allowed is not None:
            unknown = sorted(set(p) - allowed)
            if unknown:
                raise invalid(f"Received unknown parameter: {unknown[0]}", code="parameter_unknown", param=unknown[0])
        if key_type == "pk":
            return fake.render(account, self._publishable(account, method, resource, object_id, action, p), expand)
        route = (method, resource, bool(object_id), action)
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
        self, account: Account, method: str, resource: str, object_id: str, action: str | None, p: dict
    ) -> dict:
        """What Stripe.js may do with a publishable key (and the intent's client secret)."""
        fake = self.fake_server.fake
        if method == "POST" and resource == "payment_methods" and not object_id:
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


def _list(url: str, data: list, *, has_more: bool = False) -> dict:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}

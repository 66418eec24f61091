"""Reaching a running fake from tests and scripts: its control API, and starting one if needed."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote, urlencode

from .server import FakeStripe


def is_fake(url: str) -> bool:
    """Whether a fake Stripe server answers at `url`."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/_fake/health", timeout=1) as response:  # noqa: S310
            return json.load(response).get("fake") == "stripe"
    except (OSError, ValueError):
        return False


def ensure_running(url: str = "") -> tuple[str, FakeStripe | None]:
    """The URL of a running fake: `url` if one answers there, else a new one in this process."""
    if url and is_fake(url):
        return url.rstrip("/"), None
    server = FakeStripe(port=0).start()
    return server.url, server


class Control:
    """The fake's control API (`/_fake/…`) for tests: failures on demand, the clock, what happened."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")

    def _request(self, method: str, path: str, data: dict | None = None) -> Any:
        body = json.dumps(data).encode() if data is not None else None
        request = urllib.request.Request(  # noqa: S310 (http to loopback or our own endpoint)
            self.url + path, data=body, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return json.load(response)

    @staticmethod
    def account(organization: Any) -> str:
        """The fake account of an organization without own keys (billing.provider.fake_keys)."""
        return f"fake_{organization.pk}"

    def fail_next(
        self, path: str, *, status: int = 500, times: int = 1, method: str = "*", after: bool = False, organization=None
    ) -> None:
        """The next `times` calls to `path` (a glob: "/v1/payment_intents*") answer `status`.

        The `stripe` client retries a 5xx once by itself (STRIPE_MAX_NETWORK_RETRIES), so one
        failing provider call takes `times=2`. `after=True`: the call is carried out first and
        only its answer is lost (what a timeout after Stripe acted looks like).
        """
        self._request("POST", "/_fake/failures", self._rule(path, status, times, method, after, organization))

    def hang_next(
        self,
        path: str,
        *,
        seconds: float = 30,
        times: int = 1,
        method: str = "*",
        after: bool = False,
        organization=None,
    ) -> None:
        """The next `times` calls to `path` answer only after `seconds` (past the client's timeout)."""
        rule = self._rule(path, 500, times, method, after, organization)
        self._request("POST", "/_fake/failures", {**rule, "mode": "hang", "seconds": seconds})

    def _rule(self, path: str, status: int, times: int, method: str, after: bool, organization) -> dict:
        rule = {"path": path, "status": status, "times": times, "method": method, "after": after}
        if organization is not None:
            rule["account"] = self.account(organization)
        return rule

    def clear_failures(self) -> None:
        self._request("DELETE", "/_fake/failures")

    def advance(self, *, days: float = 0, hours: float = 0, seconds: float = 0) -> int:
        """Move the fake's clock (holds pass capture_before and are cancelled); returns its time."""
        return self._request("POST", "/_fake/clock", {"days": days, "hours": hours, "seconds": seconds})["now"]

    def reset(self) -> None:
        self._request("POST", "/_fake/reset", {})

    def events(self, *, organization=None, type: str = "") -> list[dict]:
        """Events in the order they happened; `type` may be a glob ("payment_intent.*")."""
        query = {}
        if organization is not None:
            query["account"] = self.account(organization)
        if type:
            query["type"] = type
        return self._request("GET", "/_fake/events?" + urlencode(query))["data"]

    def signed_event(self, event_id: str, secret: str) -> tuple[bytes, str]:
        """(payload, Stripe-Signature header) of an event, signed with `secret`, to post to our webhook."""
        answer = self._request("GET", f"/_fake/events/{quote(event_id)}/signed?secret={quote(secret)}")
        return answer["payload"].encode(), answer["header"]

    def object(self, object_id: str, *, expand: tuple[str, ...] = ()) -> dict:
        query = "?expand=" + ",".join(expand) if expand else ""
        return self._request("GET", f"/_fake/objects/{quote(object_id)}{query}")

    def intent(self, intent_id: str) -> dict:
        """A payment or setup intent as the fake holds it (Stripe's JSON, `latest_charge` expanded)."""
        return self.object(intent_id, expand=("latest_charge",))

    def deliveries(self) -> list[dict]:
        """Webhook delivery attempts: event, endpoint, url, attempt, status (0 = no connection)."""
        return self._request("GET", "/_fake/deliveries")["data"]

    def confirm(
        self,
        client_secret: str,
        *,
        publishable_key: str,
        card: str = "4242424242424242",
        return_url: str = "http://127.0.0.1/return",
    ) -> tuple[int, dict]:
        """What the customer does in the Payment Element: enter a card and confirm the intent.

        Uses the publishable key like Stripe.js; answers (status, intent or error JSON). A
        3-D Secure card leaves the intent in requires_action: then `authenticate()`.
        """
        intent_id = client_secret.split("_secret_")[0]
        kind = "setup_intents" if intent_id.startswith("seti_") else "payment_intents"
        pm_status, pm = self.api(
            "POST",
            "/v1/payment_methods",
            publishable_key,
            {
                "type": "card",
                "card[number]": card,
                "card[exp_month]": "12",
                "card[exp_year]": "2034",
                "card[cvc]": "123",
            },
        )
        if pm_status != 200:
            return pm_status, pm
        return self.api(
            "POST",
            f"/v1/{kind}/{intent_id}/confirm",
            publishable_key,
            {"client_secret": client_secret, "payment_method": pm["id"], "return_url": return_url},
        )

    def authenticate(self, intent: dict, *, complete: bool = True) -> str:
        """Answer the 3-D Secure challenge of an intent in requires_action; returns the redirect URL."""
        url = intent["next_action"]["redirect_to_url"]["url"]
        answer = urlencode({"answer": "complete" if complete else "fail"}).encode()
        request = urllib.request.Request(url, data=answer)  # noqa: S310 (the fake on loopback)

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(request, timeout=10)
        except urllib.error.HTTPError as exc:
            if exc.code == 303:
                return exc.headers["Location"]
            raise
        raise AssertionError("the challenge page did not redirect")

    def api(self, method: str, path: str, key: str, params: dict | None = None) -> tuple[int, dict]:
        """A raw call of Stripe's API on the fake with `key` (form-encoded like Stripe.js sends)."""
        body = urlencode(params or {}).encode() if method == "POST" else None
        query = "?" + urlencode(params or {}) if method == "GET" and params else ""
        request = urllib.request.Request(  # noqa: S310 (http to loopback or our own endpoint)
            self.url + path + query, data=body, method=method, headers={"Authorization": f"Bearer {key}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, json.load(response)
        except urllib.error.HTTPError as exc:
            return exc.code, json.load(exc)

    def get(self, path: str) -> tuple[int, dict]:
        """A raw GET on the fake (status, JSON), for tests of the fake itself."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:  # noqa: S310
                return response.status, json.load(response)
        except urllib.error.HTTPError as exc:
            return exc.code, json.load(exc)

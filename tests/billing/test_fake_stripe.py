"""The fake Stripe server itself: signed webhooks Stripe's own code accepts, deliveries and their
retries, what a publishable key may do, idempotent replays, the control API and the stand-in files."""

import json
import threading
import time
import urllib.request
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from billing.provider import provider_for
from fakestripe import FakeStripe
from fakestripe.forms import decode
from fakestripe.testing import Control

pytestmark = pytest.mark.django_db


class Receiver:
    """Our webhook endpoint stand-in: records each POST; answers the queued statuses, then 200."""

    def __init__(self, statuses=()):
        self.received: list[tuple[bytes, str]] = []
        self.statuses = list(statuses)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((body, self.headers.get("Stripe-Signature", "")))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/pay/stripe/webhook/1/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def wait_for(self, count, seconds=10):
        deadline = time.monotonic() + seconds
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_signed_event_is_accepted_by_stripes_own_verification(org_a, fake_stripe):
    provider = provider_for(org_a)
    secret = provider.webhook_endpoint_create(url="http://127.0.0.1:9/hook/", events=["customer.created"])
    customer = provider.customer_create(name="Erika", email="", idempotency_key="c:sig", metadata={})
    event_id = fake_stripe.events(organization=org_a, type="customer.created")[0]["id"]
    payload, header = fake_stripe.signed_event(event_id, secret)
    event = stripe.Webhook.construct_event(payload, header, secret)
    assert isinstance(event, stripe.Event)
    assert event.id == event_id
    assert event.data.object.id == customer
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, header, "whsec_wrong")


def test_events_are_delivered_signed_to_the_accounts_endpoints(org_a, org_b, fake_stripe, receiver):
    provider = provider_for(org_a)
    secret = provider.webhook_endpoint_create(url=receiver.url, events=["payment_intent.succeeded"])
    customer = provider.customer_create(name="Erika", email="", idempotency_key="c:d", metadata={})
    # another organization's money never reaches this endpoint
    other = provider_for(org_b)
    other.charge_stored_card(
        amount=Decimal("5"),
        currency="EUR",
        customer_id=other.customer_create(name="B", email="", idempotency_key="c:b", metadata={}),
        payment_method_id="pm_card_visa",
        description="",
        idempotency_key="p:b",
        metadata={},
    )
    intent = provider.charge_stored_card(
        amount=Decimal("12.34"),
        currency="EUR",
        customer_id=customer,
        payment_method_id="pm_card_visa",
        description="",
        idempotency_key="p:d",
        metadata={"payment": "7"},
    )
    [(payload, header)] = receiver.wait_for(1)
    event = stripe.Webhook.construct_event(payload, header, secret)
    assert event.type == "payment_intent.succeeded"
    assert event.data.object.id == intent.id
    assert event.data.object.amount_received == 1234
    assert event.data.object.metadata["payment"] == "7"
    time.sleep(0.3)
    assert len(receiver.received) == 1  # only the enabled type, only this account


def test_delivery_is_retried_until_the_endpoint_answers_2xx(org_a, fake_stripe, receiver):
    receiver.statuses = [500, 503]
    provider = provider_for(org_a)
    secret = provider.webhook_endpoint_create(url=receiver.url, events=["customer.created"])
    provider.customer_create(name="Erika", email="", idempotency_key="c:r", metadata={})
    received = receiver.wait_for(3)
    assert len(received) == 3
    assert len({payload for payload, _ in received}) == 1  # the same event each time
    for payload, header in received:
        stripe.Webhook.construct_event(payload, header, secret)
    event_id = json.loads(received[0][0])["id"]
    attempts = [(d["attempt"], d["status"]) for d in fake_stripe.deliveries() if d["event"] == event_id]
    assert attempts == [(1, 500), (2, 503), (3, 200)]


def test_publishable_key_may_only_do_what_stripe_js_does(org_a, fake_stripe):
    pk, sk = f"pk_test_fake_{org_a.pk}", f"sk_test_fake_{org_a.pk}"
    status, answer = fake_stripe.api("POST", "/v1/customers", pk, {"name": "x"})
    assert status == 401
    assert "publishable API key" in answer["error"]["message"]
    _, customer = fake_stripe.api("POST", "/v1/customers", sk, {"name": "x"})
    _, intent = fake_stripe.api(
        "POST", "/v1/payment_intents", sk, {"amount": 1000, "currency": "eur", "customer": customer["id"]}
    )
    assert fake_stripe.api("GET", f"/v1/payment_intents/{intent['id']}", pk)[0] == 400
    assert (
        fake_stripe.api("GET", f"/v1/payment_intents/{intent['id']}", pk, {"client_secret": "pi_x_secret_y"})[0] == 400
    )
    status, seen = fake_stripe.api(
        "GET", f"/v1/payment_intents/{intent['id']}", pk, {"client_secret": intent["client_secret"]}
    )
    assert (status, seen["id"]) == (200, intent["id"])
    # and another organization's publishable key does not see the intent at all
    other = f"pk_test_fake_{org_a.pk + 100000}"
    status, _ = fake_stripe.api(
        "GET", f"/v1/payment_intents/{intent['id']}", other, {"client_secret": intent["client_secret"]}
    )
    assert status == 404


def test_requests_need_a_key_and_a_known_route(fake_stripe):
    assert fake_stripe.get("/v1/customers/cus_x")[0] == 401
    status, answer = fake_stripe.api("GET", "/v1/invoices", "sk_test_fake_x")
    assert status == 404
    assert answer["error"]["type"] == "invalid_request_error"


def test_idempotent_replay_is_marked_like_stripe(fake_stripe):
    def create():
        request = urllib.request.Request(
            fake_stripe.url + "/v1/customers",
            data=b"name=Erika",
            headers={"Authorization": "Bearer sk_test_fake_replay", "Idempotency-Key": "k-1"},
        )
        with urllib.request.urlopen(request) as response:
            return response.headers.get("Idempotent-Replayed"), json.load(response)["id"]

    (first_flag, first), (again_flag, again) = create(), create()
    assert first == again
    assert (first_flag, again_flag) == (None, "true")


def test_card_numbers_are_checked(fake_stripe):
    status, answer = fake_stripe.api(
        "POST",
        "/v1/payment_methods",
        "pk_test_fake_cards",
        {"type": "card", "card[number]": "4242424242424241", "card[exp_month]": "12", "card[exp_year]": "2034"},
    )
    assert (status, answer["error"]["code"]) == (402, "incorrect_number")
    status, answer = fake_stripe.api(
        "POST",
        "/v1/payment_methods",
        "pk_test_fake_cards",
        {"type": "card", "card[number]": "4242424242424242", "card[exp_month]": "1", "card[exp_year]": "2001"},
    )
    assert (status, answer["error"]["code"]) == (402, "invalid_expiry_year")


def test_failures_are_limited_to_their_path_and_count(org_a, fake_stripe):
    provider = provider_for(org_a)
    fake_stripe.fail_next("/v1/refunds*", status=500, times=5)
    # other paths are not affected
    assert provider.customer_create(name="x", email="", idempotency_key="c:f", metadata={}).startswith("cus_")
    fake_stripe.clear_failures()
    status, _ = fake_stripe.api("POST", "/v1/refunds", f"sk_test_fake_{org_a.pk}", {"payment_intent": "pi_none"})
    assert status == 404


def test_reset_forgets_accounts():
    server = FakeStripe(port=0, deliver_webhooks=False).start()
    try:
        control = Control(server.url)
        control.api("POST", "/v1/customers", "sk_test_fake_r", {"name": "x"})
        assert control.events()
        control.advance(days=1)
        control.reset()
        assert control.events() == []
    finally:
        server.shutdown()


def test_stand_in_script_is_served_with_cors(fake_stripe):
    request = urllib.request.Request(fake_stripe.url + "/v3/", headers={"Origin": "http://127.0.0.1:8000"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Type"].startswith("application/javascript")
        assert response.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8000"
        assert b"window.Stripe = Stripe" in response.read()
    preflight = urllib.request.Request(
        fake_stripe.url + "/v1/payment_methods",
        method="OPTIONS",
        headers={"Origin": "http://127.0.0.1:8000", "Access-Control-Request-Headers": "authorization"},
    )
    with urllib.request.urlopen(preflight) as response:
        assert response.status == 204
        assert "Authorization" in response.headers["Access-Control-Allow-Headers"]


def test_form_decoding_of_nested_parameters():
    assert decode("amount=5&metadata[a]=1&expand[0]=latest_charge&card[number]=42&x[]=1&x[]=2") == {
        "amount": "5",
        "metadata": {"a": "1"},
        "expand": ["latest_charge"],
        "card": {"number": "42"},
        "x": ["1", "2"],
    }


def test_concurrent_requests_with_one_key_act_once(org_a, fake_stripe):
    provider = provider_for(org_a)
    customer = provider.customer_create(name="Erika", email="", idempotency_key="c:conc", metadata={})
    results, errors = [], []

    def charge():
        try:
            results.append(
                provider_for(org_a).charge_stored_card(
                    amount=Decimal("25"),
                    currency="EUR",
                    customer_id=customer,
                    payment_method_id="pm_card_visa",
                    description="",
                    idempotency_key="payment:conc",
                    metadata={},
                )
            )
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=charge) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({r.id for r in results}) == 1
    assert len(fake_stripe.events(organization=org_a, type="payment_intent.succeeded")) == 1


def test_a_hanging_call_does_not_block_others(org_a, fake_stripe):
    fake_stripe.hang_next("/v1/refunds", seconds=3)
    hanging = threading.Thread(
        target=fake_stripe.api, args=("POST", "/v1/refunds", f"sk_test_fake_{org_a.pk}", {"payment_intent": "pi_x"})
    )
    hanging.start()
    time.sleep(0.2)
    started = time.monotonic()
    provider_for(org_a).customer_create(name="x", email="", idempotency_key="c:h", metadata={})
    assert time.monotonic() - started < 2
    hanging.join()


def test_state_survives_a_restart_with_a_state_file(tmp_path):
    state = tmp_path / "fakestripe.json"
    server = FakeStripe(port=0, deliver_webhooks=False, state_file=state).start()
    control = Control(server.url)
    _, customer = control.api("POST", "/v1/customers", "sk_test_fake_s", {"name": "Erika"})
    server.shutdown()
    again = FakeStripe(port=0, deliver_webhooks=False, state_file=state).start()
    try:
        control = Control(again.url)
        status, seen = control.api("GET", f"/v1/customers/{customer['id']}", "sk_test_fake_s")
        assert (status, seen["name"]) == (200, "Erika")
        assert [e["type"] for e in control.events()] == ["customer.created"]
        # the idempotency key is remembered too
        request = urllib.request.Request(
            again.url + "/v1/customers",
            data=b"name=Erika",
            headers={"Authorization": "Bearer sk_test_fake_s", "Idempotency-Key": "k-state"},
        )
        with urllib.request.urlopen(request) as response:
            first = json.load(response)["id"]
    finally:
        again.shutdown()
    third = FakeStripe(port=0, deliver_webhooks=False, state_file=state).start()
    try:
        request = urllib.request.Request(
            third.url + "/v1/customers",
            data=b"name=Erika",
            headers={"Authorization": "Bearer sk_test_fake_s", "Idempotency-Key": "k-state"},
        )
        with urllib.request.urlopen(request) as response:
            assert response.headers["Idempotent-Replayed"] == "true"
            assert json.load(response)["id"] == first
    finally:
        third.shutdown()


def test_unknown_parameters_are_refused_like_stripe(fake_stripe):
    status, answer = fake_stripe.api(
        "POST",
        "/v1/payment_intents",
        "sk_test_fake_params",
        {"amount": 1000, "currency": "eur", "payment_method_types[0]": "card"},
    )
    assert status == 400
    assert (answer["error"]["code"], answer["error"]["param"]) == ("parameter_unknown", "payment_method_types")


def test_keep_alive_connection_survives_refused_and_malformed_requests(fake_stripe):
    import http.client
    from urllib.parse import urlsplit

    address = urlsplit(fake_stripe.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
    connection.request("POST", "/v1/customers", body="name=no-key", headers={"Content-Type": "x"})
    response = connection.getresponse()
    assert response.status == 401
    response.read()
    connection.request("POST", "/_fake/failures", body="{not json")
    response = connection.getresponse()
    assert response.status == 400
    response.read()
    connection.request("POST", "/v1/customers", body="name=Erika", headers={"Authorization": "Bearer sk_test_fake_ka"})
    response = connection.getresponse()
    assert (response.status, json.load(response)["name"]) == (200, "Erika")
    connection.close()


def test_a_slow_endpoint_holds_up_no_other_delivery(org_a, fake_stripe, receiver):
    release = threading.Event()

    class Slow(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            release.wait(10)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    slow = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=slow.serve_forever, daemon=True).start()
    try:
        provider = provider_for(org_a)
        provider.webhook_endpoint_create(url=f"http://127.0.0.1:{slow.server_address[1]}/", events=["*"])
        provider.webhook_endpoint_create(url=receiver.url, events=["customer.created"])
        provider.customer_create(name="Erika", email="", idempotency_key="c:slow", metadata={})
        assert len(receiver.wait_for(1, seconds=3)) == 1
    finally:
        release.set()
        slow.shutdown()
        slow.server_close()

#!/usr/bin/env python
"""The payment provider against the fake Stripe server: what one call costs, alone and in parallel.

    .venv/bin/python bench/stripe_fake.py [--rounds 200] [--threads 4]

No database: a fake in this process on a free port, `billing.stripe_provider.StripeProvider` with
the real `stripe` client (requests, keep-alive) as the Celery tasks use it. Reported per call
(median, p95 in ms): customer_create, charge_stored_card (off-session, payment method + intent +
charge), authorise on a stored card, capture, refund, intent_get; then charges per second with
`--threads` clients at once (the fake serialises requests under one lock, as its idempotency
needs), and the time from a charge to its signed webhook reaching a local endpoint.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
print = functools.partial(print, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    from django.conf import settings

    from fakestripe import FakeStripe

    fake = FakeStripe(port=0).start()
    settings.configure(STRIPE_API_BASE=fake.url, STRIPE_TIMEOUT=10.0, STRIPE_MAX_NETWORK_RETRIES=1)
    from billing.stripe_provider import StripeProvider

    provider = StripeProvider(secret_key="sk_test_fake_bench", publishable_key="pk_test_fake_bench")
    customer = provider.customer_create(name="Bench", email="", idempotency_key="c:warm", metadata={})
    timings: dict[str, list[float]] = {}

    def timed(name: str, call):
        started = time.perf_counter()
        result = call()
        timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        return result

    euro = Decimal("12.50")
    for i in range(args.rounds):
        timed(
            "customer_create",
            lambda i=i: provider.customer_create(name="B", email="", idempotency_key=f"c:{i}", metadata={}),
        )
        charge = timed(
            "charge_stored_card",
            lambda i=i: provider.charge_stored_card(
                amount=euro,
                currency="EUR",
                customer_id=customer,
                payment_method_id="pm_card_visa",
                description="",
                idempotency_key=f"p:{i}",
                metadata={},
            ),
        )
        hold = timed(
            "authorise (stored card)",
            lambda i=i: provider.authorise(
                amount=Decimal("300"),
                currency="EUR",
                customer_id=customer,
                payment_method_id="pm_card_visa",
                description="",
                idempotency_key=f"h:{i}",
                metadata={},
            ),
        )
        timed("capture", lambda i=i, h=hold: provider.capture(intent_id=h.id, amount=euro, idempotency_key=f"cap:{i}"))
        timed(
            "refund",
            lambda i=i, c=charge: provider.refund(intent_id=c.id, amount=euro, idempotency_key=f"r:{i}", metadata={}),
        )
        timed("intent_get", lambda c=charge: provider.intent_get(c.id))

    print(f"fake Stripe, {args.rounds} rounds, load average {os.getloadavg()[0]:.2f}")
    print(f"{'call':<26}{'p50 ms':>8}{'p95 ms':>8}")
    for name, values in timings.items():
        values.sort()
        p95 = values[int(len(values) * 0.95) - 1]
        print(f"{name:<26}{statistics.median(values):>8.2f}{p95:>8.2f}")

    def charge_one(i: int) -> None:
        StripeProvider(secret_key="sk_test_fake_bench", publishable_key="").charge_stored_card(
            amount=euro,
            currency="EUR",
            customer_id=customer,
            payment_method_id="pm_card_visa",
            description="",
            idempotency_key=f"par:{i}",
            metadata={},
        )

    for threads in (1, args.threads):
        count = args.rounds
        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda i, t=threads: charge_one(t * 100000 + i), range(count)))
        elapsed = time.perf_counter() - started
        print(f"charges with {threads} thread(s): {count / elapsed:.0f}/s ({elapsed:.2f} s for {count})")

    arrived = threading.Event()

    class Hook(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            arrived.set()

    hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    hook_provider = StripeProvider(secret_key="sk_test_fake_hook", publishable_key="")
    hook_provider.webhook_endpoint_create(
        url=f"http://127.0.0.1:{hook.server_address[1]}/", events=["payment_intent.succeeded"]
    )
    hook_customer = hook_provider.customer_create(name="H", email="", idempotency_key="c:h", metadata={})
    latencies = []
    for i in range(20):
        arrived.clear()
        started = time.perf_counter()
        hook_provider.charge_stored_card(
            amount=euro,
            currency="EUR",
            customer_id=hook_customer,
            payment_method_id="pm_card_visa",
            description="",
            idempotency_key=f"hook:{i}",
            metadata={},
        )
        arrived.wait(10)
        latencies.append((time.perf_counter() - started) * 1000)
    print(f"charge → signed webhook received: p50 {statistics.median(latencies):.1f} ms")
    hook.shutdown()
    fake.shutdown()


if __name__ == "__main__":
    main()

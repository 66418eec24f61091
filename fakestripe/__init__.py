"""A fake Stripe server for development and tests (no network, no Stripe account).

It speaks enough of Stripe's HTTP API for `billing.stripe_provider` and the real `stripe` library:
form-encoded requests, JSON answers in Stripe's shapes, idempotency keys, test card numbers,
signed webhooks, a control API under `/_fake/` and a Stripe.js stand-in at `/v3/`.

    python -m fakestripe --port 12111

`FakeStripe(port=0).start()` runs it in a thread (the pytest fixture does).
"""

from .server import FakeStripe

__all__ = ["FakeStripe"]

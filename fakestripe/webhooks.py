"""Signed webhook deliveries: Stripe's `Stripe-Signature` scheme, sent from a background thread."""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request

from .core import public

ATTEMPTS = 4  # Stripe retries for days; the fake gives up after a few quick tries
BACKOFF = (0.5, 1.0, 2.0)


def sign(payload: str, secret: str, *, timestamp: int | None = None) -> str:
    """`t=<unix>,v1=<hex HMAC-SHA256 of "t.payload" keyed by the whole whsec_ secret>`."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


class Deliverer:
    """One thread posting queued events to endpoints, retrying on non-2xx or a failed connection."""

    def __init__(self, *, enabled: bool = True, timeout: float = 10):
        self.enabled = enabled
        self.timeout = timeout
        self._heap: list[tuple[float, int, dict]] = []
        self._counter = itertools.count()
        self._cond = threading.Condition()
        self._log: list[dict] = []
        self._stopped = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.enabled and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="fakestripe-webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def clear(self) -> None:
        with self._cond:
            self._heap.clear()
            self._log.clear()

    def queue(self, url: str, secret: str, endpoint_id: str, event: dict) -> None:
        if not self.enabled:
            return
        job = {"url": url, "secret": secret, "endpoint": endpoint_id, "event": public(event), "attempt": 0}
        with self._cond:
            heapq.heappush(self._heap, (time.monotonic(), next(self._counter), job))
            self._cond.notify()

    def log(self) -> list[dict]:
        with self._cond:
            return list(self._log)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (not self._heap or self._heap[0][0] > time.monotonic()):
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(timeout=wait)
                if self._stopped:
                    return
                _, _, job = heapq.heappop(self._heap)
            self._deliver(job)

    def _deliver(self, job: dict) -> None:
        job["attempt"] += 1
        payload = json.dumps(job["event"], indent=2)
        request = urllib.request.Request(  # noqa: S310 (http to loopback or our own endpoint)
            job["url"],
            data=payload.encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": sign(payload, job["secret"]),
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (our endpoint URL)
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (OSError, ValueError):
            status = 0
        entry = {
            "event": job["event"]["id"],
            "type": job["event"]["type"],
            "endpoint": job["endpoint"],
            "url": job["url"],
            "attempt": job["attempt"],
            "status": status,
        }
        with self._cond:
            self._log.append(entry)
            if not 200 <= status < 300 and job["attempt"] < ATTEMPTS:
                delay = BACKOFF[min(job["attempt"] - 1, len(BACKOFF) - 1)]
                heapq.heappush(self._heap, (time.monotonic() + delay, next(self._counter), job))
                self._cond.notify()

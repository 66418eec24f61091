#!/usr/bin/env python
"""Search latency over the generated customers, through the app's own selector (ORM + ranking).

DATABASE_URL=postgres://postgres@127.0.0.1:54329/rentoffice_bench .venv/bin/python bench/customers_search.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentoffice.settings.dev")

TERMS = [
    "müller",
    "Mueller",
    "schmi",
    "jürgen schneider",
    "Bäckerei",
    "gross",
    "köln",
    "chloé",
    "yilmaz",
    "@example.com",
    "k0012345",
    "K00999",
    "0089 12",
    "weiß",
    "sophie.wagner",
    "Ozturk",
    "öztürk",
    "nowak",
    "Spedition Koch",
    "björn",
    "ute hof",
    "lorenz",
    "kaiser gmbh",
    "vogel7",
    "123456",
    "777",
]


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django_scopes import scopes_disabled

    from customers.selectors import customer_search
    from rentoffice.models import Membership

    with scopes_disabled():
        membership = Membership.objects.select_related("organization", "role", "user").get(organization__slug="bench")
        total = membership.organization.customers.count()
    rng = random.Random(1)
    terms = TERMS + [str(rng.randint(1, total)) for _ in range(10)]
    for term in terms:  # warm up caches once
        customer_search(membership=membership, query=term)
    timings = []
    per_term = {}
    for _round in range(5):
        for term in terms:
            t = time.perf_counter()
            hits = customer_search(membership=membership, query=term)
            elapsed = (time.perf_counter() - t) * 1000
            timings.append(elapsed)
            per_term.setdefault(term, []).append((elapsed, len(hits)))
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"customers: {total}, queries: {len(timings)}, p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {timings[-1]:.1f} ms")
    for term, runs in per_term.items():
        print(f"  {term!r:24} median {statistics.median(r[0] for r in runs):7.1f} ms  hits {runs[0][1]}")
    # The same terms as whole htmx requests (middleware, tenancy, selector, fragment rendering).
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    client = Client()
    client.force_login(membership.user)
    url = f"/o/{membership.organization.slug}/customers/search/"
    client.get(url, {"q": "warm", "partial": "1"})
    request_timings = []
    for _round in range(3):
        for term in terms:
            t = time.perf_counter()
            response = client.get(url, {"q": term, "partial": "1"})
            request_timings.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
    request_timings.sort()
    print(
        f"htmx requests: {len(request_timings)}, p50 {statistics.median(request_timings):.1f} ms, "
        f"p95 {request_timings[int(len(request_timings) * 0.95) - 1]:.1f} ms"
    )
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        print(cur.fetchone()[0])


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Customer pages at scale: list (plain and with each filter), card, dashboard — whole requests.

    DATABASE_URL=postgres://postgres@127.0.0.1:54329/rentoffice_bench .venv/bin/python bench/customers_pages.py

Uses the database made by `bench/customers_generate.py`.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentoffice.settings.dev")


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django_scopes import scopes_disabled

    from customers.models import Customer
    from rentoffice.models import Membership

    with scopes_disabled():
        membership = Membership.objects.select_related("organization", "user").get(organization__slug="bench")
        org = membership.organization
        total = Customer.objects.filter(organization=org).count()
        some = Customer.objects.filter(organization=org).order_by("pk")[total // 2]
    setup_test_environment()
    client = Client()
    client.force_login(membership.user)
    base = f"/o/{org.slug}"
    pages = [
        ("dashboard", f"{base}/", {}),
        ("list, page 1", f"{base}/customers/", {}),
        ("list, page 1000", f"{base}/customers/", {"page": "1000"}),
        ("list, blocked only", f"{base}/customers/", {"blocked": "1"}),
        ("list, licence overdue", f"{base}/customers/", {"licence": "overdue"}),
        ("list, portal invitation pending", f"{base}/customers/", {"portal": "pending"}),
        ("list, group COMPANY", f"{base}/customers/", {"group": "COMPANY"}),
        ("list, search 'müller'", f"{base}/customers/", {"q": "müller"}),
        ("customer card", f"{base}/customers/{some.pk}/", {}),
    ]
    print(f"customers: {total}")
    print("| page | p50 ms | p95 ms | queries |\n|---|---:|---:|---:|")
    for label, url, params in pages:
        client.get(url, params)  # warm-up
        timings = []
        for _round in range(10):
            with CaptureQueriesContext(connection) as queries:
                t = time.perf_counter()
                response = client.get(url, params)
                timings.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (label, response.status_code)
        timings.sort()
        print(
            f"| {label} | {statistics.median(timings):.1f} | {timings[int(len(timings) * 0.95) - 1]:.1f} "
            f"| {len(queries)} |"
        )


if __name__ == "__main__":
    main()

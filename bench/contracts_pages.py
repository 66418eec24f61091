#!/usr/bin/env python
"""Contract pages at scale: the contract list (plain, each filter, each kind of search), the
contract page, and the customer card and vehicle page with their contract panels — whole requests
through Django's test client, p50/p95 of 20 rounds and the query count.

    DATABASE_URL=postgres://postgres@127.0.0.1:54339/rentoffice_bench_contracts .venv/bin/python bench/contracts_pages.py

Uses the database made by `bench/contracts_generate.py` (10,000 vehicles, 2,000,000 contracts).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentoffice.settings.dev")
ROUNDS = int(os.environ.get("ROUNDS", "20"))


def _targets(org):
    from contracts.models import Contract

    contracts = Contract.objects.filter(organization=org)
    running = contracts.filter(status=Contract.Status.CHECKED_OUT).select_related("vehicle", "customer").first()
    return running, contracts.filter(customer_id=running.customer_id).count()


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django_scopes import scopes_disabled

    from contracts.models import Contract
    from rentoffice.models import Membership

    with scopes_disabled():
        membership = (
            Membership.objects.select_related("organization", "user", "role")
            .filter(role__key="administrator")
            .order_by("pk")
            .first()
        )
        org = membership.organization
        total = Contract.objects.filter(organization=org).count()
        running, customer_contracts = _targets(org)
        station = running.pickup_station_id
    setup_test_environment()
    client = Client()
    client.force_login(membership.user)
    base = f"/o/{org.slug}"
    surname = running.customer.last_name
    pages = [
        ("list, page 1", f"{base}/contracts/", {}),
        ("list, page 100", f"{base}/contracts/", {"page": "100"}),
        ("list, station", f"{base}/contracts/", {"station": station}),
        ("list, status checked out", f"{base}/contracts/", {"status": "checked_out"}),
        ("list, type courtesy car", f"{base}/contracts/", {"kind": "courtesy"}),
        ("list, period one week", f"{base}/contracts/", {"period_from": "2026-12-07", "period_until": "2026-12-13"}),
        ("list, search contract number", f"{base}/contracts/", {"q": running.number}),
        ("list, search plate", f"{base}/contracts/", {"q": running.vehicle.plate}),
        (f"list, search customer name '{surname}'", f"{base}/contracts/", {"q": surname}),
        ("list, search customer number", f"{base}/contracts/", {"q": str(running.customer.number)}),
        ("contract page", f"{base}/contracts/{running.pk}/", {}),
        (f"customer card ({customer_contracts} contracts)", f"{base}/customers/{running.customer_id}/", {}),
        (
            "customer card: transactions panel",
            f"{base}/panels/customer/transactions/{running.customer_id}/",
            {},
        ),
        ("vehicle page (200 contracts)", f"{base}/vehicles/{running.vehicle_id}/", {}),
    ]
    print(f"contracts: {total}")
    print("| page | p50 ms | p95 ms | queries |\n|---|---:|---:|---:|")
    for label, url, params in pages:
        response = client.get(url, params)  # warm-up
        assert response.status_code == 200, (url, response.status_code)
        timings = []
        for _round in range(ROUNDS):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(url, params)
                timings.append((time.perf_counter() - started) * 1000)
        p95 = statistics.quantiles(timings, n=20)[-1]
        print(f"| {label} | {statistics.median(timings):.1f} | {p95:.1f} | {len(queries.captured_queries)} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Availability, booking throughput and the contract selectors on the generated fleet
(`bench/contracts_generate.py`: 10,000 vehicles, 2,000,000 contracts).

    DATABASE_URL=postgres://postgres@127.0.0.1:54339/rentoffice_bench_contracts \
        .venv/bin/python bench/availability.py [--rounds 300] [--bookings 600] [--processes 2]

1. `vehicles_available` for one station, group and period (random, within the next 80 days, where
   the generated reservations are): the whole service call including its buffer look-up, evaluated.
2. Booking throughput: `contract_book` on distinct vehicles (each process its own vehicles and
   fresh customers), periods after the generated horizon, N processes at once; wall time from the
   common start to the last booking. The bench's own bookings are removed before and after.
3. The contract list selector (50 rows + count) and the contract page's reads (`contract_get`
   plus lines, extras, drivers, notes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import statistics
import sys
import time
import zoneinfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentoffice.settings.dev")

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
HORIZON_DAYS = 400  # after every generated contract
FRESH_CUSTOMERS = 3000


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _row(label: str, times: list[float], queries: float | None = None) -> str:
    ms = [t * 1000 for t in times]
    extra = f" | {queries:.0f}" if queries is not None else ""
    return f"| {label} | {statistics.median(ms):.1f} | {_p(ms, 0.95):.1f} | {max(ms):.1f}{extra} |"


def _org():
    from django_scopes import scopes_disabled

    from rentoffice.models import Organization

    with scopes_disabled():
        return Organization.objects.get(slug="bench")


def _weekday_at(day: dt.date, hour: int) -> dt.datetime:
    while day.weekday() == 6:  # the generated stations are closed on Sundays
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BERLIN)


def availability(org, rounds: int) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scope

    from contracts.services.availability import vehicles_available
    from rentoffice.models import Station
    from vehicles.models import VehicleGroup

    rng = random.Random(3)
    with scope(organization=org):
        stations = list(Station.objects.all())
        groups = list(VehicleGroup.objects.all())
        today = dt.date.today()
        times, counts, free = [], [], []
        for n in range(rounds + 20):
            station, group = rng.choice(stations), rng.choice(groups)
            starts = _weekday_at(today + dt.timedelta(days=rng.randint(0, 80)), 10)
            ends = _weekday_at(starts.date() + dt.timedelta(days=rng.randint(1, 4)), 10)
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                found = list(
                    vehicles_available(
                        organization=org, station=station, vehicle_group=group, starts_at=starts, ends_at=ends
                    )
                )
                elapsed = time.perf_counter() - t0
            if n >= 20:  # warm-up
                times.append(elapsed)
                counts.append(len(ctx.captured_queries))
                free.append(len(found))
    print("| measurement | p50 ms | p95 ms | max ms | queries |")
    print("|---|---:|---:|---:|---:|")
    print(_row(f"vehicles_available, one station/group/period ({rounds} calls)", times, statistics.mean(counts)))
    print(
        f"\nfree vehicles per answer: median {statistics.median(free)}, max {max(free)} (of 10 per station and group)"
    )


def _cleanup(org) -> None:
    from django.db import connection

    horizon = dt.datetime.now(dt.UTC) + dt.timedelta(days=HORIZON_DAYS - 5)
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM contracts_occupation WHERE contract_id IN "
            "(SELECT id FROM contracts_contract WHERE organization_id = %s AND starts_at > %s)",
            [org.pk, horizon],
        )
        cur.execute("DELETE FROM contracts_contract WHERE organization_id = %s AND starts_at > %s", [org.pk, horizon])


def _fresh_customers(org) -> list[int]:
    """Customers without any contract (the generated ones hold many reservations each)."""
    from django.db import connection

    from bench.contracts_generate import CUSTOMERS
    from bench.customers_generate import load

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM customers_customer WHERE organization_id = %s", [org.pk])
        if cur.fetchone()[0] < CUSTOMERS + FRESH_CUSTOMERS:
            load(org, CUSTOMERS + FRESH_CUSTOMERS, chunk=FRESH_CUSTOMERS, rebuild_index=False)
        cur.execute(
            "SELECT id FROM customers_customer c WHERE organization_id = %s AND NOT EXISTS "
            "(SELECT 1 FROM contracts_contract k WHERE k.customer_id = c.id) ORDER BY id LIMIT %s",
            [org.pk, FRESH_CUSTOMERS],
        )
        return [row[0] for row in cur.fetchall()]


def _book_worker(index: int, processes: int, count: int, customer_ids: list[int], barrier, results) -> None:
    import django

    django.setup()
    from django.db import connection
    from django_scopes import scope

    from contracts.services.booking import contract_book
    from customers.models import Customer
    from rentoffice.models import Membership
    from vehicles.models import Vehicle

    org = _org()
    with scope(organization=org):
        actor = Membership.objects.select_related("organization", "role", "user").filter(organization=org).first()
        vehicles = list(
            Vehicle.objects.select_related("group", "current_station").order_by("pk")[index::processes][:count]
        )
        customers = list(Customer.objects.filter(pk__in=customer_ids[index::processes][:count]).order_by("pk"))
        day = dt.date.today() + dt.timedelta(days=HORIZON_DAYS)
        jobs = []
        for n, vehicle in enumerate(vehicles):
            starts = _weekday_at(day + dt.timedelta(days=3 * (n % 5)), 10)
            jobs.append(
                (vehicle, customers[n % len(customers)], starts, _weekday_at(starts.date() + dt.timedelta(days=2), 10))
            )
        barrier.wait()
        t0 = time.perf_counter()
        done = 0
        for vehicle, customer, starts, ends in jobs:
            contract_book(
                actor=actor,
                customer=customer,
                vehicle_group=vehicle.group,
                pickup_station=vehicle.current_station,
                return_station=vehicle.current_station,
                starts_at=starts,
                ends_at=ends,
                vehicle=vehicle,
            )
            done += 1
        results.put((index, done, t0, time.perf_counter()))
    connection.close()


def booking(org, count: int, processes: int) -> None:
    from django.db import connection

    _cleanup(org)
    customer_ids = _fresh_customers(org)
    connection.close()
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(processes), ctx.Queue()
    per_process = count // processes
    workers = [
        ctx.Process(target=_book_worker, args=(i, processes, per_process, customer_ids, barrier, results))
        for i in range(processes)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    start = min(o[2] for o in outcomes)
    end = max(o[3] for o in outcomes)
    booked = sum(o[1] for o in outcomes)
    print(
        f"\nbooking throughput: {booked} bookings on distinct vehicles in {end - start:.2f} s with {processes} "
        f"process(es) = **{booked / (end - start):.0f} bookings/s**"
    )
    _cleanup(org)


def selectors(org, rounds: int) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scope

    from contracts.selectors import contract_get, contracts_for_list
    from rentoffice.models import Membership, Station

    rng = random.Random(5)
    with scope(organization=org):
        membership = Membership.objects.select_related("organization", "role").filter(organization=org).first()
        stations = list(Station.objects.all())
        with connection.cursor() as cur:
            cur.execute("SELECT min(id), max(id) FROM contracts_contract WHERE organization_id = %s", [org.pk])
            low, high = cur.fetchone()
        scenarios = {
            "list, page 1 (50 rows + count)": lambda: {},
            "list, station filter": lambda: {"station": rng.choice(stations)},
            "list, status reserved": lambda: {"status": "reserved"},
            "list, search contract number": lambda: {"search": f"MV-{rng.randint(low, high)}"},
            "list, search plate": lambda: {"search": f"B-AB {rng.randint(1, 10000)}"},
            "list, search customer name": lambda: {"search": "müller"},
        }
        print("\n| selector | p50 ms | p95 ms | max ms | queries |")
        print("|---|---:|---:|---:|---:|")
        for label, kwargs in scenarios.items():
            times, counts = [], []
            for n in range(rounds + 3):
                reset_queries()
                with CaptureQueriesContext(connection) as ctx:
                    t0 = time.perf_counter()
                    qs = contracts_for_list(membership=membership, **kwargs())
                    rows = list(qs[:50])
                    total = qs.count()
                    elapsed = time.perf_counter() - t0
                assert total >= len(rows)
                if n >= 3:
                    times.append(elapsed)
                    counts.append(len(ctx.captured_queries))
            print(_row(label, times, statistics.mean(counts)))
        times, counts = [], []
        for n in range(rounds * 5 + 3):
            pk = rng.randint(low, high)
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                contract = contract_get(membership=membership, pk=pk)
                list(contract.lines.all())
                list(contract.extras.all())
                list(contract.drivers.select_related("customer"))
                list(contract.notes.select_related("author"))
                elapsed = time.perf_counter() - t0
            if n >= 3:
                times.append(elapsed)
                counts.append(len(ctx.captured_queries))
        print(
            _row("contract page reads (contract_get + lines, extras, drivers, notes)", times, statistics.mean(counts))
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--bookings", type=int, default=600)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--list-rounds", type=int, default=20)
    parser.add_argument("--only", choices=["availability", "booking", "selectors"])
    args = parser.parse_args()
    import django

    django.setup()
    org = _org()
    if args.only in (None, "availability"):
        availability(org, args.rounds)
    if args.only in (None, "booking"):
        booking(org, args.bookings, args.processes)
    if args.only in (None, "selectors"):
        selectors(org, args.list_rounds)


if __name__ == "__main__":
    main()

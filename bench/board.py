#!/usr/bin/env python
"""Planning board latency: 300 vehicles × 31 days with a year of contracts behind them, measured
through the whole request (middleware, tenancy, selector, template) with Django's test client.

    export DATABASE_URL=postgres://postgres@127.0.0.1:54339/rentoffice_bench_board
    .venv/bin/python bench/board.py --setup     # creates the database and the data (≈ 30 s)
    .venv/bin/python bench/board.py             # measures only

The data: one organization with 6 stations, 5 groups and 300 vehicles; per vehicle rentals of
1–6 days with gaps of 0–4 days from 330 days back to 60 days ahead (≈ 70 per vehicle, ≈ 21,000 in
all: checked in in the past, one running now, reserved ahead), every 25th vehicle a workshop block
now, every 40th a long-term rental running for months; 3,000 customers. Rows are bulk-inserted
(the services' own speed is bench/booking's subject); active contracts and blocks get their
occupation rows like the services write them, so the exclusion constraint checks the data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentoffice.settings.dev")

SLUG = "boardbench"
VEHICLES = 300


def create_database() -> None:
    from bench.vehicles_list import create_database as create

    create()


def generate() -> None:
    from django.db import connection
    from django.utils import timezone
    from psycopg2.extras import DateTimeTZRange

    from contracts.models import Contract, Occupation, VehicleBlock
    from customers.models import Customer
    from rentoffice.models import Membership, Organization, Station, User
    from rentoffice.services import organization_create, roles_ensure_defaults
    from vehicles.models import Vehicle, VehicleGroup

    org = Organization.objects.filter(slug=SLUG).first()
    if org is None:
        org, _ = organization_create(
            name="Board bench",
            slug=SLUG,
            operator_code="BOARDB",
            admin_email="boardbench@example.com",
            admin_name="Bench",
            admin_password="x",
        )
    if Contract.objects.filter(organization=org).exists():
        print("data already there")
        return
    stations = [
        Station.objects.get_or_create(organization=org, code=f"S{i}", defaults={"name": f"Station {i}"})[0]
        for i in range(6)
    ]
    groups = [
        VehicleGroup.objects.get_or_create(
            organization=org, code=f"G{i}", defaults={"name": f"Gruppe {i}", "sort_order": i}
        )[0]
        for i in range(5)
    ]
    user = User.objects.filter(email="boardbench-staff@example.com").first() or User.objects.create_user(
        "boardbench-staff@example.com", "x", full_name="Station staff"
    )
    membership, _ = Membership.objects.get_or_create(
        user=user,
        organization=org,
        defaults={"role": roles_ensure_defaults(organization=org)["station_staff"], "scope": "stations"},
    )
    membership.stations.set(stations[:2])
    rng = random.Random(11)
    now = timezone.now()
    t0 = time.monotonic()
    vehicles = Vehicle.objects.bulk_create(
        Vehicle(
            organization=org,
            plate=f"B-BB {i + 1}",
            vin="",
            make="Volkswagen",
            model=rng.choice(["Golf", "Polo", "Passat", "Transporter"]),
            variant="",
            group=groups[i % len(groups)],
            home_station=stations[i % len(stations)],
            current_station=stations[i % len(stations)],
            status="available",
            status_changed_at=now,
            search_text=f"b-bb {i + 1}",
        )
        for i in range(VEHICLES)
    )
    customers = Customer.objects.bulk_create(
        Customer(
            organization=org,
            number=10000 + i,
            first_name=rng.choice(["Anna", "Jürgen", "Özlem", "Lukas", "Sophie", "Matthias"]),
            last_name=rng.choice(["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Yılmaz"]),
            sort_name=f"c{i}",
        )
        for i in range(3000)
    )
    contracts, blocks, number = [], [], 0
    buffer = dt.timedelta(hours=1)
    for index, vehicle in enumerate(vehicles):
        moment = now - dt.timedelta(days=330, hours=rng.randint(0, 48))
        if index % 40 == 0:
            number += 1
            start = now - dt.timedelta(days=100)
            contracts.append(
                _contract(org, vehicle, rng.choice(customers), number, start, None, "checked_out", "long_term")
            )
            continue
        while moment < now + dt.timedelta(days=60):
            end = moment + dt.timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 8))
            status = "checked_in" if end < now else "checked_out" if moment < now else "reserved"
            if index % 25 == 0 and moment < now < end:
                blocks.append(
                    VehicleBlock(
                        organization=org,
                        vehicle=vehicle,
                        kind="workshop",
                        reason="Inspektion",
                        starts_at=moment,
                        ends_at=end,
                    )
                )
            else:
                number += 1
                contracts.append(_contract(org, vehicle, rng.choice(customers), number, moment, end, status, "rental"))
            moment = end + buffer + dt.timedelta(days=rng.randint(0, 4), hours=rng.randint(1, 12))
    Contract.objects.bulk_create(contracts, batch_size=2000)
    VehicleBlock.objects.bulk_create(blocks)
    occupations = [
        Occupation(
            organization=org,
            vehicle_id=c.vehicle_id,
            contract=c,
            period=DateTimeTZRange(c.starts_at, c.ends_at + buffer if c.ends_at else None, "[)"),
        )
        for c in contracts
        if c.status in ("reserved", "checked_out")
    ] + [
        Occupation(
            organization=org, vehicle_id=b.vehicle_id, block=b, period=DateTimeTZRange(b.starts_at, b.ends_at, "[)")
        )
        for b in blocks
    ]
    Occupation.objects.bulk_create(occupations, batch_size=2000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE contracts_contract; ANALYZE contracts_vehicleblock; ANALYZE contracts_occupation")
    print(
        f"{len(vehicles)} vehicles, {len(contracts)} contracts, {len(blocks)} blocks, {len(occupations)} occupations"
        f" ({time.monotonic() - t0:.1f} s)"
    )


def _contract(org, vehicle, customer, number, starts_at, ends_at, status, kind):
    from contracts.models import Contract

    return Contract(
        organization=org,
        number=f"BB-{number}",
        kind=kind,
        status=status,
        customer=customer,
        vehicle_group_id=vehicle.group_id,
        vehicle=vehicle,
        pickup_station_id=vehicle.home_station_id,
        return_station_id=vehicle.home_station_id,
        starts_at=starts_at,
        ends_at=ends_at,
        checked_out_at=starts_at if status != "reserved" else None,
        checked_in_at=ends_at if status == "checked_in" else None,
        billing_period="monthly" if kind == "long_term" else "",
    )


def measure(rounds: int) -> None:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from rentoffice.models import User

    admin, staff = Client(), Client()
    with scopes_disabled():
        admin.force_login(User.objects.get(email="boardbench@example.com"))
        staff.force_login(User.objects.get(email="boardbench-staff@example.com"))
    url = f"/o/{SLUG}/contracts/board/"
    today = timezone.localdate()
    past = (today.replace(day=1) - dt.timedelta(days=100)).replace(day=1)
    scenarios = [
        ("month, 300 vehicles (31 days)", admin, {"view": "month", "day": _month_with_31_days(today)}, {}),
        ("month, 300 vehicles, htmx part", admin, {"view": "month", "day": _month_with_31_days(today)}, {"htmx": 1}),
        ("month 3 months back, 300 vehicles", admin, {"view": "month", "day": past}, {}),
        ("week, 300 vehicles", admin, {"view": "week", "day": today}, {}),
        ("month, one group (60 vehicles)", admin, {"view": "month", "day": today, "group": "_first"}, {}),
        ("station staff (2 of 6 stations), month", staff, {"view": "month", "day": today}, {}),
    ]
    from vehicles.models import VehicleGroup

    with scopes_disabled():
        first_group = VehicleGroup.objects.filter(organization__slug=SLUG).order_by("sort_order").first().pk
    # Wall time suffers from other work on a shared machine; the process's own CPU time plus the
    # time its queries took is what the request costs the server (what a quiet machine shows).
    print(
        f"load average before: {os.getloadavg()[0]:.2f}\n"
        f"{'scenario':40} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8} {'cpu p95':>8} {'sql p50':>8}"
        f" {'queries':>8} {'bars':>6}"
    )
    for label, client, params, extra in scenarios:
        params = {k: (first_group if v == "_first" else v) for k, v in params.items()}
        headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "board"} if extra.get("htmx") else {}
        response = client.get(url, params, **headers)  # warm up
        bars = response.content.count(b'class="board-bar ')
        timings, cpu, sql = [], [], []
        for _ in range(rounds):
            reset_queries()
            t, c = time.perf_counter(), time.process_time()
            response = client.get(url, params, **headers)
            timings.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            sql.append(sum(float(q["time"]) for q in connection.queries) * 1000)
            assert response.status_code == 200, (label, response.status_code)
        queries = len(connection.queries)
        print(
            f"{label:40} {statistics.median(timings):8.1f} {_p95(timings):8.1f} {statistics.median(cpu):8.1f}"
            f" {_p95(cpu):8.1f} {statistics.median(sql):8.1f} {queries:8} {bars:6}"
        )
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        print(cur.fetchone()[0])


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(int(len(ordered) * 0.95) - 1, 0)]


def _month_with_31_days(today: dt.date) -> dt.date:
    """This month if it has 31 days, else the next one that has (the issue's 300 × 31)."""
    day = today.replace(day=1)
    while (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - day != dt.timedelta(days=31):
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return day


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django_scopes import scopes_disabled

    settings.DEBUG = True  # counts queries
    settings.ALLOWED_HOSTS = ["*"]
    if args.setup:
        create_database()
    with scopes_disabled():
        if args.setup:
            generate()
    measure(args.rounds)


if __name__ == "__main__":
    main()

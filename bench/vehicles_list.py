#!/usr/bin/env python
"""Vehicle list and vehicle page latency on a 10,000-vehicle fleet, measured through the whole
request (middleware, tenancy, selector, template) with Django's test client.

    export DATABASE_URL=postgres://postgres@127.0.0.1:54329/rentoffice_bench_vehicles
    .venv/bin/python bench/vehicles_list.py --setup --count 10000   # creates the database and the fleet
    .venv/bin/python bench/vehicles_list.py                           # measures only

The fleet: one organization with 20 stations and 5 groups; vehicles spread over the stations with a
km reading each; one vehicle gets 60 damages (2 photos each would only add file I/O, so the rows are
made without files) to show the page does not degrade. Rows are bulk-inserted with the same
`search_text` the model computes.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentoffice.settings.dev")

SLUG = "fleetbench"
MODELS = [
    ("Volkswagen", "Golf"),
    ("Volkswagen", "Polo"),
    ("Audi", "A3 Sportback"),
    ("Škoda", "Octavia"),
    ("Ford", "Transit"),
    ("BMW", "320d Touring"),
    ("Opel", "Corsa"),
    ("Mercedes-Benz", "Vito"),
]
DISTRICTS = ["M", "A", "N", "HH", "B", "K", "S", "F", "DD", "L"]


def create_database() -> None:
    import django
    import psycopg2
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    db = settings.DATABASES["default"]
    admin = psycopg2.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{db["NAME"]}"')
    admin.close()
    connections.close_all()
    django.setup()
    call_command("migrate", verbosity=0)


def generate(count: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from rentoffice.models import Membership, Organization, Station, User
    from rentoffice.services import organization_create, roles_ensure_defaults
    from vehicles.models import Damage, KmReading, Vehicle, VehicleGroup

    org = Organization.objects.filter(slug=SLUG).first()
    if org is None:
        org, _ = organization_create(
            name="Fleet bench",
            slug=SLUG,
            operator_code="FLEETB",
            admin_email="fleetbench@example.com",
            admin_name="Bench",
            admin_password="x",
        )
    stations = [
        Station.objects.get_or_create(organization=org, code=f"S{i:02}", defaults={"name": f"Station {i}"})[0]
        for i in range(20)
    ]
    groups = [
        VehicleGroup.objects.get_or_create(organization=org, code=f"G{i}", defaults={"name": f"Gruppe {i}"})[0]
        for i in range(5)
    ]
    user = User.objects.filter(email="fleetbench-staff@example.com").first() or User.objects.create_user(
        "fleetbench-staff@example.com", "x", full_name="Station staff"
    )
    membership, _ = Membership.objects.get_or_create(
        user=user,
        organization=org,
        defaults={"role": roles_ensure_defaults(organization=org)["station_staff"], "scope": "stations"},
    )
    membership.stations.set(stations[:2])
    existing = Vehicle.objects.filter(organization=org).count()
    rng = random.Random(7)
    now = timezone.now()
    t0 = time.monotonic()
    batch = []
    for i in range(existing, count):
        make, model = rng.choice(MODELS)
        home = stations[i % len(stations)]
        vehicle = Vehicle(
            organization=org,
            plate=f"{DISTRICTS[i % len(DISTRICTS)]}-{chr(65 + i % 26)}{chr(65 + i // 26 % 26)} {i % 9999 + 1}",
            vin="",
            make=make,
            model=model,
            variant="",
            group=groups[i % len(groups)],
            home_station=home,
            current_station=home if i % 9 else stations[(i + 3) % len(stations)],
            current_km=rng.randint(0, 200_000),
            status=["available", "available", "rented", "workshop"][i % 4],
            status_changed_at=now,
        )
        vehicle.search_text = " ".join(
            [
                vehicle.plate.lower(),
                vehicle.plate.lower().replace("-", "").replace(" ", ""),
                make.lower(),
                model.lower(),
            ]
        )
        batch.append(vehicle)
        if len(batch) == 2000:
            _flush(batch, KmReading, now)
    _flush(batch, KmReading, now)
    heavy = Vehicle.objects.filter(organization=org, home_station=stations[0]).order_by("pk").first()
    if not Damage.objects.filter(vehicle=heavy).exists():
        Damage.objects.bulk_create(
            Damage(
                organization=org,
                vehicle=heavy,
                view="left",
                x=i % 100,
                y=(i * 7) % 100,
                area="left",
                description=f"Kratzer {i}",
                severity="minor",
            )
            for i in range(60)
        )
    with connection.cursor() as cur:
        cur.execute("ANALYZE vehicles_vehicle; ANALYZE vehicles_kmreading; ANALYZE vehicles_damage")
    print(f"fleet: {Vehicle.objects.filter(organization=org).count()} vehicles ({time.monotonic() - t0:.1f} s)")


def _flush(batch, KmReading, now) -> None:
    from vehicles.models import Vehicle

    if not batch:
        return
    created = Vehicle.objects.bulk_create(batch)
    KmReading.objects.bulk_create(
        KmReading(organization_id=v.organization_id, vehicle=v, km=v.current_km, recorded_at=now) for v in created
    )
    batch.clear()


def measure(rounds: int) -> None:
    from django.db import connection, reset_queries
    from django.test import Client
    from django_scopes import scopes_disabled

    from rentoffice.models import Station, User
    from vehicles.models import Damage

    admin, staff = Client(), Client()
    with scopes_disabled():
        admin.force_login(User.objects.get(email="fleetbench@example.com"))
        staff.force_login(User.objects.get(email="fleetbench-staff@example.com"))
        station = Station.objects.get(organization__slug=SLUG, code="S05")
        heavy = Damage.objects.filter(organization__slug=SLUG).values_list("vehicle_id", flat=True).first()
    base = f"/o/{SLUG}/vehicles/"
    scenarios = [
        ("list, page 1", admin, base, {}),
        ("list, page 100", admin, base, {"page": 100}),
        ("search 'golf'", admin, base, {"q": "golf"}),
        ("search 'hh-ab'", admin, base, {"q": "hh-ab"}),
        ("search 'm-ab 12' (2 words)", admin, base, {"q": "m-ab 12"}),
        ("search 'zzz' (no hit)", admin, base, {"q": "zzz"}),
        ("station + status filter", admin, base, {"station": station.pk, "status": "rented"}),
        ("sort by km desc", admin, base, {"sort": "-km"}),
        ("station staff, page 1", staff, base, {}),
        ("htmx search 'octa'", admin, base, {"q": "octa", "_htmx": 1}),
        ("vehicle page, 60 damages", admin, f"{base}{heavy}/", {}),
    ]
    print(f"{'scenario':32} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for label, client, url, params in scenarios:
        headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "vehicle-results"} if params.pop("_htmx", 0) else {}
        client.get(url, params, **headers)  # warm up
        timings = []
        for _ in range(rounds):
            reset_queries()
            t = time.perf_counter()
            response = client.get(url, params, **headers)
            timings.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (label, response.status_code)
        queries = len(connection.queries)
        timings.sort()
        p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
        print(f"{label:32} {statistics.median(timings):8.1f} {p95:8.1f} {queries:8}")
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        print(cur.fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--count", type=int, default=10_000)
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
            generate(args.count)
    measure(args.rounds)


if __name__ == "__main__":
    main()

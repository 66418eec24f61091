#!/usr/bin/env python
"""Dealer-case dashboard at 100,000 cases: keyword search and filters, measured through the whole
request (middleware, tenancy, session, selector, template) with Django's test client.

One command (creates the database and the cases on the first run, then measures):

    DATABASE_URL=postgres://postgres@127.0.0.1:54339/rentoffice_bench_fleetback \\
        .venv/bin/python bench/fleetback_dashboard.py

The data: one organization with 4 dealerships × 3 brands, 12 back-office users, 100,000 cases
(two thirds after-sales), each with its own contact (names from 40 × 30 with umlauts, unique
phones and e-mails), plates, VINs, repair-order references; 70 % of the cases are closed (older
ones), the rest spread over the other statuses; author, assignee and sender among the users.
Rows are bulk-inserted; the search column is written by the database trigger, as in production.
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

SLUG = "fbbench"
LAST = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
    "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
    "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier",
    "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber",
]  # fmt: skip
FIRST = [
    "Anna", "Jürgen", "Özlem", "Lukas", "Marie", "Jonas", "Sophie", "Leon", "Lena", "Felix", "Hannah", "Paul",
    "Laura", "Elias", "Emma", "Noah", "Mia", "Ben", "Lea", "Finn", "Clara", "Luis", "Ida", "Jan", "Sara",
    "Tim", "Nele", "Björn", "Zoë", "René",
]  # fmt: skip
MODELS = ["VW Golf", "VW Passat", "VW Tiguan", "Audi A3", "Audi A6", "Audi Q5", "Škoda Octavia", "Škoda Fabia"]
DISTRICTS = ["M", "A", "FS", "ED", "DAH", "FFB", "STA", "LL"]


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

    from fleetback.models import Case, Contact
    from rentoffice.models import Brand, Membership, Organization, Station, User
    from rentoffice.services import organization_create, roles_ensure_defaults, sequence_next

    org = Organization.objects.filter(slug=SLUG).first()
    if org is None:
        org, _ = organization_create(
            name="Fleetback bench",
            slug=SLUG,
            operator_code="FBBENCH",
            admin_email="fbbench@example.com",
            admin_name="Bench Admin",
            admin_password="x",
        )
    roles = roles_ensure_defaults(organization=org)
    stations = []
    for i, city in enumerate(["München", "Augsburg", "Freising", "Erding"]):
        station, _ = Station.objects.get_or_create(organization=org, code=f"D{i}", defaults={"name": f"AH {city}"})
        stations.append(station)
        for position, name in enumerate(["VW", "Audi", "Škoda"]):
            Brand.objects.get_or_create(
                organization=org, station=station, name=name, defaults={"position": position, "is_main": position == 0}
            )
    brands = {s.pk: list(Brand.objects.filter(station=s).order_by("position")) for s in stations}
    users = []
    for i in range(12):
        user = User.objects.filter(email=f"fbbench{i}@example.com").first() or User.objects.create_user(
            f"fbbench{i}@example.com", "x", full_name=f"Serviceberater {i}"
        )
        Membership.objects.get_or_create(
            user=user, organization=org, defaults={"role": roles["back_office"], "scope": "all"}
        )
        users.append(user)
    staff = User.objects.filter(email="fbbench-staff@example.com").first() or User.objects.create_user(
        "fbbench-staff@example.com", "x", full_name="Dealership staff"
    )
    membership, _ = Membership.objects.get_or_create(
        user=staff, organization=org, defaults={"role": roles["back_office"], "scope": "stations"}
    )
    membership.stations.set(stations[:1])
    sequence_next(organization=org, name="fleetback.case")  # the counter row; set to the last number below
    existing = Case.objects.filter(organization=org).count()
    if existing >= count:
        return
    rng = random.Random(12)
    t0 = time.monotonic()
    statuses = ["awaiting", "sent", "read", "answered"]
    batch: list[tuple[Contact, Case]] = []
    for i in range(existing, count):
        mode = "sales" if i % 3 == 2 else "after_sales"
        module = rng.choice(["used_car", "direct"] if mode == "sales" else ["mechanics", "body", "warranty"])
        station = stations[i % len(stations)]
        status = "closed" if i < count * 0.7 else statuses[i % 4]
        contact = Contact(
            organization=org,
            salutation=rng.choice(["mr", "ms"]),
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            email=f"kunde{i}@example.com",
            phone=f"+49 176 {1000000 + i}",
            language=rng.choice(["de", "de", "de", "en", "fr", "nl"]),
        )
        author = users[i % len(users)]
        case = Case(
            organization=org,
            station=station,
            brand=brands[station.pk][i % 3],
            mode=mode,
            module=module,
            reference=f"RO-{100000 + i}",
            vin=f"WVWZZZ{rng.randrange(16**11):011X}",
            plate=f"{DISTRICTS[i % len(DISTRICTS)]}-{chr(65 + i % 26)}{chr(65 + i // 26 % 26)} {i % 9999 + 1}",
            make_model=MODELS[i % len(MODELS)],
            km=rng.randint(1000, 250_000),
            author=author,
            assignee=users[(i * 7) % len(users)] if i % 5 else None,
            sent_by=users[(i * 3) % len(users)] if status != "awaiting" else None,
            status=status,
            number=i + 1,
        )
        batch.append((contact, case))
        if len(batch) == 2000:
            _flush(batch)
    _flush(batch)
    with connection.cursor() as cur:
        # Older cases first: created one every five minutes back from now.
        cur.execute(
            "UPDATE fleetback_case SET created_at = now() - ((%s - number) * interval '5 minutes') "
            "WHERE organization_id = %s",
            [count, org.pk],
        )
        cur.execute(
            "UPDATE rentoffice_numbersequence SET last_value = %s WHERE organization_id = %s AND name = %s",
            [count, org.pk, "fleetback.case"],
        )
        cur.execute("VACUUM ANALYZE fleetback_case")
        cur.execute("VACUUM ANALYZE fleetback_contact")
    print(f"cases: {Case.objects.filter(organization=org).count()} ({time.monotonic() - t0:.1f} s)")


def _flush(batch) -> None:
    from django.db import transaction

    from fleetback.models import Case, Contact

    if not batch:
        return
    with transaction.atomic():
        contacts = Contact.objects.bulk_create([contact for contact, _case in batch])
        for contact, (_c, case) in zip(contacts, batch, strict=True):
            case.contact = contact
        Case.objects.bulk_create([case for _contact, case in batch])
    batch.clear()


def measure(rounds: int) -> list[float]:
    from django.db import connection, reset_queries
    from django.test import Client
    from django_scopes import scopes_disabled

    from fleetback.models import Case
    from rentoffice.models import Brand, User

    admin, staff = Client(), Client()
    with scopes_disabled():
        admin.force_login(User.objects.get(email="fbbench@example.com"))
        staff.force_login(User.objects.get(email="fbbench-staff@example.com"))
        users = list(User.objects.filter(email__startswith="fbbench").exclude(email="fbbench@example.com"))
        u = {user.email: user.pk for user in users}
        audi = list(Brand.objects.filter(organization__slug=SLUG, name="Audi").values_list("pk", flat=True))
        sample = Case.objects.filter(organization__slug=SLUG).order_by("number")[54321]
        open_ids = list(
            Case.objects.filter(organization__slug=SLUG, mode="after_sales")
            .exclude(status="closed")
            .order_by("-created_at")
            .values_list("pk", flat=True)[:50]
        )
    base = f"/o/{SLUG}/cases/after-sales/"
    statuses = f"/o/{SLUG}/cases/statuses/"
    f = {"filter": "1"}
    scenarios = [
        ("dashboard (open cases)", admin, base, {**f}),
        ("show closed", admin, base, {**f, "closed": "on"}),
        ("search reference", admin, base, {**f, "q": sample.reference, "closed": "on"}),
        ("search case number", admin, base, {**f, "q": str(sample.number), "closed": "on"}),
        ("search plate 'fs-ab 12'", admin, base, {**f, "q": "fs-ab 12", "closed": "on"}),
        ("search name 'müller'", admin, base, {**f, "q": "müller"}),
        ("search 2 names 'jürgen köhler'", admin, base, {**f, "q": "jürgen köhler", "closed": "on"}),
        ("search phone '1761054'", admin, base, {**f, "q": "1761054", "closed": "on"}),
        ("search VIN fragment", admin, base, {**f, "q": sample.vin[-8:], "closed": "on"}),
        ("search no hit 'zzqxv'", admin, base, {**f, "q": "zzqxv", "closed": "on"}),
        ("status sent + read", admin, base, {**f, "status": ["sent", "read"]}),
        ("module ×2 + brand Audi ×4", admin, base, {**f, "module": ["body", "warranty"], "brand": audi}),
        ("assignee ×2", admin, base, {**f, "assignee": [u["fbbench3@example.com"], u["fbbench5@example.com"]]}),
        ("sender + show closed", admin, base, {**f, "sender": [u["fbbench3@example.com"]], "closed": "on"}),
        ("sender without cases", admin, base, {**f, "sender": [u["fbbench4@example.com"]], "closed": "on"}),
        ("author ×3 + closed + 'audi'", admin, base, {**f, "author": list(u.values())[:3], "closed": "on", "q": "a6"}),
        (
            "all six filters + search",
            admin,
            base,
            {
                **f,
                "q": "m-",
                "status": ["closed", "answered"],
                "module": ["mechanics"],
                "brand": audi,
                "author": list(u.values())[:6],
                "sender": list(u.values())[:6],
                "assignee": list(u.values())[:6],
            },
        ),
        ("one dealership's staff", staff, base, {**f}),
        ("stored filters (no params)", admin, base, None),
        ("status poll, 50 ids", admin, statuses, {"ids": ",".join(map(str, open_ids))}),
    ]
    print(f"{'scenario':34} {'p50 ms':>8} {'p95 ms':>8} {'rows':>5} {'queries':>8}")
    all_timings: list[float] = []
    for label, client, url, params in scenarios:
        if params is None:  # the filters stored by the previous request
            client.get(base, {**f, "module": ["body"], "q": "schmidt"})
            params = {}
        client.get(url, params)  # warm up
        timings = []
        for _ in range(rounds):
            reset_queries()
            t = time.perf_counter()
            response = client.get(url, params)
            timings.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (label, response.status_code)
        queries = len(connection.queries)
        rows = response.content.decode().count('id="case-status-')
        timings.sort()
        all_timings += timings
        print(f"{label:34} {statistics.median(timings):8.1f} {_p95(timings):8.1f} {rows:5} {queries:8}")
    all_timings.sort()
    print(f"{'all requests':34} {statistics.median(all_timings):8.1f} {_p95(all_timings):8.1f}")
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        print(cur.fetchone()[0])
    return all_timings


def _p95(timings: list[float]) -> float:
    return timings[max(int(len(timings) * 0.95) - 1, 0)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django_scopes import scopes_disabled

    settings.DEBUG = True  # counts queries
    settings.ALLOWED_HOSTS = ["*"]
    create_database()
    with scopes_disabled():
        generate(args.count)
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    measure(args.rounds)


if __name__ == "__main__":
    main()

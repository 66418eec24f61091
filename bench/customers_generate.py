#!/usr/bin/env python
"""Generate N customers (default 1,000,000) for the search benchmark in a separate database.

    createdb/`--setup` creates the database, migrates it and makes one organization; then rows are
    loaded with COPY (search_text built by the same Python code as the app), and the trigram index
    is rebuilt once at the end (faster than maintaining it row by row).

    DATABASE_URL=postgres://postgres@127.0.0.1:54329/rentoffice_bench \
        .venv/bin/python bench/customers_generate.py --count 1000000 --setup
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentoffice.settings.dev")

FIRST = [
    "Anna",
    "Jürgen",
    "Özlem",
    "Lukas",
    "Sophie",
    "Matthias",
    "Maria",
    "Jörg",
    "Lena",
    "Björn",
    "Ines",
    "Stefan",
    "Chloé",
    "René",
    "Tobias",
    "Ute",
    "Paul",
    "Hannah",
    "Emre",
    "Katrin",
    "Günther",
    "Åsa",
    "Zoë",
    "Mehmet",
    "Olga",
    "Piotr",
    "Fatma",
    "Klaus",
    "Heike",
    "Sven",
    "Ingrid",
    "Dieter",
    "Monika",
    "Uwe",
]
LAST = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Weiß",
    "Groß",
    "Jäger",
    "Böhm",
    "Yılmaz",
    "Kowalski",
    "Nowak",
    "Öztürk",
    "Lorenz",
    "Kaiser",
    "Fuchs",
    "Scholz",
    "Möller",
    "Vogel",
    "Friedrich",
]
COMPANY = ["Bäckerei", "Autohaus", "Spedition", "Gärtnerei", "Metzgerei", "Elektro", "Sanitär", "Logistik"]
CITIES = ["München", "Augsburg", "Hamburg", "Köln", "Nürnberg", "Würzburg", "Düsseldorf", "Lübeck"]


def setup() -> None:
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    name = settings.DATABASES["default"]["NAME"]
    import psycopg2

    admin = psycopg2.connect(
        host=settings.DATABASES["default"]["HOST"],
        port=settings.DATABASES["default"]["PORT"],
        user=settings.DATABASES["default"]["USER"],
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    connections.close_all()
    django.setup()
    call_command("migrate", verbosity=0)


def load(org, count: int, *, chunk: int = 50_000, rebuild_index: bool = True) -> None:
    """Fill `org` up to `count` customers with COPY; numbers continue after the highest one in use."""
    from django.db import connection
    from django.db.models import Max
    from django_scopes import scopes_disabled

    from customers.models import Customer
    from customers.search import build_search_text
    from rentoffice.models import NumberSequence

    with scopes_disabled():
        start = Customer.objects.filter(organization=org).count()
        first_number = (Customer.objects.filter(organization=org).aggregate(m=Max("number"))["m"] or 0) + 1 - start
    fields = [f for f in Customer._meta.concrete_fields if f.name != "id"]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    rng = random.Random(42 + start)
    now = dt.datetime.now(dt.UTC)
    t0 = time.monotonic()
    if rebuild_index:
        with connection.cursor() as cur:
            cur.execute("DROP INDEX IF EXISTS customer_search_trgm")
    for offset in range(start, count, chunk):
        buf = io.StringIO()
        for i in range(offset, min(offset + chunk, count)):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            c = Customer(
                organization=org,
                number=first_number + i,
                first_name=first,
                last_name=last,
                email=f"{first}.{last}{i}@example.com".lower(),
                phone=f"0{rng.randint(30, 999)} {i}",
                city=rng.choice(CITIES),
                created_at=now,
                updated_at=now,
                last_activity_at=now,
            )
            if i % 10 == 0:
                c.kind, c.company = Customer.Kind.LEGAL_ENTITY, f"{rng.choice(COMPANY)} {last} GmbH"
            c.search_text = build_search_text(c, [f"K{i:07d}"] if i % 3 == 0 else [])
            c.sort_name_refresh()  # COPY bypasses save()
            row = []
            for f in fields:
                value = f.get_db_prep_save(getattr(c, f.attname), connection)
                if value is None:
                    row.append("\\N")
                elif isinstance(value, bool):
                    row.append("t" if value else "f")
                else:
                    row.append(str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " "))
            buf.write("\t".join(row) + "\n")
        buf.seek(0)
        with connection.cursor() as cur:
            cur.cursor.copy_expert(f"COPY customers_customer ({columns}) FROM STDIN", buf)
        print(f"{min(offset + chunk, count):>9} rows  {time.monotonic() - t0:6.1f}s", flush=True)
    with scopes_disabled():
        last_number = Customer.objects.filter(organization=org).aggregate(m=Max("number"))["m"] or 0
        NumberSequence.objects.update_or_create(organization=org, name="customer", defaults={"last_value": last_number})
    with connection.cursor() as cur:
        cur.execute(
            "CREATE INDEX IF NOT EXISTS customer_search_trgm ON customers_customer USING gin (search_text gin_trgm_ops)"
        )
        cur.execute("ANALYZE customers_customer")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--chunk", type=int, default=50_000)
    args = parser.parse_args()
    import django

    django.setup()
    if args.setup:
        setup()
    from django_scopes import scopes_disabled

    from rentoffice.models import Organization

    with scopes_disabled():
        org = Organization.objects.filter(slug="bench").first()
        if org is None:
            from rentoffice.services import organization_create

            org, _ = organization_create(
                name="Bench",
                slug="bench",
                operator_code="BENCH",
                admin_email="bench@example.com",
                admin_name="Bench",
                admin_password="x",
            )
    t0 = time.monotonic()
    load(org, args.count, chunk=args.chunk)
    print(f"done in {time.monotonic() - t0:.1f}s")


if __name__ == "__main__":
    main()

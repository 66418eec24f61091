#!/usr/bin/env python
"""Generate a fleet of 10,000 vehicles and 2,000,000 contracts (with their occupations) for the
availability and booking benchmark (`bench/availability.py`) in a separate database.

    DATABASE_URL=postgres://postgres@127.0.0.1:54339/rentoffice_bench_contracts \
        .venv/bin/python bench/contracts_generate.py --setup

One organization, 50 stations (opening hours Mo–Sa 07:00–20:00), 20 vehicle groups, 10,000
vehicles (200 per station, 10 per station and group), 10,000 customers (bench/customers_generate.py's
loader), 2,000,000 contracts: 200 per vehicle, back to back with gaps, from about two years ago to
about three months ahead — settled in the past (5 % cancelled), checked out now, reserved ahead.
Every contract that is not cancelled has its `Occupation` row (period = [start, end + 60 min)).
Rows are loaded with COPY with the tables' foreign keys, unique/exclusion constraints and indexes
dropped, and all of them (the GiST exclusion constraint included) rebuilt once at the end.
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

STATIONS = 50
GROUPS = 20
VEHICLES = 10_000
CUSTOMERS = 10_000
PER_VEHICLE = 200
BUFFER = dt.timedelta(minutes=60)


def _copy(table: str, columns: list[str], rows) -> None:
    from django.db import connection

    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    buf.seek(0)
    with connection.cursor() as cur:
        cur.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)


def _drop_constraints(table: str) -> list[str]:
    """Drop foreign keys, unique/exclusion constraints and plain indexes; return the SQL to rebuild them."""
    from django.db import connection

    rebuild: list[str] = []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'u', 'x')",
            [table],
        )
        constraints = cur.fetchall()
        cur.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cur.fetchall()
        for name, definition, _kind in constraints:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for name, definition in indexes:
            cur.execute(f'DROP INDEX IF EXISTS "{name}"')
            rebuild.append(definition)
    return rebuild


def _stations_groups(org):
    from django_scopes import scopes_disabled

    from rentoffice.models import OpeningHours, Station
    from vehicles.models import VehicleGroup

    with scopes_disabled():
        stations = [
            Station.objects.get_or_create(organization=org, code=f"S{n:02d}", defaults={"name": f"Station {n:02d}"})[0]
            for n in range(STATIONS)
        ]
        for station in stations:
            if not station.opening_hours.exists():
                OpeningHours.objects.bulk_create(
                    OpeningHours(station=station, weekday=day, opens=dt.time(7), closes=dt.time(20)) for day in range(6)
                )
        groups = [
            VehicleGroup.objects.get_or_create(
                organization=org, code=f"G{n:02d}", defaults={"name": f"Gruppe {n:02d}"}
            )[0]
            for n in range(GROUPS)
        ]
    return stations, groups


def _vehicles(org, stations, groups) -> list[tuple[int, int, int]]:
    """(vehicle id, station id, group id) of the bench fleet, loading it first if missing."""
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM vehicles_vehicle WHERE organization_id = %s", [org.pk])
        if cur.fetchone()[0] == 0:
            now = timezone.now().isoformat()
            columns = [
                "organization_id", "plate", "vin", "make", "model", "variant", "group_id", "home_station_id",
                "current_station_id", "fuel_type", "transmission", "seats", "current_km", "fuel_level", "status",
                "status_reason", "status_changed_at", "notes", "search_text", "created_at", "updated_at",
            ]  # fmt: skip
            rows = []
            for i in range(VEHICLES):
                station = stations[i % STATIONS]
                group = groups[(i // STATIONS) % GROUPS]
                plate = f"B-{chr(65 + i % 26)}{chr(65 + (i // 26) % 26)} {i + 1}"
                search = f"{plate.lower()} {plate.lower().replace('-', '').replace(' ', '')} volkswagen golf"
                rows.append([
                    org.pk, plate, "", "Volkswagen", "Golf", "", group.pk, station.pk, station.pk, "petrol",
                    "manual", 5, 10_000, 8, "available", "", now, "", search, now, now,
                ])  # fmt: skip
            _copy("vehicles_vehicle", columns, rows)
        cur.execute(
            "SELECT id, current_station_id, group_id FROM vehicles_vehicle WHERE organization_id = %s ORDER BY id",
            [org.pk],
        )
        return cur.fetchall()


def _customer_ids(org) -> list[int]:
    from django.db import connection

    from bench.customers_generate import load

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM customers_customer WHERE organization_id = %s", [org.pk])
        if cur.fetchone()[0] < CUSTOMERS:
            load(org, CUSTOMERS, chunk=CUSTOMERS, rebuild_index=False)
        cur.execute(
            "SELECT id FROM customers_customer WHERE organization_id = %s ORDER BY id LIMIT %s", [org.pk, CUSTOMERS]
        )
        return [row[0] for row in cur.fetchall()]


CONTRACT_COLUMNS = [
    "organization_id", "number", "kind", "status", "customer_id", "vehicle_group_id", "vehicle_id",
    "pickup_station_id", "return_station_id", "starts_at", "ends_at", "deposit", "workshop_order", "payer",
    "insurer_name", "insurer_claim_number", "billing_period", "checked_out_at", "checked_in_at", "km_out",
    "km_in", "fuel_out", "fuel_in", "licence_flag", "cancelled_at", "cancel_reason", "created_at", "updated_at",
]  # fmt: skip


def _contract_rows(org, vehicles, customers, *, first_id: int, now: dt.datetime, rng: random.Random):
    """Contract rows and, for every one not cancelled, its occupation row (same id order)."""
    contracts, occupations = [], []
    contract_id = first_id
    start0 = now - dt.timedelta(days=PER_VEHICLE * 4 - 90)  # ends ≈ 90 days ahead
    for vehicle_id, station_id, group_id in vehicles:
        moment = start0 + dt.timedelta(hours=rng.randint(0, 48))
        moment = moment.replace(minute=0, second=0, microsecond=0)
        for _n in range(PER_VEHICLE):
            days = rng.randint(1, 5)
            starts = moment.replace(hour=rng.randint(7, 17))
            if starts < moment:  # never before the previous return plus its buffer
                starts += dt.timedelta(days=1)
            ends = starts + dt.timedelta(days=days, hours=rng.randint(-2, 2))
            cancelled = rng.random() < 0.05
            if cancelled:
                status = "cancelled"
            elif ends < now:
                status = "settled"
            elif starts <= now:
                status = "checked_out"
            else:
                status = "reserved"
            out_at = starts.isoformat() if status in ("settled", "checked_out") else None
            in_at = ends.isoformat() if status == "settled" else None
            km = 10_000 + _n * 300
            contracts.append([
                org.pk, f"MV-{contract_id}", "rental", status, rng.choice(customers), group_id, vehicle_id,
                station_id, station_id, starts.isoformat(), ends.isoformat(), "0", "", "customer", "", "", "",
                out_at, in_at, km if out_at else None, km + 250 if in_at else None, 8 if out_at else None,
                6 if in_at else None, "", starts.isoformat() if cancelled else None,
                "bench" if cancelled else "", starts.isoformat(), starts.isoformat(),
            ])  # fmt: skip
            if not cancelled:
                period = f"[{starts.isoformat()},{(ends + BUFFER).isoformat()})"
                occupations.append([org.pk, vehicle_id, period, contract_id])
            contract_id += 1
            moment = ends + dt.timedelta(hours=BUFFER.total_seconds() / 3600 + rng.randint(1, 30))
    return contracts, occupations


def load(org, *, chunk_vehicles: int = 500) -> None:
    from django.db import connection
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from contracts.models import ContractSettings
    from rentoffice.models import NumberSequence

    stations, groups = _stations_groups(org)
    vehicles = _vehicles(org, stations, groups)
    customers = _customer_ids(org)
    with scopes_disabled():
        ContractSettings.objects.get_or_create(organization=org)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM contracts_contract WHERE organization_id = %s", [org.pk])
        if cur.fetchone()[0]:
            print("contracts already loaded")
            return
        cur.execute("SELECT coalesce(max(id), 0) + 1 FROM contracts_contract")
        first_id = cur.fetchone()[0]
    rebuild = _drop_constraints("contracts_occupation") + _drop_constraints("contracts_contract")
    rng = random.Random(7)
    now = timezone.now()
    t0 = time.monotonic()
    next_id = first_id
    for offset in range(0, len(vehicles), chunk_vehicles):
        part = vehicles[offset : offset + chunk_vehicles]
        contracts, occupations = _contract_rows(org, part, customers, first_id=next_id, now=now, rng=rng)
        _copy("contracts_contract", ["id", *CONTRACT_COLUMNS], ([next_id + i, *row] for i, row in enumerate(contracts)))
        _copy("contracts_occupation", ["organization_id", "vehicle_id", "period", "contract_id"], occupations)
        next_id += len(contracts)
        print(
            f"{offset + len(part):>6} vehicles  {next_id - first_id:>9} contracts  {time.monotonic() - t0:6.1f}s",
            flush=True,
        )
    with connection.cursor() as cur:
        cur.execute("SELECT setval(pg_get_serial_sequence('contracts_contract', 'id'), %s)", [next_id])
        t1 = time.monotonic()
        for statement in reversed(rebuild):  # indexes and unique constraints first, foreign keys last
            cur.execute(statement)
        print(f"constraints and indexes rebuilt in {time.monotonic() - t1:.1f}s", flush=True)
        cur.execute("ANALYZE contracts_contract")
        cur.execute("ANALYZE contracts_occupation")
        cur.execute("ANALYZE vehicles_vehicle")
    with scopes_disabled():
        NumberSequence.objects.update_or_create(organization=org, name="contract", defaults={"last_value": next_id})
    print(f"done in {time.monotonic() - t0:.1f}s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", action="store_true", help="create and migrate the database first")
    args = parser.parse_args()
    import django

    django.setup()
    if args.setup:
        from bench.customers_generate import setup

        setup()
    from django_scopes import scopes_disabled

    from rentoffice.models import Organization
    from rentoffice.services import organization_create

    with scopes_disabled():
        org = Organization.objects.filter(slug="bench").first()
        if org is None:
            org, _ = organization_create(
                name="Bench",
                slug="bench",
                operator_code="BENCH",
                admin_email="bench@example.com",
                admin_name="Bench",
                admin_password="x",
            )
    load(org)


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Data for the page load benchmark (`bench/pages.py`): the demo plus a realistic volume.

    DATABASE_URL=postgres://postgres@127.0.0.1:54329/rentoffice_bench_pages \
        .venv/bin/python bench/pages_generate.py

Creates the database if needed, migrates, loads the demo (`seed_demo`: organizations, users, roles,
stations, 200 customers, 10 vehicles), then grows "Autohaus König" to 20,000 customers (COPY, the
app's own `search_text`) and 500 vehicles with a km reading each, and gives the benchmark's customer
(the first demo customer with a document) a history: 30 saves in the activity log, 12 messages and
6 documents — what a card of a regular customer looks like after a year. Idempotent.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentoffice.settings.dev")

ORG = "koenig"
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


def bench_customer(org):
    """The customer whose card is measured: a demo customer with documents."""
    from customers.models import Customer

    return (
        Customer.objects.filter(organization=org, documents__isnull=False, main_customer__isnull=True)
        .order_by("pk")
        .first()
    )


def _vehicles(org, count: int) -> None:
    from django.utils import timezone

    from rentoffice.models import Station
    from vehicles.models import KmReading, Vehicle, VehicleGroup

    existing = Vehicle.objects.filter(organization=org).count()
    if existing >= count:
        return
    stations = list(Station.objects.filter(organization=org).order_by("pk"))
    groups = list(VehicleGroup.objects.filter(organization=org).order_by("pk"))
    rng = random.Random(11)
    now = timezone.now()
    batch = []
    for i in range(existing, count):
        make, model = rng.choice(MODELS)
        home = stations[i % len(stations)]
        plate = f"M-B{chr(65 + i % 26)} {1000 + i}"
        vehicle = Vehicle(
            organization=org,
            plate=plate,
            vin="",
            make=make,
            model=model,
            variant="",
            group=groups[i % len(groups)],
            home_station=home,
            current_station=home if i % 9 else stations[(i + 1) % len(stations)],
            current_km=rng.randint(0, 200_000),
            status=["available", "available", "rented", "workshop"][i % 4],
            status_changed_at=now,
        )
        vehicle.search_text = " ".join(
            [plate.lower(), plate.lower().replace("-", "").replace(" ", ""), make.lower(), model.lower()]
        )
        batch.append(vehicle)
    created = Vehicle.objects.bulk_create(batch)
    KmReading.objects.bulk_create(
        KmReading(organization_id=v.organization_id, vehicle=v, km=v.current_km, recorded_at=now) for v in created
    )


def _history(org, customer) -> None:
    from auditlog.context import set_actor
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.base import ContentFile

    from customers.models import CustomerDocument
    from customers.services import customer_save
    from rentoffice.models import Membership, OutboundMessage

    admin = Membership.objects.get(organization=org, user__email="admin@koenig.example")
    with set_actor(admin.user):
        for i in range(LogEntry.objects.get_for_object(customer).count(), 30):
            customer.notes = f"Anruf {i}: Rückruf vereinbart"
            customer.city = ["München", "Augsburg", "Freising"][i % 3]
            customer_save(customer=customer, actor=admin)
    kind = ContentType.objects.get_for_model(customer)
    have = OutboundMessage.objects.filter(related_type=kind, related_id=str(customer.pk)).count()
    OutboundMessage.objects.bulk_create(
        OutboundMessage(
            organization=org,
            recipient=customer.email or "kunde@example.com",
            purpose="customer_email",
            subject=f"Ihre Buchung {i}",
            body_text=f"Guten Tag,\n\nIhre Buchung {i} ist bestätigt.\n",
            status=OutboundMessage.Status.SENT,
            related_type=kind,
            related_id=str(customer.pk),
        )
        for i in range(have, 12)
    )
    for i in range(CustomerDocument.objects.filter(customer=customer).count(), 6):
        doc = CustomerDocument(
            organization=org,
            customer=customer,
            doc_type=CustomerDocument.Type.CORRESPONDENCE,
            original_name=f"Schreiben-{i}.pdf",
            content_type="application/pdf",
            size=15,
            note="Bench",
        )
        doc.file.save(f"schreiben-{i}.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--vehicles", type=int, default=500)
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django_scopes import scopes_disabled

    from bench import customers_generate

    customers_generate.setup()
    call_command("seed_demo", verbosity=0)
    from rentoffice.models import Organization

    with scopes_disabled():
        org = Organization.objects.get(slug=ORG)
        customers_generate.load(org, args.customers)
        _vehicles(org, args.vehicles)
        _history(org, bench_customer(org))
    print("bench data ready")


if __name__ == "__main__":
    main()

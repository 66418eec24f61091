#!/usr/bin/env python
"""Protocol PDF rendering: one protocol with 12 photos, and a batch of 100 deliveries in one worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:54339/rentoffice_bench_protocols .venv/bin/python bench/protocol_pdf.py

One command: the database is created and migrated if needed, the data made once (organization
"bench-pdf" with a logo; a contract; a submitted check-in protocol with 6 condition photos, 3 damages
with 2 photos each — 12 photos — and both signatures). Photos are 1600×1200 camera-like pictures
(noise and gradients, so JPEG sizes are realistic) sent through the image pipeline; the PDF embeds
the pipeline's 480 px thumbnails.

1. `protocol_pdf_render` of that protocol: 3 warm-up renders, then the median and p95 of
   `--rounds` renders (target: median < 500 ms).
2. A batch of 100 such protocols delivered one after the other in this process, as one worker
   would run the tasks: `protocol_deliver` (row lock, render, store the PDF, queue the e-mail through
   the outbox). Reported: total, per protocol, and the process's peak memory. The Celery broker is
   `memory://`, so nothing reaches a shared Redis; the stored files go to a temporary MEDIA_ROOT.
"""

from __future__ import annotations

import argparse
import functools
import io
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
print = functools.partial(print, flush=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentoffice.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:54339/rentoffice_bench_protocols")
os.environ["CELERY_BROKER_URL"] = "memory://"
os.environ.setdefault("MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "bench-protocol-pdf-media"))

SLUG = "bench-pdf"


def camera_photo(seed: int, size=(1600, 1200)) -> bytes:
    """A JPEG that compresses like a photo (noise over gradients), not like a flat test colour."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    tint = Image.new("RGB", size, (rng.randrange(40, 200), rng.randrange(40, 200), rng.randrange(40, 200)))
    image = Image.blend(base, tint, 0.6)
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        r = rng.randrange(20, 200)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)
    noise = Image.effect_noise(size, 40).convert("RGB")
    image = Image.blend(image.filter(ImageFilter.GaussianBlur(2)), noise, 0.25)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def signature_png(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (900, 300), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    points = [(30 + i * 40, 150 + rng.randrange(-90, 90)) for i in range(21)]
    draw.line(points, fill=(10, 10, 60), width=5, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def processed(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rentoffice.images import process_image

    return process_image(SimpleUploadedFile(name, content))


def world():
    """Organization, contract and the images, made once and reused by later runs."""
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from contracts.models import Contract
    from contracts.services.booking import contract_book
    from customers.models import Customer
    from customers.services import customer_save
    from rentoffice.models import Membership, Organization, Station
    from rentoffice.services import organization_create
    from vehicles.models import Vehicle, VehicleGroup

    org = Organization.objects.filter(slug=SLUG).first()
    if org is None:
        org, _ = organization_create(
            name="Autovermietung Bench GmbH",
            slug=SLUG,
            operator_code="BPDF",
            admin_email="bench-pdf@example.com",
            admin_name="Bench Admin",
            admin_password="x",
        )
        org.street, org.postal_code, org.city = "Leopoldstraße 12", "80802", "München"
        logo = io.BytesIO()
        from PIL import Image

        Image.new("RGB", (600, 180), (20, 60, 140)).save(logo, "PNG")
        org.logo.save("logo.png", ContentFile(logo.getvalue()), save=False)
        org.save()
    admin = Membership.objects.select_related("organization", "role", "user").filter(organization=org).first()
    contract = Contract.objects.filter(organization=org).order_by("pk").first()
    if contract is None:
        station, _ = Station.objects.get_or_create(
            organization=org,
            code="MUC1",
            defaults={"name": "München Zentrum", "street": "Bayerstr. 3", "city": "München"},
        )
        group, _ = VehicleGroup.objects.get_or_create(organization=org, code="KOMBI", defaults={"name": "Kombi"})
        vehicle = Vehicle.objects.filter(organization=org).first() or Vehicle.objects.create(
            organization=org,
            plate="M-BP 100",
            make="Skoda",
            model="Octavia Combi",
            group=group,
            home_station=station,
            current_station=station,
        )
        customer = customer_save(
            actor=admin,
            customer=Customer(
                organization=org,
                first_name="Jürgen",
                last_name="Müller",
                email="juergen@example.com",
                street="Hauptstraße 5",
                postal_code="81241",
                city="München",
            ),
            cards=[],
        )
        start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) + dt.timedelta(days=30)
        while start.weekday() >= 5:
            start += dt.timedelta(days=1)
        contract = contract_book(
            actor=admin,
            customer=customer,
            vehicle_group=group,
            pickup_station=station,
            return_station=station,
            starts_at=start,
            ends_at=start + dt.timedelta(days=3, hours=6),
            vehicle=vehicle,
        )
    return org, admin, contract


def images():
    photos = [processed(camera_photo(seed), f"photo{seed}.jpg") for seed in range(12)]
    signatures = [processed(signature_png(seed), f"signature{seed}.png") for seed in range(2)]
    return photos, signatures


def make_protocol(org, admin, contract, photos, signatures, *, stored=None):
    """A submitted check-in with 6 condition photos, 3 damages with 2 photos each and 2 signatures.

    `stored` (from an earlier call) reuses that protocol's stored files, so a batch does not write
    1,400 images; the renderer reads them like any other.
    """
    from decimal import Decimal

    from django.utils import timezone

    from protocols.models import Protocol, ProtocolFinding, ProtocolPhoto, ProtocolSignature, ProtocolType
    from vehicles.models import Damage, DamagePhoto

    protocol_type = ProtocolType.objects.filter(organization=org, kind="check_in").order_by("-builtin").first()
    if protocol_type is None:
        protocol_type = ProtocolType.objects.create(
            organization=org,
            name="Rücknahme",
            kind="check_in",
            registers=["km_fuel", "cleanliness", "damage", "condition", "notes", "signature", "dispatch"],
        )
    protocol = Protocol.objects.create(
        organization=org,
        contract=contract,
        vehicle=contract.vehicle,
        type=protocol_type,
        kind="check_in",
        station=contract.return_station,
        recorded_by=admin.user,
        km=48_213,
        fuel=5,
        clean_inside="used",
        clean_outside="dirty",
        notes="Kindersitz zurückgegeben. Tankkarte im Handschuhfach.",
    )
    views = ["front", "rear", "left", "right", "interior", "dashboard"]
    made = {"photos": [], "damage_photos": [], "signatures": []}

    def attach(row, index, kind, image):
        if stored:
            row.image.name, row.thumbnail.name = stored[kind][index]
            row.width, row.height = 1600, 1200
        else:
            row.set_processed(image)
        row.save()
        made[kind].append((row.image.name, row.thumbnail.name))

    for index, view in enumerate(views):
        attach(ProtocolPhoto(organization=org, protocol=protocol, view=view), index, "photos", photos[index])
    damages = [
        ("left", "Delle in der Fahrertür, ca. 5 cm", "medium", "left", 45, 52),
        ("front", "Kratzer an der Frontschürze rechts", "minor", "front", 70, 80),
        ("glass", "Steinschlag in der Windschutzscheibe", "minor", "top", 50, 30),
    ]
    for index, (area, description, severity, view, x, y) in enumerate(damages):
        damage = Damage.objects.create(
            organization=org,
            vehicle=contract.vehicle,
            area=area,
            description=description,
            severity=severity,
            view=view,
            x=Decimal(x),
            y=Decimal(y),
            source=Damage.Source.CHECKIN,
        )
        for n in range(2):
            attach(
                DamagePhoto(organization=org, damage=damage), index * 2 + n, "damage_photos", photos[6 + index * 2 + n]
            )
        ProtocolFinding.objects.create(
            organization=org, protocol=protocol, damage=damage, kind="new", new_since_check_out=index == 0
        )
    for index, (role, name) in enumerate((("customer", "Jürgen Müller"), ("staff", "Anna Station"))):
        attach(
            ProtocolSignature(
                organization=org, protocol=protocol, role=role, signer_name=name, signed_at=timezone.now()
            ),
            index,
            "signatures",
            signatures[index],
        )
    Protocol.objects.filter(pk=protocol.pk).update(status="submitted", submitted_at=timezone.now())
    protocol.refresh_from_db()
    return protocol, made


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()

    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    from bench.customers_generate import setup

    setup()  # creates and migrates the database when needed
    from django_scopes import scope, scopes_disabled

    from protocols.models import Protocol
    from protocols.pdf import protocol_pdf_render
    from protocols.services.delivery import protocol_deliver

    with scopes_disabled():
        org, admin, contract = world()
    with scope(organization=org):
        t0 = time.perf_counter()
        photos, signatures = images()
        print(f"12 photos and 2 signatures through the image pipeline in {time.perf_counter() - t0:.1f}s")
        protocol, stored = make_protocol(org, admin, contract, photos, signatures)

        for _ in range(3):
            pdf = protocol_pdf_render(protocol=protocol)
        times, cpu = [], []
        for _ in range(args.rounds):
            t, c = time.perf_counter(), time.process_time()
            pdf = protocol_pdf_render(protocol=protocol)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(
            f"single render, 12 photos: median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, "
            f"min {times[0]:.0f} ms, max {times[-1]:.0f} ms ({args.rounds} rounds), PDF {len(pdf) / 1024:.0f} KiB; "
            f"CPU time of this process per render: median {statistics.median(cpu):.0f} ms"
        )
        if not args.batch:
            return

        batch = [make_protocol(org, admin, contract, photos, signatures, stored=stored)[0] for _ in range(args.batch)]
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t, c = time.perf_counter(), time.process_time()
        for item in batch:
            protocol_deliver(protocol=item)
        total, total_cpu = time.perf_counter() - t, time.process_time() - c
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        delivered = Protocol.objects.filter(pk__in=[p.pk for p in batch], email_message__isnull=False).exclude(pdf="")
        print(
            f"batch of {args.batch} deliveries in one worker: {total:.1f} s, {total * 1000 / args.batch:.0f} ms each, "
            f"{delivered.count()} with PDF and e-mail; CPU time {total_cpu * 1000 / args.batch:.0f} ms each; "
            f"peak RSS {rss_before / 1024:.0f} → {rss_after / 1024:.0f} MiB"
        )
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()

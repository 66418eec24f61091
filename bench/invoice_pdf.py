#!/usr/bin/env python
"""Invoice PDF rendering, and 1,000 invoices delivered by real Celery workers (1 and 2).

    .venv/bin/python bench/invoice_pdf.py

One command (defaults: database `rentoffice_bench_invoices` on the shared PostgreSQL, Redis DB 2 of
the shared server as broker; override with DATABASE_URL / REDIS_URL). The database is created and
migrated if needed, the organization "bench-inv" (with a logo, address, VAT id, bank details) made
once.

1. `invoice_pdf_render` of an issued invoice with 6 lines at two VAT rates: 3 warm-up renders, then
   the median and p95 of `--rounds` renders (target: median < 150 ms).
2. For 1 and then 2 workers: `--batch` invoices are issued through `invoice_create_and_issue` (each
   in its own transaction, as the flows do; the delivery task is enqueued on commit) while no
   worker runs, so the tasks wait in the queue; then that many real `celery worker` processes
   (`-c 1` each, prefork, the project's settings) start and the clock runs until every invoice has
   its stored PDF and its queued e-mail (`invoice_deliver`), and until every e-mail is sent (the
   outbox's `send_message`, to Django's dummy e-mail backend). Worker start-up is measured apart.
   The broker's queue is purged before each round, so stale tasks of earlier runs do not count
   (use a Redis database of its own: the purge empties the default queue).
"""

from __future__ import annotations

import argparse
import functools
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
print = functools.partial(print, flush=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentoffice.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:54339/rentoffice_bench_invoices")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:63809/2")
os.environ["CELERY_BROKER_URL"] = os.environ["REDIS_URL"]
os.environ.setdefault("MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "bench-invoice-media"))
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
os.environ.setdefault("LOG_LEVEL", "WARNING")

SLUG = "bench-inv"


def world():
    """Organization, billing settings, a customer; made once and reused by later runs."""
    from django.core.files.base import ContentFile
    from PIL import Image

    from billing.models import BillingSettings
    from customers.models import Customer
    from customers.services import customer_save
    from rentoffice.models import Membership, Organization
    from rentoffice.services import organization_create

    org = Organization.objects.filter(slug=SLUG).first()
    if org is None:
        org, _ = organization_create(
            name="Autovermietung Bench GmbH",
            slug=SLUG,
            operator_code="BINV",
            admin_email="bench-inv@example.com",
            admin_name="Bench Admin",
            admin_password="x",
        )
        org.street, org.postal_code, org.city = "Leopoldstraße 12", "80802", "München"
        org.vat_id, org.tax_number, org.contact_email = "DE123456789", "143/123/45678", "rechnung@bench.example"
        logo = io.BytesIO()
        Image.new("RGB", (600, 180), (20, 60, 140)).save(logo, "PNG")
        org.logo.save("logo.png", ContentFile(logo.getvalue()), save=False)
        org.save()
        BillingSettings.objects.create(
            organization=org,
            invoice_prefix="RE-B-",
            bank_name="Stadtsparkasse München",
            iban="DE02701500000000594937",
            bic="SSKMDEMMXXX",
            invoice_footer="Autovermietung Bench GmbH · Amtsgericht München HRB 12345",
        )
    admin = Membership.objects.select_related("organization", "role", "user").filter(organization=org).first()
    customer = Customer.objects.filter(organization=org).first() or customer_save(
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
    return org, admin, customer


def lines():
    from decimal import Decimal

    from billing.services.invoice_lines import LineSpec

    specs = [
        ("Miete Kombi, 3 Tage", "rent", "179.70", "19"),
        ("Mehrkilometer 120 km à 0,25 €", "km", "30.00", "19"),
        ("Kindersitz, 3 Tage", "extra", "21.00", "19"),
        ("Reinigung Innenraum", "cleaning", "59.50", "19"),
        ("Kraftstoff 2/8 fehlend", "fuel", "24.00", "19"),
        ("Fahrkarte ÖPNV (Ersatzmobilität)", "free", "3.70", "7"),
    ]
    return [
        LineSpec.gross_amount(kind=kind, description=text, gross=Decimal(gross), vat_rate=Decimal(rate))
        for text, kind, gross, rate in specs
    ]


def issue_batch(admin, customer, count: int) -> list[int]:
    from billing.services.invoices import invoice_create_and_issue

    ids = []
    specs = lines()
    for _ in range(count):
        invoice = invoice_create_and_issue(
            actor=admin, customer=customer, contract=None, purpose="charge", lines=specs, send=True
        )
        ids.append(invoice.pk)
    return ids


def start_workers(n: int) -> list[subprocess.Popen]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return [
        subprocess.Popen(
            [
                str(ROOT / ".venv/bin/celery"),
                "-A",
                "rentoffice",
                "worker",
                "-c",
                "1",
                "-P",
                "prefork",
                "-n",
                f"bench-inv-{i}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(n)
    ]


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def wait_until(predicate, *, timeout: float) -> float | None:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if predicate():
            return time.perf_counter()
        time.sleep(0.2)
    return None


def round_with(workers_n: int, admin, customer, batch: int) -> None:
    from django_scopes import scopes_disabled

    from billing.models import Invoice
    from rentoffice.celery import app
    from rentoffice.models import OutboundMessage

    app.control.purge()
    t = time.perf_counter()
    ids = issue_batch(admin, customer, batch)
    issued_s = time.perf_counter() - t

    with scopes_disabled():
        delivered = Invoice.objects.filter(pk__in=ids, email_message__isnull=False).exclude(pdf="")
        messages = OutboundMessage.objects.filter(pk__in=delivered.values("email_message_id"))

        workers = start_workers(workers_n)
        try:
            start = time.perf_counter()
            first = wait_until(lambda: delivered.exists(), timeout=120)
            done = wait_until(lambda: delivered.count() == batch, timeout=3600)
            sent = wait_until(lambda: messages.filter(status="sent").count() == batch, timeout=3600)
        finally:
            stop_workers(workers)
        if first is None or done is None:
            print(f"{workers_n} worker(s): not finished ({delivered.count()} of {batch} delivered)")
            return
        busy = done - first
        print(
            f"{workers_n} worker(s): {batch} invoices issued in {issued_s:.1f} s ({issued_s * 1000 / batch:.0f} ms each); "
            f"first delivery {first - start:.1f} s after the workers started (start-up); "
            f"all {batch} PDFs stored and e-mails queued {busy:.1f} s after the first "
            f"({batch / busy:.1f} invoices/s, {busy * 1000 / batch:.0f} ms each)"
            + (
                f"; all e-mails sent {sent - first:.1f} s after the first delivery"
                if sent
                else "; e-mails not all sent"
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--workers", default="1,2", help="worker counts to run, comma-separated ('' for none)")
    args = parser.parse_args()

    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    from bench.customers_generate import setup

    setup()
    from django_scopes import scope, scopes_disabled

    from billing.pdf import invoice_pdf_render

    with scopes_disabled():
        org, admin, customer = world()
    print(f"load before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with scope(organization=org):
        invoice = issue_batch(admin, customer, 1)[0]
        from billing.models import Invoice

        invoice = Invoice.objects.get(pk=invoice)
        for _ in range(3):
            pdf = invoice_pdf_render(invoice=invoice)
        times, cpu = [], []
        for _ in range(args.rounds):
            t, c = time.perf_counter(), time.process_time()
            pdf = invoice_pdf_render(invoice=invoice)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(
            f"single render, 6 lines, logo: median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, "
            f"min {times[0]:.0f} ms, max {times[-1]:.0f} ms ({args.rounds} rounds), PDF {len(pdf) / 1024:.0f} KiB; "
            f"CPU per render: median {statistics.median(cpu):.0f} ms"
        )
        for n in [int(x) for x in args.workers.split(",") if x.strip()]:
            round_with(n, admin, customer, args.batch)
    print(f"load after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

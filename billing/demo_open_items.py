"""Demo open items (order 53): invoices in every age bucket, part payments recorded at the counter,
an overpayment left as a credit, in both demo organizations.

Issued invoices are immutable and take their issue and due dates from the day they are issued
(binv's `invoice_create_and_issue`), so an invoice 90 days overdue can only be made by issuing it
90 days ago: the seeder runs the services with the clock set back (`_on_day`), so every date the
services write (issue, due, created, received) is that day's. Idempotent: an organization whose
demo invoices exist (found by their last line's text) is left alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

from django.db import transaction
from django.utils import timezone

from contracts.models import Contract
from customers.models import Customer
from rentoffice.models import Membership

from .models import Invoice, InvoiceLine, Payment
from .services.invoice_lines import LineSpec
from .services.invoices import billing_settings_get, invoice_create_and_issue
from .services.open_items import payment_record

VAT = Decimal("19.00")
# (days overdue on seeding day, what is charged, gross, paid part by which method or None)
INVOICES = [
    (-7, "Reinigung Innenraum", Decimal("89.00"), None),
    (12, "Betankung, 3/8 fehlend", Decimal("54.60"), (Decimal("20.00"), Payment.Method.CASH)),
    (45, "Schaden Stoßfänger hinten", Decimal("480.00"), (Decimal("200.00"), Payment.Method.BANK_TRANSFER)),
    (95, "Verlängerung um 2 Tage", Decimal("118.00"), None),
]


@contextmanager
def _on_day(day: dt.date) -> Iterator[None]:
    """The services see `day` (at 10:00 local time) as now."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    with mock.patch.object(timezone, "now", lambda: moment):
        yield


def _admin(org) -> Membership | None:
    return (
        Membership.objects.filter(organization=org, role__key="administrator")
        .select_related("user", "role", "organization")
        .order_by("pk")
        .first()
    )


def _contracts(org) -> list[Contract]:
    """Returned contracts first (a charge after the rental), then any, one per customer."""
    seen: set[int] = set()
    found = []
    ordered = Contract.objects.filter(organization=org).exclude(status=Contract.Status.CANCELLED)
    for contract in ordered.order_by("-status", "pk").select_related("customer", "pickup_station"):
        if contract.customer_id not in seen:
            seen.add(contract.customer_id)
            found.append(contract)
    return found


def _issue(admin: Membership, contract: Contract, description: str, gross: Decimal) -> Invoice:
    line = LineSpec.gross_amount(kind=InvoiceLine.Kind.FREE, description=description, gross=gross, vat_rate=VAT)
    invoice = invoice_create_and_issue(
        actor=admin,
        customer=contract.customer,
        contract=contract,
        purpose=Invoice.Purpose.CHARGE,
        lines=[line],
        send=False,
    )
    return invoice


def _already_seeded(org) -> bool:
    return InvoiceLine.objects.filter(
        invoice__organization=org, invoice__purpose=Invoice.Purpose.CHARGE, description=INVOICES[-1][1]
    ).exists()


def _seed(org, stdout) -> None:
    admin = _admin(org)
    contracts = _contracts(org)
    if admin is None or len(contracts) < 2 or _already_seeded(org):
        return
    today = timezone.localdate()
    terms = billing_settings_get(organization=org).payment_terms_days
    for index, (overdue, description, gross, paid) in enumerate(INVOICES):
        contract = contracts[index % len(contracts)]
        issued_on = today - dt.timedelta(days=overdue + terms)
        with _on_day(issued_on):
            invoice = _issue(admin, contract, description, gross)
        if paid is not None:
            amount, method = paid
            with _on_day(min(issued_on + dt.timedelta(days=terms // 2 + 1), today)):
                payment_record(
                    actor=admin,
                    customer=contract.customer,
                    amount=amount,
                    method=method,
                    received_on=timezone.localdate(),
                    reference=f"Demo {invoice.number}",
                    invoice=invoice,
                )
    # A customer who paid more than was open: the rest stays as a credit on the card.
    customer = contracts[-1].customer
    with _on_day(today - dt.timedelta(days=3)):
        payment_record(
            actor=admin,
            customer=customer,
            amount=Decimal("50.00"),
            method=Payment.Method.CARD_TERMINAL,
            received_on=timezone.localdate(),
            reference="Terminal 0042",
            overpayment=True,
        )
    stdout.write(f"  {org.slug}: {len(INVOICES)} open-item invoices, part payments and a credit\n")


def seed_open_items(organizations: dict, stdout) -> None:
    for key in ("koenig", "nord"):
        org = organizations.get(key)
        if org is None or not Customer.objects.filter(organization=org).exists():
            continue
        with transaction.atomic():
            _seed(org, stdout)

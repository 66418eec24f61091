"""Demo invoices (order 50): billing settings, manual invoices (one still a draft), invoices for
returned rentals, and one credit note, in both demo organizations — all through the services, and
the PDFs and e-mails delivered at once (`invoice_deliver`), so `make run` shows them.

Idempotent: an organization that has invoices of this seeder (purpose manual) is left alone. The
booking and final invoices are the payment and settlement demos' (51, 52), made by their flows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django_scopes import scope

from contracts.models import Contract
from contracts.pricing import PricedLine
from customers.models import Customer
from rentoffice.models import Membership

from .models import BillingSettings, Invoice
from .services.invoice_delivery import invoice_deliver
from .services.invoice_lines import LineSpec
from .services.invoices import (
    invoice_cancel,
    invoice_draft_create,
    invoice_issue,
)

BANKS = {
    "koenig": ("Stadtsparkasse München", "DE02701500000000594937", "SSKMDEMMXXX"),
    "nord": ("Hamburger Sparkasse", "DE34200505501234567890", "HASPDEHHXXX"),
}


def _admin(org) -> Membership | None:
    return (
        Membership.objects.filter(organization=org, role__key="administrator", scope=Membership.Scope.ALL)
        .select_related("role", "user", "organization")
        .order_by("pk")
        .first()
    )


def _line(description: str, gross: str, rate: str = "19", kind: str = "free") -> LineSpec:
    return LineSpec.gross_amount(kind=kind, description=description, gross=Decimal(gross), vat_rate=Decimal(rate))


def _contract_lines(contract: Contract) -> list[LineSpec]:
    return [
        LineSpec.from_priced(
            PricedLine(
                kind=line.kind,
                description=line.description,
                explanation=line.explanation,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                vat_rate=line.vat_rate,
                net=line.net,
                gross=line.gross,
            )
        )
        for line in contract.lines.all()
    ]


def _settings(org, key: str) -> None:
    bank, iban, bic = BANKS.get(key, BANKS["koenig"])
    BillingSettings.objects.get_or_create(
        organization=org,
        defaults={
            "invoice_prefix": f"RE-{timezone.localdate().year}-",
            "bank_name": bank,
            "iban": iban,
            "bic": bic,
            "invoice_footer": f"{org.name} · Amtsgericht München HRB 12345",
        },
    )
    BillingSettings.objects.filter(organization=org, bank_name="").update(bank_name=bank, iban=iban, bic=bic)


def _seed_organization(org, key: str, stdout) -> None:
    actor = _admin(org)
    if actor is None or Invoice.objects.filter(organization=org, purpose=Invoice.Purpose.MANUAL).exists():
        return
    _settings(org, key)
    customers = list(Customer.objects.filter(organization=org, anonymised_at__isnull=True).order_by("number")[:4])
    if not customers:
        return
    issued: list[Invoice] = []
    manual = [
        ("Reinigung Innenraum (starke Verschmutzung)", "89.00", "19"),
        ("Ersatzschlüssel", "45.00", "19"),
        ("Mautgebühren Österreich", "12.40", "0"),
    ]
    for n, customer in enumerate(customers[:3]):
        description, gross, rate = manual[n]
        draft = invoice_draft_create(
            actor=actor,
            customer=customer,
            lines=[_line(description, gross, rate)],
            service_start=timezone.localdate() - dt.timedelta(days=10 + n),
            note="",
        )
        issued.append(invoice_issue(actor=actor, invoice=draft))
    # A draft staff are still working on.
    invoice_draft_create(
        actor=actor,
        customer=customers[-1],
        lines=[_line("Kindersitz (5 Tage)", "35.00"), _line("Navigationsgerät (5 Tage)", "25.00")],
    )
    returned = Contract.objects.filter(
        organization=org, status__in=[Contract.Status.CHECKED_IN, Contract.Status.SETTLED]
    )
    for contract in returned.select_related("customer", "pickup_station").prefetch_related("lines").order_by("pk")[:3]:
        lines = _contract_lines(contract)
        if not lines:
            continue
        draft = invoice_draft_create(
            actor=actor,
            customer=contract.customer,
            contract=contract,
            lines=lines,
            service_start=timezone.localdate(contract.checked_out_at or contract.starts_at),
            service_end=timezone.localdate(contract.checked_in_at or contract.ends_at) if contract.ends_at else None,
        )
        issued.append(invoice_issue(actor=actor, invoice=draft))
    credit = invoice_cancel(actor=actor, invoice=issued[1], reason="Schlüssel wurde zurückgegeben.")
    for invoice in [*issued, credit]:
        invoice_deliver(invoice=invoice)
    stdout.write(f"  {org.slug}: {len(issued)} invoices, 1 credit note, 1 draft\n")


def seed_invoices(organizations: dict, stdout) -> None:
    for key in ("koenig", "nord"):
        org = organizations.get(key)
        if org is None:
            continue
        with scope(organization=org):
            _seed_organization(org, key, stdout)

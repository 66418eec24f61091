"""What the contracts app does with a customer's rows in a merge and in a GDPR export.

Contracts are business records: they follow a merge onto the surviving customer (as customer,
as paying customer and as further driver) and are exported with their lines and drivers.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from customers.data_handlers import CustomerDataHandler, ExportPart, register
from customers.models import Customer
from customers.services.customer_data import serialize

from .models import Contract, ContractDriver


def _merge(*, survivor: Customer, other: Customer) -> int:
    org = survivor.organization_id
    moved = Contract.objects.filter(organization=org, customer=other).update(customer=survivor)
    moved += Contract.objects.filter(organization=org, payer_customer=other).update(payer_customer=survivor)
    # A contract that already names the survivor as driver keeps one row for them.
    ContractDriver.objects.filter(contract__organization=org, customer=other).filter(
        Exists(ContractDriver.objects.filter(contract=OuterRef("contract"), customer=survivor))
    ).delete()
    moved += ContractDriver.objects.filter(contract__organization=org, customer=other).update(customer=survivor)
    return moved


def _export(*, customer: Customer) -> ExportPart:
    contracts = (
        Contract.objects.filter(organization=customer.organization_id)
        .filter(Q(customer=customer) | Q(payer_customer=customer) | Q(drivers__customer=customer))
        .distinct()
        .prefetch_related("lines", "drivers", "extras")
        .order_by("starts_at")
    )
    rows = []
    for contract in contracts:
        rows.append(serialize(contract))
        # Further drivers are people of their own: a driver sees their own row, the renter all of them.
        drivers = [
            d for d in contract.drivers.all() if contract.customer_id == customer.pk or d.customer_id == customer.pk
        ]
        rows.extend(serialize(row) for row in (*contract.lines.all(), *contract.extras.all(), *drivers))
    return ExportPart(_("Contracts (as renter, paying customer or further driver) with their lines and drivers."), rows)


def register_handlers() -> None:
    register(CustomerDataHandler("contracts", (Contract, ContractDriver), _export, _merge, order=60))

"""Contacts linked to a customer follow a merge and appear in the customer's data export."""

from __future__ import annotations

from django.utils.translation import gettext as _

from customers.data_handlers import CustomerDataHandler, ExportPart, register
from customers.services.customer_data import serialize

from .models import Contact


def _export(*, customer) -> ExportPart:
    rows = [serialize(c) for c in Contact.objects.filter(organization=customer.organization_id, customer=customer)]
    return ExportPart(_("Contacts of dealer cases"), rows)


def _merge(*, survivor, other) -> int:
    return Contact.objects.filter(organization=survivor.organization_id, customer=other).update(customer=survivor)


def register_handlers() -> None:
    register(CustomerDataHandler("fleetback_contacts", (Contact,), _export, _merge, order=70))

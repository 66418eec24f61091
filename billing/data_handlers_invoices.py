"""What billing does with a customer's invoices in a merge and in a GDPR export.

Invoices are documents that went out under the customer's name and are kept unchanged for years
(the immutability trigger refuses any rewrite), so a customer with invoices cannot be merged away:
the merge is refused with the reason, before anything is written. The export lists every document
with its lines and includes the stored PDFs.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from customers.data_handlers import CustomerDataHandler, ExportPart, register
from customers.models import Customer
from customers.services.customer_data import serialize

from .models import Invoice


def _merge_refusal(*, survivor: Customer, other: Customer) -> str | None:
    count = Invoice.objects.filter(organization=other.organization_id, customer=other).count()
    if not count:
        return None
    return _("Invoices keep their customer: %(name)s has %(count)d invoices or credit notes.") % {
        "name": other.display_name,
        "count": count,
    }


def _merge(*, survivor: Customer, other: Customer) -> int:
    return 0  # nothing to move: a customer with invoices is refused above


def _export(*, customer: Customer) -> ExportPart:
    invoices = (
        Invoice.objects.filter(organization=customer.organization_id)
        .filter(Q(customer=customer))
        .prefetch_related("lines")
        .order_by("issue_date", "pk")
    )
    rows, files = [], []
    for invoice in invoices:
        rows.append(serialize(invoice))
        rows.extend(serialize(line) for line in invoice.lines.all())
        if invoice.pdf:
            files.append((f"invoices/{invoice.pdf.name.rsplit('/', 1)[-1]}", invoice.pdf.name))
    return ExportPart(_("Invoices and credit notes with their lines and PDFs."), rows, files)


def register_handlers() -> None:
    register(CustomerDataHandler("invoices", (Invoice,), _export, _merge, merge_refusal=_merge_refusal, order=70))


def _deletion_refusal(*, customer: Customer) -> str | None:
    if Invoice.objects.filter(organization=customer.organization_id, customer=customer).exists():
        return _("The customer has invoices, which must be kept; the customer cannot be deleted.")
    return None


def register_deletion_veto() -> None:
    from customers.signals import customer_deletion

    customer_deletion.register(_deletion_refusal)

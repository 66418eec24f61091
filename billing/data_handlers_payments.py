"""What billing's payment rows do when customers are merged, and what a GDPR export shows of them.

Payments, deposit holds and refunds are business records: they follow a merge onto the surviving
customer. Stored cards and the provider's customer are not ours to merge: a card belongs to the
other person's customer at the provider, so off-session charges under the survivor would be
refused. The other customer's cards therefore move as removed (kept for the record, never charged
again) and their provider customer row goes (the record at the provider stays). The export leaves
out provider ids and client secrets (they are keys to the provider's objects).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from customers.data_handlers import CustomerDataHandler, ExportPart, register
from customers.models import Customer
from customers.services.customer_data import serialize

from .models import DepositHold, Invoice, Payment, ProviderCustomer, StoredCard

SECRETS = {"provider_id", "client_secret", "pay_token"}


def _merge(*, survivor: Customer, other: Customer) -> int:
    org = survivor.organization_id
    moved = Payment.objects.filter(organization=org, customer=other).update(customer=survivor)
    moved += DepositHold.objects.filter(organization=org, customer=other).update(customer=survivor)
    cards = StoredCard.objects.filter(organization=org, customer=other)
    cards.filter(removed_at__isnull=True).update(removed_at=timezone.now())
    # The same card stored for both stays once (the survivor's row).
    cards.filter(provider_id__in=StoredCard.objects.filter(customer=survivor).values("provider_id")).delete()
    moved += cards.update(customer=survivor)
    ProviderCustomer.objects.filter(organization=org, customer=other).delete()
    return moved


def _export(*, customer: Customer) -> ExportPart:
    org = customer.organization_id
    rows = [serialize(card, exclude=SECRETS) for card in StoredCard.objects.filter(organization=org, customer=customer)]
    for payment in Payment.objects.filter(organization=org, customer=customer).prefetch_related("refunds"):
        rows.append(serialize(payment, exclude=SECRETS))
        rows.extend(serialize(refund, exclude=SECRETS) for refund in payment.refunds.all())
    for hold in DepositHold.objects.filter(organization=org, customer=customer).prefetch_related("deductions"):
        rows.append(serialize(hold, exclude=SECRETS))
        rows.extend(serialize(deduction) for deduction in hold.deductions.all())
    return ExportPart(_("Stored cards (brand, last digits, expiry), card payments, refunds and deposits."), rows)


def _invoices_refusal(*, survivor: Customer, other: Customer) -> str | None:
    """Issued invoices are immutable and name their recipient: the customer who has them stays."""
    if Invoice.objects.filter(organization=other.organization_id, customer=other).exists():
        return _("%(name)s has invoices; they keep their customer, so merge the other way round.") % {
            "name": other.display_name
        }
    return None


def _invoices_export(*, customer: Customer) -> ExportPart:
    rows = []
    for invoice in Invoice.objects.filter(organization=customer.organization_id, customer=customer).prefetch_related(
        "lines"
    ):
        rows.append(serialize(invoice))
        rows.extend(serialize(line) for line in invoice.lines.all())
    return ExportPart(_("Invoices and credit notes with their lines."), rows)


def register_handlers() -> None:
    # Until binv's own handler for invoices replaces it (key "billing_invoices", replaces=True).
    register(
        CustomerDataHandler("billing_invoices", (Invoice,), _invoices_export, merge_refusal=_invoices_refusal, order=74)
    )
    register(
        CustomerDataHandler(
            "billing_payments", (Payment, DepositHold, StoredCard, ProviderCustomer), _export, _merge, order=75
        )
    )

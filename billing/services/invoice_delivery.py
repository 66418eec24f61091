"""After issue: the document's PDF, stored once, and its e-mail to the invoice address, queued once.

Runs in a worker (`billing.tasks.invoices.invoice_deliver`, enqueued on commit by `invoice_issue`)
and again from the periodic sweep for documents whose delivery never ran (broker down at issue).
Each step is recorded on the invoice (`pdf`/`pdf_generated_at`, `email_message`, the bookkeeping
columns the immutability trigger leaves writable) under a row lock, so runs that overlap — a
retry, the sweep and a late original — find the work done and leave one PDF and one message.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from contracts.pricing import money
from rentoffice.authorization import require, require_all_stations, require_station
from rentoffice.models import Membership, Organization, OutboundMessage
from rentoffice.outbox import message_queue

from ..models import Invoice
from ..pdf import invoice_pdf_render

logger = logging.getLogger(__name__)

MESSAGE_TEMPLATE = "invoice"
# The sweep leaves fresh documents to their own task and gives up on very old ones.
SWEEP_GRACE = dt.timedelta(minutes=10)
SWEEP_WINDOW = dt.timedelta(days=7)
SWEEP_BATCH = 200


def invoice_pdf_filename(invoice: Invoice) -> str:
    stem = "credit-note" if invoice.kind == Invoice.Kind.CREDIT_NOTE else "invoice"
    return get_valid_filename(f"{stem}-{invoice.number or invoice.pk}.pdf")


def invoice_message_context(*, invoice: Invoice, language: str) -> dict[str, str]:
    """The e-mail's values as plain text in the recipient's language (they also fill adapted texts)."""
    with translation.override(language):
        return {
            "customer_name": str(invoice.recipient.get("name", "")),
            "invoice_number": invoice.number,
            "document_kind": str(invoice.get_kind_display()),
            "invoice_date": formats.date_format(invoice.issue_date, "SHORT_DATE_FORMAT") if invoice.issue_date else "",
            "amount": money(abs(invoice.gross_total)),
            "due_date": formats.date_format(invoice.due_date, "SHORT_DATE_FORMAT") if invoice.due_date else "",
            "contract_number": invoice.contract.number if invoice.contract_id else "",  # type: ignore[union-attr]
        }


def invoice_deliver(*, invoice: Invoice) -> None:
    """Store the PDF if missing, then queue the e-mail if it was asked for and not yet queued.

    Safe to run any number of times; a draft is left alone. A recipient without an invoice address
    gets no message (the PDF is still stored; staff send it from the invoice page once there is one).
    """
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = (
                Invoice.objects.select_for_update(of=("self",))
                .select_related("organization", "contract")
                .get(pk=invoice.pk, organization_id=invoice.organization_id)
            )
            if locked.is_draft:
                logger.info("invoice %s: a draft, nothing to deliver", locked.pk)
                return
            if not locked.pdf:
                stored.append(_store_pdf(locked))
            if locked.email_requested and locked.email_message_id is None and locked.recipient_email:
                locked.email_message = _queue_email(locked)
                locked.save(update_fields=["email_message", "updated_at"])
    except BaseException:
        # Nothing points to a file written in a transaction that did not commit.
        for name in stored:
            default_storage.delete(name)
        raise
    invoice.refresh_from_db(fields=["pdf", "pdf_generated_at", "email_message"])


def _store_pdf(invoice: Invoice) -> str:
    content = invoice_pdf_render(invoice=invoice)
    invoice.pdf.save(invoice_pdf_filename(invoice), ContentFile(content), save=False)
    invoice.pdf_generated_at = timezone.now()
    invoice.save(update_fields=["pdf", "pdf_generated_at", "updated_at"])
    return invoice.pdf.name


def _queue_email(invoice: Invoice) -> OutboundMessage:
    language = invoice.language or "de"
    return message_queue(
        organization=invoice.organization,
        recipient=invoice.recipient_email,
        template=MESSAGE_TEMPLATE,
        context=invoice_message_context(invoice=invoice, language=language),
        language=language,
        related=invoice,
        attachments=[
            {"name": invoice_pdf_filename(invoice), "path": invoice.pdf.name, "content_type": "application/pdf"}
        ],
    )


def invoice_send(*, actor: Membership, invoice: Invoice) -> OutboundMessage:
    """Send the document again, always to the invoice address copied at issue (`billing.change`)."""
    require(actor, "billing.change", organization_id=invoice.organization_id)
    if invoice.station_id is None:
        require_all_stations(actor)
    else:
        require_station(actor, invoice.station_id)
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = (
                Invoice.objects.select_for_update(of=("self",))
                .select_related("organization", "contract")
                .get(pk=invoice.pk, organization_id=invoice.organization_id)
            )
            if locked.is_draft:
                raise ValidationError(_("A draft cannot be sent; issue it first."))
            if not locked.recipient_email:
                raise ValidationError(_("The invoice has no e-mail address of the recipient."))
            if not locked.pdf:
                stored.append(_store_pdf(locked))
            message = _queue_email(locked)
            if locked.email_message_id is None:
                locked.email_message = message
                locked.save(update_fields=["email_message", "updated_at"])
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return message


def invoices_undelivered(*, organization: Organization, now: dt.datetime | None = None) -> QuerySet[Invoice]:
    """Documents issued in the last days whose PDF or asked-for e-mail is still missing."""
    now = now or timezone.now()
    return (
        Invoice.objects.filter(
            organization=organization,
            status=Invoice.Status.ISSUED,
            issued_at__gte=now - SWEEP_WINDOW,
            issued_at__lt=now - SWEEP_GRACE,
        )
        .filter(Q(pdf="") | Q(email_requested=True, email_message__isnull=True) & ~Q(recipient_email=""))
        .order_by("issued_at", "pk")
    )


def invoices_deliver_pending(*, organization: Organization) -> int:
    """The sweep: deliver what a lost task left undone. Returns how many documents it looked at."""
    count = 0
    for invoice in invoices_undelivered(organization=organization)[:SWEEP_BATCH]:
        try:
            invoice_deliver(invoice=invoice)
        except Exception:
            logger.exception("invoice %s: delivery failed in the sweep", invoice.pk)
        count += 1
    return count

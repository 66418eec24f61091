"""The invoice or credit note as PDF (WeasyPrint), with a fetcher that reads only our own files.

What an invoice prints comes partly from people outside our control (a customer's name, an invoice
recipient text, a line's description), so the renderer must never read the server's disk (`file:`),
reach the network or embed another organization's files. The template never names a storage path
or a real URL: the only resource is the organization's logo, handed to it under an opaque
`https://rentoffice.invalid/stored/<n>` address that `InvoiceURLFetcher` answers from storage
(protocols/pdf.py does the same). Everything else is refused and left out; text is escaped.

The PDF prints the copies taken at issue (sender, recipient, lines, totals) — never the
organization's or customer's current data — plus the payment status at the moment it is made.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint.urls import URLFetcher, URLFetcherResponse

from protocols.pdf import BASE_URL, StoredFiles

from .models import Invoice, InvoiceLine, Payment

logger = logging.getLogger(__name__)


class InvoiceURLFetcher(URLFetcher):
    """Serves the registered stored files of one rendering (the logo); refuses every other URL."""

    def __init__(self, files: StoredFiles):
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.files = files

    def fetch(self, url, headers=None):
        stored = self.files.get(url)
        if stored is None:
            logger.info("invoice PDF resource refused", extra={"url": str(url)[:200]})
            raise ValueError(f"resource refused: {str(url)[:200]}")
        with stored.open("rb") as handle:
            content = handle.read()
        kind = "image/png" if content.startswith(b"\x89PNG") else "image/jpeg"
        return URLFetcherResponse(url, content, {"Content-Type": kind})


@dataclass(frozen=True)
class VatRow:
    rate: Decimal
    net: Decimal
    vat: Decimal
    gross: Decimal


def vat_rows_of(lines: Iterable[InvoiceLine]) -> list[VatRow]:
    """Net, VAT and gross per rate, from the stored lines (which the page and the PDF both show)."""
    sums: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal("0.00")] * 3)
    for line in lines:
        row = sums[line.vat_rate]
        row[0] += line.net
        row[1] += line.vat
        row[2] += line.gross
    return [VatRow(rate, *values) for rate, values in sorted(sums.items())]


def _card_payment(invoice: Invoice) -> Payment | None:
    """The card payment that settled the invoice, if it was paid by card."""
    if invoice.payment_status != Invoice.PaymentStatus.PAID:
        return None
    return (
        Payment.objects.filter(
            organization_id=invoice.organization_id,
            invoice=invoice,
            state=Payment.State.SUCCEEDED,
            method__in=(Payment.Method.CARD, Payment.Method.STORED_CARD),
        )
        .order_by("-succeeded_at", "-pk")
        .first()
    )


def invoice_pdf_context(*, invoice: Invoice, files: StoredFiles) -> dict:
    lines = list(invoice.lines.all())
    return {
        "invoice": invoice,
        "lines": lines,
        "vat_rows": vat_rows_of(lines),
        "sender": invoice.sender,
        "recipient": invoice.recipient,
        "logo_src": files.url_for(invoice.organization.logo),
        "card_payment": _card_payment(invoice),
        "is_credit_note": invoice.kind == Invoice.Kind.CREDIT_NOTE,
        "generated_at": timezone.localtime(),
    }


@functools.cache
def _font_config():
    """One font configuration per process: building it is a tenth of a render, and the template
    uses only system fonts (no @font-face), so nothing of one document stays in it for the next."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def invoice_pdf_render(*, invoice: Invoice) -> bytes:
    """The document as PDF, in the language it was issued in (the recipient's)."""
    from weasyprint import HTML

    full = Invoice.objects.select_related("organization", "corrects", "contract").get(
        pk=invoice.pk, organization_id=invoice.organization_id
    )
    files = StoredFiles()
    with translation.override(full.language or "de"):
        html = render_to_string("billing/invoices/pdf/invoice.html", invoice_pdf_context(invoice=full, files=files))
    return HTML(string=html, base_url=BASE_URL, url_fetcher=InvoiceURLFetcher(files)).write_pdf(
        font_config=_font_config()
    )

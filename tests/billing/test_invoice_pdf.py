"""The invoice PDF as the customer receives it (read back with pdftotext), its delivery once in a
worker, and a renderer that never reads files or the network for text a customer typed."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from PIL import Image

from billing.models import Invoice
from billing.pdf import BASE_URL, InvoiceURLFetcher, invoice_pdf_render
from billing.services import invoice_delivery
from billing.services.invoice_delivery import invoice_deliver, invoice_send, invoices_deliver_pending
from billing.services.invoice_status import invoice_payment_status_refresh
from billing.services.invoices import invoice_cancel
from protocols.pdf import StoredFiles
from rentoffice.models import OutboundMessage
from rentoffice.outbox import message_send
from tests.actors import admin_of
from tests.billing.invoice_data import *  # noqa: F403  (the fixtures)
from tests.billing.invoice_data import fresh, issued, line, payment
from tests.customers.conftest import make_customer

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


def pdf_image_count(pdf: bytes) -> int:
    result = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True)
    return len(result.stdout.decode().splitlines()) - 2


@pytest.fixture
def org_details(org_a):
    org_a.street, org_a.postal_code, org_a.city = "Hauptstr. 5", "80331", "München"
    org_a.vat_id, org_a.tax_number = "DE123456789", "143/123/45678"
    org_a.save()
    return org_a


def render(invoice) -> str:
    with scopes_disabled():
        return pdf_text(invoice_pdf_render(invoice=Invoice.objects.get(pk=invoice.pk)))


def test_invoice_pdf_shows_sender_recipient_lines_vat_per_rate_and_due_date(
    org_details, billing_a, inv_customer, inv_contract
):
    invoice = issued(
        inv_customer,
        contract=inv_contract,
        lines=[line("Miete Kompakt", "119.00"), line("Kindersitz", "21.40", "7")],
        service_start=timezone.localdate(),
    )
    text = render(invoice)
    for expected in (
        "Rechnung RE-2026-1",
        "Autohaus A",
        "Hauptstr. 5",
        "USt-IdNr. DE123456789",
        "Steuernummer 143/123/45678",
        "Jürgen Müller",
        "Leopoldstraße 1",
        "80802 München",
        inv_contract.number,
        "Miete Kompakt",
        "Kindersitz",
        "Netto zu 7 % USt. 20,00 €",
        "USt. 7 % 1,40 €",
        "Netto zu 19 % USt. 100,00 €",
        "USt. 19 % 19,00 €",
        "Summe brutto 140,40 €",
        "Zahlbar innerhalb von 14 Tagen ohne Abzug.",
        f"Fällig am {(timezone.localdate() + dt.timedelta(days=14)):%d.%m.%Y}.",
        "IBAN DE89370400440532013000",
        "Geschäftsführer: Max König",
    ):
        assert expected in text, expected


def test_paid_by_card_shows_the_day_instead_of_the_due_date(org_a, inv_customer):
    invoice = issued(inv_customer, lines=[line("Miete", "59.50")])
    paid_on = timezone.now() - dt.timedelta(days=2)
    payment(invoice, "59.50", method="card", when=paid_on)
    with scope(organization=org_a):
        invoice_payment_status_refresh(invoice=invoice)
    text = render(invoice)
    assert f"Per Karte bezahlt am {timezone.localtime(paid_on):%d.%m.%Y}." in text
    assert "Fällig am" not in text


def test_credit_note_says_which_invoice_it_corrects(org_a, inv_customer):
    invoice = issued(inv_customer, lines=[line("Miete", "119.00")])
    with scope(organization=org_a):
        credit = invoice_cancel(actor=admin_of(org_a), invoice=invoice, reason="Doppelt berechnet")
    text = render(credit)
    day = invoice.issue_date.strftime("%d.%m.%Y")
    assert f"Gutschrift {credit.number}" in text
    assert f"Diese Gutschrift korrigiert die Rechnung {invoice.number} vom {day}." in text
    assert "-119,00 €" in text and "Doppelt berechnet" in text


def test_english_customer_gets_an_english_pdf(org_a, inv_customer):
    customer = make_customer(org_a, last_name="Smith", language_code="en", email="smith@example.com")
    text = render(issued(customer, lines=[line("Rent", "119.00")]))
    assert "Invoice" in text and "Payable within 14 days without deduction." in text and "Rechnung" not in text


def test_markup_is_printed_and_no_file_or_url_is_fetched(org_a, inv_customer, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    hostile = f'<img src="file://{secret}"><b>Fett</b><link rel=stylesheet href="http://127.0.0.1:9/x.css">'
    customer = make_customer(org_a, last_name=hostile[:100], email="h@example.com")
    invoice = issued(customer, lines=[line(hostile[:200], "10.00")])
    with scopes_disabled():
        pdf = invoice_pdf_render(invoice=Invoice.objects.get(pk=invoice.pk))
    text = pdf_text(pdf)
    assert "<b>Fett</b>" in text and "TOPSECRET" not in text
    assert pdf_image_count(pdf) == 0
    fetcher = InvoiceURLFetcher(StoredFiles())
    for url in (f"file://{secret}", "http://127.0.0.1:9/x.css", f"{BASE_URL}stored/1", "data:text/plain,x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_the_organizations_logo_is_embedded(org_a, inv_customer):
    logo = io.BytesIO()
    Image.new("RGB", (300, 90), (200, 20, 20)).save(logo, "PNG")
    with scopes_disabled():
        org_a.logo.save("logo.png", ContentFile(logo.getvalue()), save=True)
    invoice = issued(inv_customer)
    with scopes_disabled():
        assert pdf_image_count(invoice_pdf_render(invoice=Invoice.objects.get(pk=invoice.pk))) == 1


# --- delivery ---


def _messages(org):
    with scopes_disabled():
        return list(OutboundMessage.objects.filter(organization=org, template="invoice").order_by("pk"))


def test_delivery_stores_the_pdf_once_and_queues_one_email_with_it(org_a, inv_customer):
    invoice = issued(inv_customer, lines=[line("Miete", "119.00")])
    with scope(organization=org_a):
        invoice_deliver(invoice=invoice)
        first_pdf = fresh(invoice).pdf.name
        invoice_deliver(invoice=invoice)
        after = fresh(invoice)
    assert first_pdf and after.pdf.name == first_pdf and after.pdf_generated_at
    (message,) = _messages(org_a)
    assert after.email_message_id == message.pk
    assert message.recipient == "rechnung@mueller.example"
    assert message.subject == f"Ihre Rechnung {invoice.number}"
    assert "119,00 €" in message.body_text and "Guten Tag Jürgen Müller" in message.body_text
    assert message.attachments[0]["path"] == first_pdf
    with scope(organization=org_a):
        assert message_send(organization=org_a, message_id=message.pk)
    sent = mail.outbox[-1]
    assert sent.to == ["rechnung@mueller.example"]
    assert sent.attachments[0][0] == f"invoice-{invoice.number}.pdf"
    assert sent.attachments[0][1].startswith(b"%PDF")


def test_issue_without_send_stores_only_the_pdf(org_a, inv_customer):
    invoice = issued(inv_customer, send=False)
    with scope(organization=org_a):
        invoice_deliver(invoice=invoice)
    assert fresh(invoice).pdf and _messages(org_a) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("concurrency")
def test_concurrent_deliveries_leave_one_pdf_and_one_message(org_a, inv_customer, settings):
    invoice = issued(inv_customer)
    barrier = threading.Barrier(3)
    errors = []

    def run():
        try:
            barrier.wait(timeout=30)
            with scope(organization=org_a):
                invoice_deliver(invoice=Invoice.objects.get(pk=invoice.pk))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(_messages(org_a)) == 1
    folder = Path(settings.MEDIA_ROOT) / f"org_{org_a.pk}" / "invoices" / str(invoice.pk)
    assert [p.name for p in folder.iterdir()] == [Path(fresh(invoice).pdf.name).name]


def test_sweep_delivers_what_a_lost_task_left(org_a, inv_customer):
    lost = issued(inv_customer)
    fresh_one = issued(inv_customer)
    # issued_at is part of the document (the trigger keeps it), so the sweep looks from later on
    later = timezone.now() + dt.timedelta(minutes=11)
    with scope(organization=org_a):
        assert {i.pk for i in invoice_delivery.invoices_undelivered(organization=org_a, now=later)} == {
            lost.pk,
            fresh_one.pk,
        }
        assert invoice_delivery.invoices_undelivered(organization=org_a).count() == 0  # too fresh
        for invoice in invoice_delivery.invoices_undelivered(organization=org_a, now=later):
            invoice_deliver(invoice=invoice)
        assert invoice_delivery.invoices_undelivered(organization=org_a, now=later).count() == 0
        assert invoices_deliver_pending(organization=org_a) == 0
    assert len(_messages(org_a)) == 2


def test_send_again_goes_to_the_invoice_address_copied_at_issue(org_a, inv_customer):
    invoice = issued(inv_customer)
    with scopes_disabled():
        inv_customer.email_invoices = "neu@mueller.example"
        inv_customer.save()
    with scope(organization=org_a):
        invoice_deliver(invoice=invoice)
        again = invoice_send(actor=admin_of(org_a), invoice=fresh(invoice))
    assert again.recipient == "rechnung@mueller.example"
    assert len(_messages(org_a)) == 2 and fresh(invoice).email_message_id != again.pk


def test_send_makes_the_pdf_when_the_worker_has_not_yet(org_a, inv_customer):
    invoice = issued(inv_customer, send=False)
    with scope(organization=org_a):
        message = invoice_send(actor=admin_of(org_a), invoice=invoice)
    assert fresh(invoice).pdf and message.attachments[0]["path"] == fresh(invoice).pdf.name
    assert Decimal(fresh(invoice).gross_total) == Decimal("119.00")

"""An issued invoice cannot change: the services refuse it, and so does the database — for the ORM
and for raw SQL alike. Only the bookkeeping columns (PDF, e-mail, payment status) may be written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_scopes import scope

from billing.models import Invoice, InvoiceLine
from tests.billing.invoice_data import *  # noqa: F403  (the fixtures)
from tests.billing.invoice_data import draft, fresh, issued, line

pytestmark = pytest.mark.django_db


def refused(action) -> None:
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        action()
    assert "issued" in str(exc.value)


def raw(sql: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_orm_update_and_delete_of_an_issued_invoice_are_refused(org_a, inv_customer):
    invoice = issued(inv_customer, lines=[line("Miete", "119.00")])
    with scope(organization=org_a):
        row = Invoice.objects.get(pk=invoice.pk)
        row.gross_total = Decimal("1.00")
        refused(row.save)
        refused(lambda: Invoice.objects.filter(pk=invoice.pk).update(number="RE-999"))
        refused(lambda: Invoice.objects.filter(pk=invoice.pk).update(status="draft"))
        refused(lambda: Invoice.objects.filter(pk=invoice.pk).update(recipient={"name": "Jemand anders"}))
        refused(lambda: Invoice.objects.get(pk=invoice.pk).delete())
        line_row = InvoiceLine.objects.get(invoice=invoice)
        line_row.gross = Decimal("1.00")
        refused(line_row.save)
        refused(line_row.delete)
        refused(
            lambda: InvoiceLine.objects.create(
                invoice=invoice, description="neu", unit_price=1, vat_rate=19, net=1, vat=0, gross=1
            )
        )
    after = fresh(invoice)
    assert (after.number, after.gross_total, after.status) == (invoice.number, Decimal("119.00"), "issued")


def test_raw_sql_is_refused_too(org_a, inv_customer):
    invoice = issued(inv_customer, lines=[line("Miete", "119.00")])
    refused(lambda: raw("UPDATE billing_invoice SET gross_total = 0 WHERE id = %s", invoice.pk))
    refused(lambda: raw("UPDATE billing_invoice SET customer_id = customer_id, note = 'x' WHERE id = %s", invoice.pk))
    refused(lambda: raw("DELETE FROM billing_invoice WHERE id = %s", invoice.pk))
    refused(lambda: raw("UPDATE billing_invoiceline SET gross = 0 WHERE invoice_id = %s", invoice.pk))
    refused(lambda: raw("DELETE FROM billing_invoiceline WHERE invoice_id = %s", invoice.pk))
    refused(
        lambda: raw(
            "INSERT INTO billing_invoiceline (invoice_id, position, kind, description, explanation, quantity, unit,"
            " unit_price, vat_rate, net, vat, gross) VALUES (%s, 9, 'free', 'x', '', 1, '', 1, 19, 1, 0, 1)",
            invoice.pk,
        )
    )
    assert fresh(invoice).gross_total == Decimal("119.00")


def test_bookkeeping_columns_stay_writable(org_a, inv_customer):
    invoice = issued(inv_customer)
    with scope(organization=org_a):
        moment = timezone.now()
        Invoice.objects.filter(pk=invoice.pk).update(
            payment_status="paid", paid_at=moment, pdf="org/invoices/x.pdf", pdf_generated_at=moment
        )
    after = fresh(invoice)
    assert (after.payment_status, after.pdf.name) == ("paid", "org/invoices/x.pdf")


def test_drafts_stay_editable_and_deletable_in_the_database(org_a, inv_customer):
    invoice = draft(inv_customer)
    raw("UPDATE billing_invoiceline SET description = 'anders' WHERE invoice_id = %s", invoice.pk)
    raw("UPDATE billing_invoice SET note = 'Hinweis' WHERE id = %s", invoice.pk)
    with scope(organization=org_a):
        Invoice.objects.get(pk=invoice.pk).delete()
        assert not Invoice.objects.filter(pk=invoice.pk).exists()

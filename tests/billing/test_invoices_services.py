"""Invoice services: drafts, issuing with copies of sender and recipient, billing's own flows,
cancelling by credit note, payment status — as other apps and the pages call them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from billing.models import BillingSettings, Invoice, InvoiceLine
from billing.services.invoice_lines import LineSpec
from billing.services.invoice_status import invoice_payment_status_refresh
from billing.services.invoices import (
    billing_settings_get,
    billing_settings_save,
    invoice_cancel,
    invoice_create_and_issue,
    invoice_draft_delete,
    invoice_draft_update,
    invoice_issue,
)
from contracts.pricing import PricedLine
from tests.actors import admin_of, membership_of
from tests.billing.invoice_data import *  # noqa: F403  (the fixtures)
from tests.billing.invoice_data import draft, fresh, issued, line, payment, refund, today
from tests.conftest import make_member
from tests.customers.conftest import make_customer

pytestmark = pytest.mark.django_db


# --- lines ---


def test_gross_amount_splits_net_and_vat_rounded_half_up():
    spec = LineSpec.gross_amount(kind="damage", description="Kratzer", gross=Decimal("150"), vat_rate=Decimal("19"))
    assert (spec.net, spec.gross, spec.vat) == (Decimal("126.05"), Decimal("150.00"), Decimal("23.95"))
    # 0.005 rounds up, as pricing does: 10.00 gross at 7 % → 9.345794 → 9.35 net
    assert LineSpec.gross_amount(kind="free", description="x", gross=Decimal("10"), vat_rate=Decimal("7")).net == (
        Decimal("9.35")
    )
    negative = LineSpec.gross_amount(kind="advance", description="Anzahlung", gross=Decimal("-59.50"), vat_rate=19)
    assert (negative.net, negative.vat) == (Decimal("-50.00"), Decimal("-9.50"))


def test_from_priced_keeps_every_value():
    priced = PricedLine(
        kind="rent",
        description="Miete",
        explanation="3 Tage",
        quantity=Decimal("3"),
        unit="day",
        unit_price=Decimal("49.900"),
        vat_rate=Decimal("19"),
        net=Decimal("125.80"),
        gross=Decimal("149.70"),
    )
    spec = LineSpec.from_priced(priced)
    assert (spec.kind, spec.description, spec.explanation, spec.quantity, spec.unit) == (
        "rent",
        "Miete",
        "3 Tage",
        Decimal("3"),
        "day",
    )
    assert (spec.unit_price, spec.net, spec.gross, spec.vat) == (
        Decimal("49.900"),
        Decimal("125.80"),
        Decimal("149.70"),
        Decimal("23.90"),
    )


# --- settings ---


def test_settings_default_to_the_organizations_prefix_when_no_row(org_a):
    with scope(organization=org_a):
        org_a.invoice_number_prefix = "AK-"
        found = billing_settings_get(organization=org_a)
        assert found.pk is None and found.invoice_prefix == "AK-" and found.payment_terms_days == 14


def test_settings_save_needs_billing_change_and_organization_manage(org_a, station_a1, staff_a1, billing_a):
    with scope(organization=org_a):
        billing_a.payment_terms_days = 30
        with pytest.raises(PermissionDenied):
            billing_settings_save(actor=membership_of(staff_a1, org_a), settings=billing_a)
        billing_a.invoice_prefix = "RE 2026 <x>"
        with pytest.raises(ValidationError) as exc:
            billing_settings_save(actor=admin_of(org_a), settings=billing_a)
        assert "invoice_prefix" in exc.value.message_dict
        assert BillingSettings.objects.get(pk=billing_a.pk).invoice_prefix == "RE-2026-"


# --- issuing ---


def test_issue_numbers_and_copies_sender_recipient_and_terms(org_a, billing_a, inv_customer, inv_contract):
    org_a.street, org_a.postal_code, org_a.city, org_a.vat_id = "Hauptstr. 5", "80331", "München", "DE123456789"
    org_a.save()
    invoice = issued(inv_customer, contract=inv_contract, lines=[line("Miete", "119.00"), line("Kaffee", "10.70", "7")])
    with scope(organization=org_a):
        invoice = Invoice.objects.get(pk=invoice.pk)
        assert invoice.status == Invoice.Status.ISSUED and invoice.number == "RE-2026-1"
        assert invoice.issue_date == today() and invoice.due_date == today() + dt.timedelta(days=14)
        assert invoice.language == "de" and invoice.payment_terms == "Zahlbar innerhalb von 14 Tagen ohne Abzug."
        assert (invoice.net_total, invoice.vat_total, invoice.gross_total) == (
            Decimal("110.00"),
            Decimal("19.70"),
            Decimal("129.70"),
        )
        assert invoice.sender["name"] == "Autohaus A" and invoice.sender["vat_id"] == "DE123456789"
        assert invoice.sender["lines"] == ["Hauptstr. 5", "80331 München"]
        assert invoice.sender["iban"] == "DE89370400440532013000"
        assert invoice.recipient["name"] == "Jürgen Müller"
        assert invoice.recipient["lines"] == ["Leopoldstraße 1", "80802 München"]
        assert invoice.recipient_email == "rechnung@mueller.example"  # the invoice address wins
        assert invoice.station_id == inv_contract.pickup_station_id
        assert invoice.payment_status == Invoice.PaymentStatus.OPEN
        # a later address change leaves the document as it went out
        inv_customer.street = "Neue Straße 9"
        inv_customer.save()
        assert Invoice.objects.get(pk=invoice.pk).recipient["lines"][0] == "Leopoldstraße 1"
    second = issued(inv_customer)
    assert second.number == "RE-2026-2"


def test_recipient_is_the_paying_customer_or_the_invoice_recipient_text(org_a, inv_customer, inv_contract):
    payer = make_customer(
        org_a, kind="legal_entity", company="Versicherung AG", last_name="", email="schaden@vers.example"
    )
    with scopes_disabled():
        inv_contract.payer_customer = payer
        inv_contract.save()
    invoice = issued(inv_customer, contract=inv_contract)
    assert invoice.recipient["name"] == "Versicherung AG" and invoice.recipient_email == "schaden@vers.example"
    other = make_customer(
        org_a,
        last_name="Schmidt",
        email="s@example.com",
        invoice_recipient="Firma Schmidt GmbH\nPostfach 12\n10115 Berlin",
    )
    invoice = issued(other)
    assert invoice.recipient["name"] == "Firma Schmidt GmbH"
    assert invoice.recipient["lines"] == ["Postfach 12", "10115 Berlin"]
    assert invoice.recipient_email == "s@example.com"


def test_issue_without_lines_or_with_a_negative_total_is_refused(org_a, inv_customer):
    empty = draft(inv_customer, lines=[])
    negative = draft(inv_customer, lines=[line("Gutschrift", "-10.00")])
    with scope(organization=org_a):
        for document in (empty, negative):
            with pytest.raises(ValidationError):
                invoice_issue(actor=admin_of(org_a), invoice=document)
            assert Invoice.objects.get(pk=document.pk).status == Invoice.Status.DRAFT
        assert not Invoice.objects.exclude(number="").exists()


def test_bad_lines_are_field_errors_and_nothing_is_written(org_a, inv_customer):
    invoice = draft(inv_customer)
    bad = [
        LineSpec(kind="free", description="", quantity=1, unit="", unit_price=1, vat_rate=19, net=1, gross=1),
        LineSpec(kind="free", description="x\x00", quantity=1, unit="", unit_price=1, vat_rate=19, net=1, gross=1),
        LineSpec(kind="nope", description="x", quantity=1, unit="", unit_price=1, vat_rate=19, net=1, gross=1),
        LineSpec(kind="free", description="x", quantity=1, unit="", unit_price=1, vat_rate=190, net=1, gross=1),
        LineSpec(kind="free", description="x", quantity=1, unit="", unit_price=1, vat_rate=19, net="1.001", gross=1),
        LineSpec(kind="free", description="x", quantity=1, unit="", unit_price=1, vat_rate=19, net=1, gross="1e20"),
        LineSpec(kind="free", description="x", quantity=1, unit="", unit_price="NaN", vat_rate=19, net=1, gross=1),
    ]
    with scope(organization=org_a):
        for spec in bad:
            with pytest.raises(ValidationError) as exc:
                invoice_draft_update(actor=admin_of(org_a), invoice=invoice, lines=[line("gut"), spec])
            assert "lines" in exc.value.message_dict
        assert list(InvoiceLine.objects.filter(invoice=invoice).values_list("description", flat=True)) == ["Reinigung"]


def test_rights_billing_change_and_the_documents_station(
    org_a, station_a1, station_a2, staff_a1, biller_a1, inv_customer
):
    with scope(organization=org_a):
        with pytest.raises(PermissionDenied):  # station staff only read invoices
            draft(inv_customer, actor=membership_of(staff_a1, org_a), station=station_a1)
        biller = membership_of(biller_a1, org_a)
        with pytest.raises(PermissionDenied):
            draft(inv_customer, actor=biller, station=station_a2)
        with pytest.raises(PermissionDenied):  # no station: an organization-wide document
            draft(inv_customer, actor=biller)
        mine = draft(inv_customer, actor=biller, station=station_a1)
        invoice_issue(actor=biller, invoice=mine)
        theirs = draft(inv_customer, station=station_a2)
        for call in (
            lambda: invoice_issue(actor=biller, invoice=theirs),
            lambda: invoice_draft_update(actor=biller, invoice=theirs, lines=[line()]),
            lambda: invoice_draft_delete(actor=biller, invoice=theirs),
        ):
            with pytest.raises(PermissionDenied):
                call()
        assert Invoice.objects.get(pk=theirs.pk).is_draft


def test_another_organizations_customer_or_contract_is_refused(org_a, org_b, inv_customer, inv_contract):
    customer_b = make_customer(org_b, last_name="Hamburg")
    with scopes_disabled(), pytest.raises(PermissionDenied):
        draft(customer_b, actor=admin_of(org_a))
    with scopes_disabled():
        stranger = make_customer(org_a, last_name="Fremd")
    with pytest.raises(ValidationError) as exc:
        draft(stranger, contract=inv_contract)
    assert "contract" in exc.value.message_dict


def test_drafts_change_and_go_issued_never(org_a, inv_customer):
    invoice = draft(inv_customer)
    with scope(organization=org_a):
        updated = invoice_draft_update(
            actor=admin_of(org_a), invoice=invoice, lines=[line("A", "10.00"), line("B", "20.00")], note="Hinweis"
        )
        assert updated.gross_total == Decimal("30.00") and updated.note == "Hinweis"
        invoice_issue(actor=admin_of(org_a), invoice=updated)
        with pytest.raises(ValidationError):
            invoice_draft_update(actor=admin_of(org_a), invoice=updated, lines=[line()])
        with pytest.raises(ValidationError):
            invoice_draft_delete(actor=admin_of(org_a), invoice=updated)
        assert Invoice.objects.get(pk=updated.pk).gross_total == Decimal("30.00")
        other = draft(inv_customer)
        invoice_draft_delete(actor=admin_of(org_a), invoice=other)
        assert not Invoice.objects.filter(pk=other.pk).exists()


# --- billing's own flows ---


def test_create_and_issue_once_per_contract_for_booking_and_final(org_a, inv_customer, inv_contract):
    with scope(organization=org_a):
        first = invoice_create_and_issue(
            actor=None, customer=inv_customer, contract=inv_contract, purpose="booking", lines=[line("Miete 1 Tag")]
        )
        again = invoice_create_and_issue(
            actor=None, customer=inv_customer, contract=inv_contract, purpose="booking", lines=[line("Miete 1 Tag")]
        )
        assert again.pk == first.pk and first.status == Invoice.Status.ISSUED
        assert (first.service_start, first.service_end) == (
            timezone.localdate(inv_contract.starts_at),
            timezone.localdate(inv_contract.ends_at),
        )
        assert Invoice.objects.filter(contract=inv_contract).count() == 1
        charge1 = invoice_create_and_issue(
            actor=None, customer=inv_customer, contract=inv_contract, purpose="charge", lines=[line("Tanken", "24.00")]
        )
        charge2 = invoice_create_and_issue(
            actor=None, customer=inv_customer, contract=inv_contract, purpose="charge", lines=[line("Tanken", "24.00")]
        )
        assert charge1.pk != charge2.pk  # later charges are separate documents


def test_create_and_issue_final_credit_note_stores_negative_amounts(org_a, inv_customer, inv_contract):
    with scope(organization=org_a):
        booking = invoice_create_and_issue(
            actor=None, customer=inv_customer, contract=inv_contract, purpose="booking", lines=[line("Miete", "119.00")]
        )
        credit = invoice_create_and_issue(
            actor=None,
            customer=inv_customer,
            contract=inv_contract,
            purpose="final",
            kind=Invoice.Kind.CREDIT_NOTE,
            lines=[
                line("Miete (tatsächlich)", "59.50", kind="rent"),
                LineSpec.gross_amount(
                    kind="advance",
                    description="abzgl. Rechnung",
                    gross=Decimal("-119.00"),
                    vat_rate=19,
                    deducts=booking,
                ),
            ],
        )
        assert credit.kind == Invoice.Kind.CREDIT_NOTE and credit.gross_total == Decimal("-59.50")
        assert credit.net_total == Decimal("-50.00") and credit.due_date is None
        assert credit.lines.get(kind="advance").deducts_id == booking.pk
        with pytest.raises(ValidationError):
            invoice_create_and_issue(
                actor=None,
                customer=inv_customer,
                contract=None,
                purpose="charge",
                kind=Invoice.Kind.CREDIT_NOTE,
                corrects=booking,
                lines=[line("positiv", "5.00")],
            )


def test_create_and_issue_for_the_person_handling_the_contract(org_a, station_a2, staff_a1, inv_customer, inv_contract):
    elsewhere = membership_of(
        make_member(org_a, "a2@a.example", role_key="administrator", stations=[station_a2]), org_a
    )
    auditor = membership_of(make_member(org_a, "audit@a.example", role_key="auditor"), org_a)
    with scope(organization=org_a):
        for actor in (elsewhere, auditor):
            with pytest.raises(PermissionDenied):
                invoice_create_and_issue(
                    actor=actor, customer=inv_customer, contract=inv_contract, purpose="charge", lines=[line()]
                )
        assert not Invoice.objects.exists()
        # station staff handle their station's contracts (contracts.change), so the booking invoice is theirs
        invoice = invoice_create_and_issue(
            actor=membership_of(staff_a1, org_a),
            customer=inv_customer,
            contract=inv_contract,
            purpose="booking",
            lines=[line()],
        )
        assert invoice.status == Invoice.Status.ISSUED and invoice.issued_by_id == staff_a1.pk


# --- cancelling ---


def test_cancel_issues_a_credit_note_with_negated_lines(org_a, billing_a, inv_customer):
    invoice = issued(inv_customer, lines=[line("Miete", "119.00"), line("Kaffee", "10.70", "7")])
    with scope(organization=org_a):
        credit = invoice_cancel(actor=admin_of(org_a), invoice=invoice, reason="Falscher Empfänger")
        assert credit.kind == Invoice.Kind.CREDIT_NOTE and credit.corrects_id == invoice.pk
        assert credit.purpose == Invoice.Purpose.CANCELLATION and credit.number == "RE-2026-2"
        assert credit.note == "Falscher Empfänger"
        assert [(x.description, x.net, x.gross) for x in credit.lines.all()] == [
            ("Miete", Decimal("-100.00"), Decimal("-119.00")),
            ("Kaffee", Decimal("-10.00"), Decimal("-10.70")),
        ]
        assert credit.gross_total == -invoice.gross_total
        assert fresh(invoice).payment_status == Invoice.PaymentStatus.CREDITED
        assert credit.payment_status == Invoice.PaymentStatus.CREDITED  # nothing was paid: nothing to pay back
        with pytest.raises(ValidationError):
            invoice_cancel(actor=admin_of(org_a), invoice=invoice, reason="nochmal")
        with pytest.raises(ValidationError):
            invoice_cancel(actor=admin_of(org_a), invoice=credit, reason="Gutschrift stornieren")
        with pytest.raises(ValidationError) as exc:
            invoice_cancel(actor=admin_of(org_a), invoice=issued(inv_customer), reason="  ")
        assert "reason" in exc.value.message_dict


# --- payment status ---


def test_payment_status_follows_payments_minus_refunds(org_a, inv_customer):
    invoice = issued(inv_customer, lines=[line("Miete", "100.00")])
    with scope(organization=org_a):
        payment(invoice, "40.00", state="failed")
        assert invoice_payment_status_refresh(invoice=invoice).payment_status == "open"
        first = payment(invoice, "40.00")
        assert invoice_payment_status_refresh(invoice=invoice).payment_status == "partly_paid"
        payment(invoice, "60.00")
        refreshed = invoice_payment_status_refresh(invoice=invoice)
        assert refreshed.payment_status == "paid" and refreshed.paid_at is not None
        refund(first, "10.00")
        refreshed = invoice_payment_status_refresh(invoice=invoice)
        assert refreshed.payment_status == "partly_paid" and refreshed.paid_at is None
        assert fresh(invoice).payment_status == "partly_paid"


def test_cancelled_paid_invoice_credit_note_is_open_until_refunded(org_a, inv_customer):
    invoice = issued(inv_customer, lines=[line("Miete", "100.00")])
    with scope(organization=org_a):
        paid = payment(invoice, "100.00", method="card")
        invoice_payment_status_refresh(invoice=invoice)
        credit = invoice_cancel(actor=admin_of(org_a), invoice=invoice, reason="Storno")
        assert credit.payment_status == "open"
        refund(paid, "30.00", credit_note=credit)
        assert invoice_payment_status_refresh(invoice=credit).payment_status == "partly_paid"
        refund(paid, "70.00", credit_note=credit)
        assert invoice_payment_status_refresh(invoice=credit).payment_status == "credited"
        assert fresh(invoice).payment_status == "credited"


def test_zero_invoice_is_paid_at_issue(org_a, inv_customer):
    invoice = issued(inv_customer, lines=[line("Kulanz", "0.00")])
    assert fresh(invoice).payment_status == "paid"


def test_a_rolled_back_issue_leaves_the_draft(org_a, inv_customer):
    invoice = draft(inv_customer)
    with scope(organization=org_a):
        with pytest.raises(RuntimeError), transaction.atomic():
            invoice_issue(actor=admin_of(org_a), invoice=invoice)
            raise RuntimeError
        assert Invoice.objects.get(pk=invoice.pk).is_draft


# --- the customer's data: merge, export, deletion ---


def test_a_customer_with_invoices_is_not_merged_away_nor_deleted(org_a, inv_customer):
    from customers.services.actions import customer_delete
    from customers.services.merge import customer_merge

    survivor = make_customer(org_a, last_name="Bleibt", email="b@example.com")
    issued(inv_customer)
    with scope(organization=org_a), translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            customer_merge(survivor=survivor, other=inv_customer, take_from_other=[], actor=admin_of(org_a))
        assert "Invoices keep their customer" in str(exc.value)
        with pytest.raises(ValidationError) as exc:
            customer_delete(actor=admin_of(org_a), customer=inv_customer)
        assert "invoices" in str(exc.value)
        assert Invoice.objects.filter(customer=inv_customer).count() == 1


def test_the_export_holds_the_invoices_with_lines_and_pdf(org_a, inv_customer):
    from billing.data_handlers_invoices import _export
    from billing.services.invoice_delivery import invoice_deliver

    invoice = issued(inv_customer, lines=[line("Miete", "119.00")])
    with scope(organization=org_a):
        invoice_deliver(invoice=invoice)
        part = _export(customer=inv_customer)
    assert [row["model"] for row in part.rows] == ["billing.invoice", "billing.invoiceline"]
    assert part.rows[0]["fields"]["number"] == invoice.number
    assert part.files == [(f"invoices/invoice-{invoice.number}.pdf", fresh(invoice).pdf.name)]

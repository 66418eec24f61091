"""Invoices and credit notes: drafts, issuing with a gapless number, cancelling by credit note.

An issued document never changes (these services refuse it, and so does the database trigger of
migration 0002_binv_invoice_immutability); a correction is a credit note pointing to the invoice.
Sender and recipient are copied when the document is issued. The PDF and the e-mail are made by
the worker after commit (`billing.tasks.invoices.invoice_deliver`, services in `invoice_delivery`).
The lines (`LineSpec`, their checks, the totals summed from them) are in `invoice_lines`.

Actors: manual invoices and credit notes need `billing.change` and the station of the document;
billing's own flows (booking invoice, final invoice, later charges) call `invoice_create_and_issue`
for the person handling the contract (`contracts.change`) or with `actor=None` when the system acts
on its own (webhook, automatic settlement, tasks).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contracts.models import Contract
from customers.models import Customer
from rentoffice.authorization import require, require_all_stations, require_station
from rentoffice.models import Membership, Organization, Station
from rentoffice.services import sequence_next

from ..models import BillingSettings, Invoice
from .invoice_lines import LineSpec, _lines_write
from .invoice_status import invoice_payment_status_refresh

__all__ = [
    "billing_settings_get",
    "billing_settings_save",
    "invoice_cancel",
    "invoice_create_and_issue",
    "invoice_draft_create",
    "invoice_draft_delete",
    "invoice_draft_update",
    "invoice_issue",
]

NUMBER_SEQUENCE = "invoice"
UNCHANGED: Any = object()


# --- settings ---


def billing_settings_get(*, organization: Organization) -> BillingSettings:
    """The organization's billing settings; an unsaved row with the defaults when none was stored
    (the invoice prefix then comes from `Organization.invoice_number_prefix`)."""
    found = BillingSettings.objects.filter(organization=organization).first()
    return found or BillingSettings(organization=organization, invoice_prefix=organization.invoice_number_prefix)


@transaction.atomic
def billing_settings_save(*, actor: Membership, settings: BillingSettings) -> BillingSettings:
    """Billing rules are organization-wide: `billing.change` plus `organization.manage`, all stations."""
    require(actor, "billing.change", "organization.manage", organization_id=settings.organization_id)
    require_all_stations(actor)
    errors = _bank_errors(settings)
    try:
        settings.full_clean()
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    settings.save()
    return settings


def _bank_errors(settings: BillingSettings) -> dict[str, list[str]]:
    """IBAN and BIC are printed on every invoice: a typo would send customers' money nowhere."""
    from schwifty import BIC, IBAN
    from schwifty.exceptions import SchwiftyException

    errors: dict[str, list[str]] = {}
    if settings.iban.strip():
        try:
            settings.iban = IBAN(settings.iban).compact
        except SchwiftyException:
            errors["iban"] = [_("This IBAN is not valid.")]
    if settings.bic.strip():
        try:
            settings.bic = BIC(settings.bic).compact
        except SchwiftyException:
            errors["bic"] = [_("This BIC is not valid.")]
    return errors


# --- rights ---


def _require_invoice_rights(actor: Membership, *, organization_id: int, station_id: int | None) -> None:
    require(actor, "billing.change", organization_id=organization_id)
    if station_id is None:
        # A document of no station belongs to the whole organization.
        require_all_stations(actor)
    else:
        require_station(actor, station_id)


def _require_flow_rights(actor: Membership, *, organization_id: int, contract: Contract | None, station_id) -> None:
    """Billing's own flows belong to handling the contract; without a contract they are manual."""
    if contract is None:
        _require_invoice_rights(actor, organization_id=organization_id, station_id=station_id)
        return
    require(actor, organization_id=organization_id)
    if not (actor.has_perm("contracts.change") or actor.has_perm("billing.change")):
        raise PermissionDenied
    require_station(actor, contract.pickup_station_id, contract.return_station_id)


# --- drafts ---


def _draft_checked(invoice: Invoice) -> None:
    customer, contract = invoice.customer, invoice.contract
    if customer.organization_id != invoice.organization_id:
        raise ValidationError({"customer": _("Choose a customer of this organization.")})
    if contract is not None:
        if contract.organization_id != invoice.organization_id:
            raise ValidationError({"contract": _("Choose a contract of this organization.")})
        if customer.pk not in (contract.customer_id, contract.payer_customer_id):
            raise ValidationError({"contract": _("The contract belongs to another customer.")})
    if invoice.station is not None and invoice.station.organization_id != invoice.organization_id:
        raise ValidationError({"station": _("Choose a station of this organization.")})
    if invoice.service_start and invoice.service_end and invoice.service_end < invoice.service_start:
        raise ValidationError({"service_end": _("The service period ends before it starts.")})
    invoice.full_clean(exclude=["customer", "contract", "station", "corrects", "email_message"])


@transaction.atomic
def invoice_draft_create(
    *,
    actor: Membership,
    customer: Customer,
    contract: Contract | None = None,
    station: Station | None = None,
    lines: Sequence[LineSpec] = (),
    service_start: dt.date | None = None,
    service_end: dt.date | None = None,
    note: str = "",
) -> Invoice:
    """A manual invoice as a draft (free lines); its station defaults to the contract's pick-up station."""
    if station is None and contract is not None:
        station = contract.pickup_station
    _require_invoice_rights(
        actor, organization_id=customer.organization_id, station_id=station.pk if station is not None else None
    )
    invoice = Invoice(
        organization_id=customer.organization_id,
        customer=customer,
        contract=contract,
        station=station,
        service_start=service_start,
        service_end=service_end,
        note=note,
        created_by=actor.user,
    )
    _draft_checked(invoice)
    invoice.save()
    _lines_write(invoice, lines)
    invoice.save(update_fields=["net_total", "vat_total", "gross_total", "updated_at"])
    return invoice


def _draft_locked(invoice: Invoice) -> Invoice:
    locked = Invoice.objects.select_for_update(of=("self",)).select_related("customer", "contract", "station")
    row = locked.get(pk=invoice.pk, organization_id=invoice.organization_id)
    if not row.is_draft:
        raise ValidationError(_("This invoice has been issued and cannot be changed; cancel it by a credit note."))
    return row


@transaction.atomic
def invoice_draft_update(
    *,
    actor: Membership,
    invoice: Invoice,
    lines: Sequence[LineSpec],
    note: str = UNCHANGED,
    service_start: dt.date | None = UNCHANGED,
    service_end: dt.date | None = UNCHANGED,
) -> Invoice:
    _require_invoice_rights(actor, organization_id=invoice.organization_id, station_id=invoice.station_id)
    draft = _draft_locked(invoice)
    for field, value in (("note", note), ("service_start", service_start), ("service_end", service_end)):
        if value is not UNCHANGED:
            setattr(draft, field, value)
    _draft_checked(draft)
    _lines_write(draft, lines)
    draft.save()
    return draft


@transaction.atomic
def invoice_draft_delete(*, actor: Membership, invoice: Invoice) -> None:
    _require_invoice_rights(actor, organization_id=invoice.organization_id, station_id=invoice.station_id)
    draft = _draft_locked(invoice)
    draft.delete()


# --- issuing ---


def _address_lines(*parts: str) -> list[str]:
    return [part.strip() for part in parts if part and part.strip()]


def _sender(organization: Organization, settings: BillingSettings) -> dict[str, Any]:
    return {
        "name": organization.name,
        "lines": _address_lines(
            organization.street,
            " ".join(p for p in (organization.postal_code, organization.city) if p),
            str(organization.country.name) if organization.country and organization.country != "DE" else "",
        ),
        "vat_id": organization.vat_id,
        "tax_number": organization.tax_number,
        "email": organization.contact_email,
        "bank_name": settings.bank_name,
        "iban": settings.iban,
        "bic": settings.bic,
        "footer": settings.invoice_footer,
    }


def invoice_recipient_customer(invoice: Invoice) -> Customer:
    """Who the invoice is addressed to: the contract's paying customer when there is one."""
    contract = invoice.contract
    if contract is not None and contract.payer_customer_id and invoice.customer_id == contract.customer_id:
        payer = contract.payer_customer
        if payer is not None:
            return payer
    return invoice.customer


def _recipient(customer: Customer) -> dict[str, Any]:
    """The customer's `invoice_recipient` text when they gave one, else their address."""
    if customer.invoice_recipient.strip():
        lines = [line.strip() for line in customer.invoice_recipient.splitlines() if line.strip()]
        name, rest = lines[0], lines[1:]
    else:
        name = customer.display_name
        rest = _address_lines(
            customer.street,
            customer.address_extra,
            " ".join(p for p in (customer.postal_code, customer.city) if p),
            str(customer.country.name) if customer.country and customer.country != "DE" else "",
        )
    return {"name": name, "lines": rest, "customer_number": str(customer.number)}


def _payment_terms(days: int, language: str) -> str:
    with translation.override(language):
        if days == 0:
            return _("Payable immediately without deduction.")
        return _("Payable within %(days)d days without deduction.") % {"days": days}


def _totals_checked(invoice: Invoice) -> None:
    if not invoice.lines.exists():
        raise ValidationError({"lines": _("An invoice needs at least one line.")})
    if invoice.kind == Invoice.Kind.CREDIT_NOTE and invoice.gross_total > 0:
        raise ValidationError({"lines": _("A credit note's total cannot be positive.")})
    if invoice.kind == Invoice.Kind.INVOICE and invoice.gross_total < 0:
        raise ValidationError({"lines": _("An invoice's total cannot be negative; issue a credit note.")})


@transaction.atomic
def invoice_issue(*, actor: Membership | None, invoice: Invoice, send: bool = True) -> Invoice:
    """Give the draft its number and its copies of sender and recipient; PDF and e-mail follow after commit.

    The number comes from the organization's row-locked sequence in this transaction, so a rolled
    back issue gives it back and the numbers stay gapless.
    """
    if actor is not None:
        _require_invoice_rights(actor, organization_id=invoice.organization_id, station_id=invoice.station_id)
    return _issue(invoice, user=actor.user if actor is not None else None, send=send)


def _issue(invoice: Invoice, *, user: Any, send: bool) -> Invoice:
    draft = _draft_locked(invoice)
    _totals_checked(draft)
    organization = Organization.objects.get(pk=draft.organization_id)
    settings = billing_settings_get(organization=organization)
    recipient = invoice_recipient_customer(draft)
    draft.language = recipient.message_language
    draft.sender = _sender(organization, settings)
    draft.recipient = _recipient(recipient)
    draft.recipient_email = recipient.email_for("invoice")
    draft.currency = organization.currency
    draft.issue_date = timezone.localdate()
    if draft.kind == Invoice.Kind.INVOICE:
        draft.due_date = draft.issue_date + dt.timedelta(days=settings.payment_terms_days)
        draft.payment_terms = _payment_terms(settings.payment_terms_days, draft.language)
    draft.number = f"{settings.invoice_prefix}{sequence_next(organization=organization, name=NUMBER_SEQUENCE)}"
    draft.status = Invoice.Status.ISSUED
    draft.email_requested = send
    draft.issued_at = timezone.now()
    draft.issued_by = user
    draft.save()
    invoice_payment_status_refresh(invoice=draft)
    _deliver_on_commit(draft)
    if invoice is not draft:
        invoice.refresh_from_db()  # the caller's instance shows the issued document too
    return draft


def _deliver_on_commit(invoice: Invoice) -> None:
    from ..tasks.invoices import invoice_deliver_enqueue

    organization_id, invoice_id = invoice.organization_id, invoice.pk
    transaction.on_commit(lambda: invoice_deliver_enqueue(organization_id=organization_id, invoice_id=invoice_id))


def _service_period(contract: Contract | None) -> tuple[dt.date | None, dt.date | None]:
    if contract is None:
        return None, None
    start = contract.checked_out_at or contract.starts_at
    end = contract.checked_in_at or contract.ends_at
    return timezone.localdate(start), timezone.localdate(end) if end else None


@transaction.atomic
def invoice_create_and_issue(
    *,
    actor: Membership | None,
    customer: Customer,
    contract: Contract | None,
    purpose: str,
    lines: Sequence[LineSpec],
    kind: str = Invoice.Kind.INVOICE,
    corrects: Invoice | None = None,
    station: Station | None = None,
    send: bool = True,
) -> Invoice:
    """Billing's own documents (booking invoice, final invoice or credit note, later charges) in one call.

    A contract has one booking invoice and one final document: asking again returns the one that
    exists (a settlement or a payment sync that runs twice issues once).
    """
    if station is None and contract is not None:
        station = contract.pickup_station
    if actor is not None:
        _require_flow_rights(
            actor,
            organization_id=customer.organization_id,
            contract=contract,
            station_id=station.pk if station is not None else None,
        )
    if purpose not in Invoice.Purpose.values or kind not in Invoice.Kind.values:
        raise ValueError(f"unknown purpose {purpose!r} or kind {kind!r}")
    once = contract is not None and purpose in (Invoice.Purpose.BOOKING, Invoice.Purpose.FINAL)
    if once:
        existing = Invoice.objects.filter(contract=contract, purpose=purpose).first()
        if existing is not None:
            return existing
    service_start, service_end = _service_period(contract)
    invoice = Invoice(
        organization_id=customer.organization_id,
        customer=customer,
        contract=contract,
        station=station,
        kind=kind,
        purpose=purpose,
        corrects=corrects,
        service_start=service_start,
        service_end=service_end,
        created_by=actor.user if actor is not None else None,
    )
    _draft_checked(invoice)
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:
        if not once:
            raise
        # Another run created it between our check and our insert (it waited for that one's commit).
        return Invoice.objects.get(contract=contract, purpose=purpose)
    _lines_write(invoice, lines)
    invoice.save(update_fields=["net_total", "vat_total", "gross_total", "updated_at"])
    return _issue(invoice, user=actor.user if actor is not None else None, send=send)


@transaction.atomic
def invoice_cancel(*, actor: Membership, invoice: Invoice, reason: str) -> Invoice:
    """Cancel an issued invoice by a credit note with its lines negated; returns the credit note."""
    _require_invoice_rights(actor, organization_id=invoice.organization_id, station_id=invoice.station_id)
    reason = (reason or "").strip()
    if not reason or "\x00" in reason or len(reason) > 2000:
        raise ValidationError({"reason": _("Say why the invoice is cancelled (at most 2000 characters).")})
    original = Invoice.objects.select_for_update(of=("self",)).get(
        pk=invoice.pk, organization_id=invoice.organization_id
    )
    if original.is_draft:
        raise ValidationError(_("A draft is not cancelled; delete it instead."))
    if original.kind != Invoice.Kind.INVOICE:
        raise ValidationError(_("A credit note cannot be cancelled."))
    if Invoice.objects.filter(corrects=original, purpose=Invoice.Purpose.CANCELLATION).exists():
        raise ValidationError(_("This invoice has already been cancelled."))
    credit = Invoice(
        organization_id=original.organization_id,
        customer_id=original.customer_id,
        contract_id=original.contract_id,
        station_id=original.station_id,
        kind=Invoice.Kind.CREDIT_NOTE,
        purpose=Invoice.Purpose.CANCELLATION,
        corrects=original,
        service_start=original.service_start,
        service_end=original.service_end,
        note=reason,
        created_by=actor.user,
    )
    credit.save()
    specs = [
        LineSpec(
            kind=line.kind,
            description=line.description,
            explanation=line.explanation,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=-line.unit_price,
            vat_rate=line.vat_rate,
            net=-line.net,
            gross=-line.gross,
            damage=line.damage,
            deducts=line.deducts,
        )
        for line in original.lines.select_related("damage", "deducts")
    ]
    _lines_write(credit, specs)
    credit.save(update_fields=["net_total", "vat_total", "gross_total", "updated_at"])
    credit = _issue(credit, user=actor.user, send=True)
    invoice_payment_status_refresh(invoice=original)
    return credit

"""Merge and export handlers for the customers app's own rows (see customers/data_handlers.py).

Behaviour is the one the merge always had: access cards, documents, licence escalations and
sub-customers move to the survivor; the survivor's own portal account wins; an escalation step
both reached for the same due date stays once; sent messages follow the survivor.
"""

from __future__ import annotations

import re

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from rentoffice.models import OutboundMessage

from ..data_handlers import CustomerDataHandler, ExportPart, register
from ..models import AccessCard, Customer, CustomerAccount, CustomerDocument, LicenceEscalation

EXPORT_SECRET_FIELDS = {"password", "token_hash"}


def serialize(obj: models.Model, *, exclude: set[str] = EXPORT_SECRET_FIELDS) -> dict:
    data = serializers.serialize("python", [obj])[0]
    fields = {k: v for k, v in data["fields"].items() if k not in exclude}
    return {"model": data["model"], "pk": data["pk"], "fields": fields}


def _portal_link_pattern() -> re.Pattern:
    path = reverse("portal:set_password", kwargs={"token": "TOKEN"})
    before, after = path.split("TOKEN")
    return re.compile(re.escape(before) + r"[^/\s\"'<>]+" + re.escape(after))


def mask_portal_links(text: str) -> str:
    """Password links of invitations and resets, whoever holds the text could set the password."""
    if not text:
        return text
    masked = reverse("portal:set_password", kwargs={"token": "TOKEN"}).replace("TOKEN", "…")
    return _portal_link_pattern().sub(masked, text)


def _rows(qs) -> list[dict]:
    return [serialize(obj) for obj in qs]


# The customer-owned rows that follow a merge onto the surviving customer.
_Moved = LicenceEscalation | CustomerAccount | AccessCard | CustomerDocument


def _move(model: type[_Moved], *, survivor: Customer, other: Customer, field: str = "customer") -> int:
    return model.objects.filter(organization=survivor.organization_id, **{field: other}).update(**{field: survivor})


# --- sub-customers -------------------------------------------------------------------------------


def _subs_merge(*, survivor: Customer, other: Customer) -> int:
    return (
        Customer.objects.filter(organization=survivor.organization_id, main_customer=other)
        .exclude(pk=survivor.pk)
        .update(main_customer=survivor)
    )


def _subs_export(*, customer: Customer) -> ExportPart:
    # Each sub-customer is a person of their own: their data is exported from their own card.
    subs = Customer.objects.filter(organization=customer.organization_id, main_customer=customer).order_by("number")
    return ExportPart(
        _("Sub-customers: number and name only; each sub-customer's data is exported from their own card."),
        [
            {"model": "customers.customer", "pk": s.pk, "fields": {"number": s.number, "name": s.display_name}}
            for s in subs
        ],
    )


# --- access cards, documents, licence escalations, portal accounts ---------------------------------


def _cards_export(*, customer: Customer) -> ExportPart:
    return ExportPart(
        _("Access cards."), _rows(AccessCard.objects.filter(organization=customer.organization_id, customer=customer))
    )


def _documents_export(*, customer: Customer) -> ExportPart:
    documents = list(CustomerDocument.objects.filter(organization=customer.organization_id, customer=customer))
    files = []
    for document in documents:
        if document.file and default_storage.exists(document.file.name):
            name = document.original_name or document.file.name.rsplit("/", 1)[-1]
            files.append((f"customerdocument-{document.pk}-{name}", document.file.name))
    return ExportPart(_("Documents with their files."), _rows(documents), files)


def _escalations_merge(*, survivor: Customer, other: Customer) -> int:
    LicenceEscalation.objects.filter(organization=survivor.organization_id, customer=other).filter(
        Exists(LicenceEscalation.objects.filter(customer=survivor, due_on=OuterRef("due_on"), step=OuterRef("step")))
    ).delete()
    return _move(LicenceEscalation, survivor=survivor, other=other)


def _escalations_export(*, customer: Customer) -> ExportPart:
    return ExportPart(
        _("Licence-check reminders sent."),
        _rows(LicenceEscalation.objects.filter(organization=customer.organization_id, customer=customer)),
    )


def _accounts_merge(*, survivor: Customer, other: Customer) -> int:
    # One portal account per customer: the survivor's own account wins.
    if CustomerAccount.objects.filter(organization=survivor.organization_id, customer=survivor).exists():
        CustomerAccount.objects.filter(organization=survivor.organization_id, customer=other).delete()
        return 0
    return _move(CustomerAccount, survivor=survivor, other=other)


def _accounts_export(*, customer: Customer) -> ExportPart:
    return ExportPart(
        _("Portal logins (without password and without the links of pending invitations or resets)."),
        _rows(CustomerAccount.objects.filter(organization=customer.organization_id, customer=customer)),
    )


# --- messages sent about the customer (core's outbox, related generically) -------------------------


def _messages_qs(customer_pk: int):
    ct = ContentType.objects.get_for_model(Customer)
    return OutboundMessage.objects.filter(related_type=ct, related_id=str(customer_pk))


def _messages_merge(*, survivor: Customer, other: Customer) -> int:
    return _messages_qs(other.pk).update(related_id=str(survivor.pk))


def _messages_export(*, customer: Customer) -> ExportPart:
    rows = []
    for message in _messages_qs(customer.pk).order_by("created_at"):
        row = serialize(message)
        for name in ("subject", "body_text", "body_html"):
            row["fields"][name] = mask_portal_links(row["fields"][name])
        rows.append(row)
    return ExportPart(_("E-mails and text messages sent to the customer; password links are masked."), rows)


def register_own_handlers() -> None:
    for handler in (
        CustomerDataHandler("sub_customers", (Customer,), _subs_export, _subs_merge, order=10),
        CustomerDataHandler(
            "access_cards", (AccessCard,), _cards_export, lambda **kw: _move(AccessCard, **kw), order=20
        ),
        CustomerDataHandler(
            "documents", (CustomerDocument,), _documents_export, lambda **kw: _move(CustomerDocument, **kw), order=30
        ),
        CustomerDataHandler(
            "licence_escalations", (LicenceEscalation,), _escalations_export, _escalations_merge, order=40
        ),
        CustomerDataHandler("portal_accounts", (CustomerAccount,), _accounts_export, _accounts_merge, order=50),
        CustomerDataHandler("messages", (), _messages_export, _messages_merge, order=90),
    ):
        register(handler)

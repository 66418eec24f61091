"""Customer documents, placeholders, document templates (PDF) and e-mails written from the card."""

from __future__ import annotations

import html
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rentoffice.authorization import require
from rentoffice.message_templates import PLACEHOLDER, fill
from rentoffice.models import Membership, OutboundMessage
from rentoffice.outbox import message_queue

from ..models import Customer, CustomerDocument, DocumentTemplate, EmailTemplate
from .document_filter import document_check, document_clean  # noqa: F401  (document_check: public API)
from .pdf import document_template_pdf
from .rights import require_customer, require_own

MAX_EMAIL_ATTACHMENTS = 20 * 1024 * 1024


@transaction.atomic
def document_upload(
    *, actor: Membership, customer: Customer, upload: UploadedFile, doc_type: str, note: str
) -> CustomerDocument:
    require_customer(actor, customer)
    checked = document_clean(upload)
    document = CustomerDocument(
        organization=customer.organization,
        customer=customer,
        doc_type=doc_type,
        note=note,
        original_name=checked.name[-255:],
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=actor.user,
    )
    document.file.save(checked.name, checked.file, save=False)
    try:
        document.full_clean(exclude=["file", "uploaded_by"])  # uploads by the system have no user
        document.save()
    except Exception:
        default_storage.delete(document.file.name)
        raise
    return document


@transaction.atomic
def document_delete(*, actor: Membership, document: CustomerDocument) -> None:
    require_customer(actor, document)
    name = document.file.name
    document.delete()
    transaction.on_commit(lambda: default_storage.delete(name))


TEMPLATES_MANAGE = "templates.manage"


@transaction.atomic
def template_save(*, actor: Membership, template: DocumentTemplate | EmailTemplate) -> DocumentTemplate | EmailTemplate:
    """Save one of the organization's document (PDF) or e-mail templates."""
    if template.pk is None:
        template.organization = actor.organization
    require(actor, TEMPLATES_MANAGE, organization_id=template.organization_id)
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def template_delete(*, actor: Membership, template: DocumentTemplate | EmailTemplate) -> None:
    require(actor, TEMPLATES_MANAGE, organization_id=template.organization_id)
    template.delete()


# Placeholders in e-mails and document templates; documented on the e-mail page.
PLACEHOLDERS = {
    "customer_number": lambda c: str(c.number),
    "first_name": lambda c: c.first_name,
    "last_name": lambda c: c.last_name,
    "name": lambda c: c.display_name,
    "company": lambda c: c.company,
    "salutation": lambda c: c.salutation,
    "street": lambda c: c.street,
    "postal_code": lambda c: c.postal_code,
    "city": lambda c: c.city,
    "email": lambda c: c.email,
    "phone": lambda c: c.phone or c.mobile,
    "legalEntityType": lambda c: c.customer_group,
    "customer_group": lambda c: str(c.get_customer_group_display()),
    "date_of_birth": lambda c: c.date_of_birth.strftime("%d.%m.%Y") if c.date_of_birth else "",
    "iban": lambda c: c.iban,
    "sepa_mandate_reference": lambda c: c.sepa_mandate_reference,
    "organization": lambda c: c.organization.name,
    "today": lambda c: timezone.localdate().strftime("%d.%m.%Y"),
}
PLACEHOLDER_LABELS = {
    "customer_number": gettext_lazy("customer number"),
    "first_name": gettext_lazy("first name"),
    "last_name": gettext_lazy("last name"),
    "name": gettext_lazy("full name or company"),
    "company": gettext_lazy("company"),
    "salutation": gettext_lazy("salutation"),
    "street": gettext_lazy("street and number"),
    "postal_code": gettext_lazy("postal code"),
    "city": gettext_lazy("city"),
    "email": gettext_lazy("e-mail (standard)"),
    "phone": gettext_lazy("phone, else mobile phone"),
    "legalEntityType": gettext_lazy("customer group code, e.g. COMPANY"),
    "customer_group": gettext_lazy("customer group in words"),
    "date_of_birth": gettext_lazy("date of birth"),
    "iban": gettext_lazy("IBAN"),
    "sepa_mandate_reference": gettext_lazy("SEPA mandate reference"),
    "organization": gettext_lazy("name of your organization"),
    "today": gettext_lazy("today's date"),
}


def placeholder_help() -> list[tuple[str, object]]:
    """(placeholder, what it stands for) for the editors' help box."""
    return [(name, PLACEHOLDER_LABELS.get(name, "")) for name in sorted(PLACEHOLDERS)]


def fill_placeholders(text: str, customer: Customer, *, escape: bool = False) -> str:
    """The same {placeholder} rule as the organization's e-mail texts (rentoffice.message_templates)."""
    text = text or ""
    values = {}
    for name in set(PLACEHOLDER.findall(text)) & set(PLACEHOLDERS):
        value = PLACEHOLDERS[name](customer) or ""
        values[name] = html.escape(value) if escape else value
    return fill(text, values)


@dataclass
class Attachment:
    name: str
    content_type: str
    content: bytes | None = None
    path: str | None = None
    size: int = 0


def _store_attachment(organization_id: int, attachment: Attachment) -> dict:
    if attachment.path:
        return {"name": attachment.name, "path": attachment.path, "content_type": attachment.content_type}
    path = default_storage.save(
        f"customer-mail/{organization_id}/{uuid.uuid4().hex}/{attachment.name}", ContentFile(attachment.content)
    )
    return {"name": attachment.name, "path": path, "content_type": attachment.content_type}


@transaction.atomic
def customer_email_send(
    *,
    actor: Membership,
    customer: Customer,
    subject: str,
    body: str,
    reply_to: str = "",
    purpose: str = "standard",
    documents: Sequence[CustomerDocument] = (),
    templates: Sequence[DocumentTemplate] = (),
    uploads: Sequence[UploadedFile] = (),
) -> OutboundMessage:
    """A staff-written e-mail to the customer's address for the purpose (fallback rule), via the outbox."""
    require_customer(actor, customer)
    require_own(actor, [*documents, *templates])
    if any(d.customer_id != customer.pk for d in documents):
        raise PermissionDenied  # only this customer's own documents go to this customer
    from .emails import customer_email_check

    customer_email_check(subject=subject, body=body)
    recipient = customer.email_for(purpose)
    if not recipient:
        raise ValidationError(_("The customer has no e-mail address for this purpose."))
    attachments = [Attachment(d.original_name, d.content_type, path=d.file.name, size=d.size) for d in documents]
    for template in templates:
        pdf = document_template_pdf(template=template, customer=customer)
        attachments.append(Attachment(f"{template.name}.pdf", "application/pdf", content=pdf, size=len(pdf)))
    for upload in uploads:
        checked = document_clean(upload)
        content = checked.file.read()
        attachments.append(Attachment(checked.name, checked.content_type, content=content, size=len(content)))
    total = sum(a.size for a in attachments)
    if total > MAX_EMAIL_ATTACHMENTS:
        raise ValidationError(
            _("The attachments are too large together (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(total), "limit": filesizeformat(MAX_EMAIL_ATTACHMENTS)}
        )
    stored = [_store_attachment(customer.organization_id, a) for a in attachments]
    return message_queue(
        organization=customer.organization,
        recipient=recipient,
        template="customer_email",
        purpose="customer_email",
        context={"customer": customer},
        language=customer.message_language,
        related=customer,
        attachments=stored,
        reply_to=reply_to,
        # A line break in a subject would make the mail unsendable (header injection guard in send).
        subject=" ".join(fill_placeholders(subject, customer).split()),
        body_text=fill_placeholders(body, customer),
    )

"""Customer documents, placeholders, document templates (PDF) and e-mails written from the card."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import filetype
from django.conf import settings
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
from .rights import require_customer, require_own

# Executables, scripts and active content are refused whatever their name says.
BLOCKED_MIME = {
    "application/x-msdownload",
    "application/x-dosexec",
    "application/x-executable",
    "application/x-elf",
    "application/x-mach-binary",
    "application/x-sharedlib",
    "application/vnd.microsoft.portable-executable",
    "application/x-shockwave-flash",
    "application/java-archive",
    "application/x-sh",
    "text/html",
}
BLOCKED_EXTENSIONS = {
    "exe",
    "dll",
    "com",
    "bat",
    "cmd",
    "sh",
    "msi",
    "scr",
    "js",
    "vbs",
    "ps1",
    "jar",
    "html",
    "htm",
    "xhtml",
    "php",
    "app",
    "elf",
}
MAGIC_PREFIXES = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"#!")
ACTIVE_MARKERS = re.compile(rb"<\s*(script|html|!doctype\s+html|iframe|object|embed)\b|javascript:|\bon\w+\s*=", re.I)
MAX_EMAIL_ATTACHMENTS = 20 * 1024 * 1024


def _upload_size(upload: UploadedFile) -> int:
    assert upload.size is not None  # noqa: S101  invariant: files parsed from a request (and ContentFile) always know their size
    return upload.size


def document_check(upload: UploadedFile) -> str:
    """The content type of an acceptable upload; raises ValidationError for anything unsafe or too big."""
    limit = settings.MAX_DOCUMENT_UPLOAD_SIZE
    if _upload_size(upload) > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(_upload_size(upload)), "limit": filesizeformat(limit)}
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    name = (upload.name or "").lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    if extension in BLOCKED_EXTENSIONS or mime in BLOCKED_MIME or head.startswith(MAGIC_PREFIXES):
        raise ValidationError(_("Executable files, scripts and web pages cannot be uploaded."))
    if kind is None or extension == "svg" or mime == "image/svg+xml":
        # Text-like content (plain text, CSV, SVG, XML): refuse anything a browser would execute.
        if ACTIVE_MARKERS.search(head + upload.read()):
            upload.seek(0)
            raise ValidationError(_("The file contains active content (scripts or HTML) and was refused."))
        upload.seek(0)
        if extension == "svg":
            return "image/svg+xml"
        return {"txt": "text/plain", "csv": "text/csv", "xml": "application/xml"}.get(
            extension, "application/octet-stream"
        )
    return mime


@transaction.atomic
def document_upload(
    *, actor: Membership, customer: Customer, upload: UploadedFile, doc_type: str, note: str
) -> CustomerDocument:
    require_customer(actor, customer)
    content_type = document_check(upload)
    document = CustomerDocument(
        organization=customer.organization,
        customer=customer,
        doc_type=doc_type,
        note=note,
        original_name=(upload.name or "file")[-255:],
        content_type=content_type,
        size=_upload_size(upload),
        uploaded_by=actor.user,
    )
    document.file.save(upload.name or "file", upload, save=False)
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


def document_template_pdf(*, template: DocumentTemplate, customer: Customer | None) -> bytes:
    """The template as PDF for a customer; without one the placeholders stay visible (template preview)."""
    from weasyprint import HTML

    body = fill_placeholders(template.body_html, customer, escape=True) if customer else template.body_html
    # Organization HTML may not fetch anything from outside (or from the server's disk).
    return HTML(string=body, url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url, *args, **kwargs):
    raise ValueError(f"external resource refused: {url}")


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
        content_type = document_check(upload)
        assert upload.name is not None  # noqa: S101  invariant: a parsed upload always has its file name
        attachments.append(Attachment(upload.name, content_type, content=upload.read(), size=_upload_size(upload)))
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

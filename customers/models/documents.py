"""Per-organization customer settings, documents, document templates, licence escalations."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from rentoffice.models import Organization

from .customer import Customer


class CustomerSettings(models.Model):
    """Organization-wide defaults for customers (editable by admins on the customers settings page)."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="customer_settings")
    may_reserve = models.BooleanField(_("may reserve"), default=True)
    may_book_online = models.BooleanField(_("may book online"), default=True)
    may_use_portal = models.BooleanField(_("may use the customer portal"), default=True)
    may_pay_by_invoice = models.BooleanField(_("may pay by invoice"), default=False)
    additional_parallel_bookings = models.PositiveSmallIntegerField(
        _("additional parallel bookings"), default=0, help_text=_("0 = one booking at a time, 1 = two, …")
    )
    licence_escalation_days = models.CharField(
        _("licence escalation steps (days overdue)"),
        max_length=50,
        default="0,14,28",
        help_text=_("Comma-separated days after the due date at which an escalation e-mail goes out."),
    )
    inactivity_months = models.PositiveSmallIntegerField(
        _("anonymise customers inactive for (months)"),
        default=36,
        help_text=_("Used by the GDPR deletion routine."),
    )
    deletion_routine_enabled = models.BooleanField(_("deletion routine enabled"), default=False)

    objects = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("customer settings")
        verbose_name_plural = _("customer settings")

    def __str__(self) -> str:
        return f"{self.organization}"

    def escalation_steps(self) -> list[int]:
        steps = []
        for part in self.licence_escalation_days.split(","):
            part = part.strip()
            if part.isdigit():
                steps.append(int(part))
        return sorted(set(steps))


def document_path(instance: CustomerDocument, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()[:10] if "." in filename else "bin"
    return f"customer-documents/{instance.organization_id}/{uuid.uuid4().hex}.{ext}"


class CustomerDocument(models.Model):
    """A file kept on the customer (contract scans, SEPA mandates); downloadable only through a checked view."""

    class Type(models.TextChoices):
        CONTRACT = "contract", _("Contract")
        SEPA_MANDATE = "sepa_mandate", _("SEPA mandate")
        ID_DOCUMENT = "id_document", _("ID document")
        LICENCE = "licence", _("Driving licence")
        CORRESPONDENCE = "correspondence", _("Correspondence")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("document type"), max_length=20, choices=Type.choices, default=Type.OTHER)
    note = models.CharField(_("note"), max_length=300, blank=True)
    file = models.FileField(_("file"), upload_to=document_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("customer document")
        verbose_name_plural = _("customer documents")

    def __str__(self) -> str:
        return self.original_name


class DocumentTemplate(models.Model):
    """An organization-defined HTML template with placeholders, rendered to PDF for a customer."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    body_html = models.TextField(
        _("HTML"), help_text=_("Placeholders such as {first_name} or {customer_number} are filled per customer.")
    )

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["name"]
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")

    def __str__(self) -> str:
        return self.name


class EmailTemplate(models.Model):
    """A reusable e-mail text with placeholders for messages written from the customer card."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["name"]
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")

    def __str__(self) -> str:
        return self.name


class LicenceEscalation(models.Model):
    """One escalation e-mail for an overdue licence check; unique per due date and step, so sent once."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="licence_escalations")
    due_on = models.DateField(_("check due on"))
    step = models.PositiveSmallIntegerField(_("step"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("licence escalation")
        verbose_name_plural = _("licence escalations")
        constraints = [
            models.UniqueConstraint(fields=["customer", "due_on", "step"], name="uniq_licence_escalation_step")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.due_on} #{self.step}"

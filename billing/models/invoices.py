import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from contracts.models import Contract
from customers.models import Customer
from rentoffice.models import Organization, OutboundMessage, Station
from vehicles.models import Damage

MONEY = {"max_digits": 12, "decimal_places": 2}


def _pdf_upload_to(instance: "Invoice", filename: str) -> str:
    return f"org_{instance.organization_id}/invoices/{instance.pk}/{filename}"


class Invoice(models.Model):
    """An invoice or a credit note. A draft may change; an issued one never does (services and a
    database trigger refuse it) — a correction is a credit note pointing to it (`corrects`).

    Sender and recipient are copied at issue time, so a later address change leaves the document as
    it went out. Only the bookkeeping columns (`pdf`, `pdf_generated_at`, `email_message`,
    `payment_status`, `paid_at`, `updated_at`) may still be written after issue.
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("invoice")
        CREDIT_NOTE = "credit_note", _("credit note")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ISSUED = "issued", _("issued")

    class Purpose(models.TextChoices):
        MANUAL = "manual", _("manual")
        BOOKING = "booking", _("at booking")  # the first invoice: one day's rent paid by card
        FINAL = "final", _("final invoice")  # after check-in, with the booking invoice deducted
        CHARGE = "charge", _("later charge")  # damage, extension, fuel, cleaning on the stored card
        CANCELLATION = "cancellation", _("cancellation")  # credit note cancelling an invoice

    class PaymentStatus(models.TextChoices):
        OPEN = "open", _("open")
        PARTLY_PAID = "partly_paid", _("partly paid")
        PAID = "paid", _("paid")
        CREDITED = "credited", _("credited")  # cancelled by a credit note, or a settled credit note

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INVOICE)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.MANUAL)
    # Empty while a draft; given from the gapless sequence at issue.
    number = models.CharField(_("number"), max_length=40, blank=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("customer")
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices", verbose_name=_("contract")
    )
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("station")
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects invoice"),
    )
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    service_start = models.DateField(_("service period from"), null=True, blank=True)
    service_end = models.DateField(_("service period until"), null=True, blank=True)
    payment_terms = models.CharField(_("payment terms"), max_length=300, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    language = models.CharField(_("language"), max_length=10, default="de")
    # Copies taken at issue: {"name", "lines": [...address lines], "vat_id", "tax_number", "email",
    # "phone", "bank_name", "iban", "bic", "footer"} for the sender; {"name", "lines", "customer_number",
    # "vat_id"} for the recipient.
    sender = models.JSONField(_("sender"), default=dict, blank=True)
    recipient = models.JSONField(_("recipient"), default=dict, blank=True)
    recipient_email = models.EmailField(_("invoice e-mail address"), blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    net_total = models.DecimalField(_("net"), default=0, **MONEY)
    vat_total = models.DecimalField(_("VAT"), default=0, **MONEY)
    gross_total = models.DecimalField(_("gross"), default=0, **MONEY)

    payment_status = models.CharField(
        _("payment status"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.OPEN
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=_pdf_upload_to, blank=True, max_length=300)
    pdf_generated_at = models.DateTimeField(_("PDF generated at"), null=True, blank=True)
    email_message = models.ForeignKey(
        OutboundMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Whether issuing asked for the e-mail (a booking invoice may be issued without): the delivery
    # sweep only sends what was asked for. Set with the number, so it is part of the document.
    email_requested = models.BooleanField(default=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager(organization="organization")

    record_kind = "invoice"

    class Meta:
        ordering = ["-issue_date", "-pk"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], condition=~Q(number=""), name="uniq_invoice_number"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | (~Q(number="") & Q(issue_date__isnull=False)),
                name="invoice_issued_has_number",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice") | Q(corrects__isnull=False) | Q(purpose="final"),
                name="credit_note_refers_to_invoice",
            ),
            # One booking invoice and one final document per contract (settlement may run twice).
            models.UniqueConstraint(
                fields=["contract", "purpose"],
                condition=Q(purpose__in=["booking", "final"]),
                name="uniq_contract_booking_final_invoice",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "issue_date", "id"], name="invoice_org_issue"),
            models.Index(fields=["organization", "customer", "issue_date"], name="invoice_org_customer"),
            models.Index(fields=["organization", "contract"], name="invoice_org_contract"),
            models.Index(fields=["organization", "payment_status", "due_date"], name="invoice_org_open"),
            models.Index(fields=["organization", "station", "issue_date"], name="invoice_org_station"),
        ]

    def __str__(self) -> str:
        return self.number or str(_("draft"))

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class InvoiceLine(models.Model):
    """One line of an invoice: from the pricing function's lines, a charge (with its evidence), or free."""

    class Kind(models.TextChoices):
        RENT = "rent", _("rent")
        KM = "km", _("extra km")
        EXTRA = "extra", _("extra")
        DAMAGE = "damage", _("damage")
        FUEL = "fuel", _("fuel")
        CLEANING = "cleaning", _("cleaning")
        ADVANCE = "advance", _("less advance invoice")  # negative line of a final invoice
        FREE = "free", _("other")

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FREE)
    description = models.CharField(_("description"), max_length=200)
    explanation = models.TextField(_("explanation"), blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2, default=1)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=3)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    net = models.DecimalField(_("net"), **MONEY)
    vat = models.DecimalField(_("VAT"), **MONEY)
    gross = models.DecimalField(_("gross"), **MONEY)
    # Evidence of a charge: the damage (with its before/after photos) a line bills.
    damage = models.ForeignKey(Damage, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The advance invoice a final invoice's negative line deducts.
    deducts = models.ForeignKey(Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")

    def __str__(self) -> str:
        return self.description

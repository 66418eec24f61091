"""Dealer cases: a case with its contact, work list, recipients and history."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from rentoffice.models import Brand, Organization, Station


class Language(models.TextChoices):
    """The nine languages customers are written to in; names in their own language."""

    EN = "en", "English"
    FR = "fr", "Français"
    DE = "de", "Deutsch"
    NL = "nl", "Nederlands"
    ES = "es", "Español"
    IT = "it", "Italiano"
    PT = "pt", "Português"
    SV = "sv", "Svenska"
    NO = "no", "Norsk"


class Contact(models.Model):
    """Who a case is about and written to; linked to a customer of the customers app where one
    matches. The CRM (search, GDPR export and anonymisation) builds on these rows."""

    class Salutation(models.TextChoices):
        MR = "mr", _("Mr")
        MS = "ms", _("Ms")
        NONE = "none", _("No salutation")
        COMPANY = "company", _("Company")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="fleetback_contacts")
    salutation = models.CharField(_("salutation"), max_length=10, choices=Salutation.choices)
    title = models.CharField(_("title"), max_length=40, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("mobile phone"), max_length=30, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.DE)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fleetback_contacts",
        verbose_name=_("customer"),
    )
    email_opt_out = models.BooleanField(_("no e-mails (GDPR objection)"), default=False)
    sms_opt_out = models.BooleanField(_("no text messages (GDPR objection)"), default=False)
    # When each objection was recorded: the send form shows it next to the disabled channel.
    email_opt_out_at = models.DateTimeField(null=True, blank=True)
    sms_opt_out_at = models.DateTimeField(null=True, blank=True)
    # Set when the personal data was erased ("X"); such a row is never matched or written to again.
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["organization", "last_name"]),
            models.Index(fields=["organization", "email"], name="contact_org_email"),
        ]

    def __str__(self) -> str:
        return " ".join(part for part in (self.title, self.first_name, self.last_name) if part)

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None


class Case(models.Model):
    class Mode(models.TextChoices):
        AFTER_SALES = "after_sales", _("After-sales")
        SALES = "sales", _("Sales")

    class Module(models.TextChoices):
        MECHANICS = "mechanics", _("Mechanics")
        BODY = "body", _("Body and paint")
        WARRANTY = "warranty", _("Warranty")
        USED_CAR = "used_car", _("Used-car stock")
        DIRECT = "direct", _("Direct message")

    class Status(models.TextChoices):
        AWAITING = "awaiting", _("Awaiting dispatch")
        SENT = "sent", _("Sent")
        READ = "read", _("Read")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    MODULES = {
        Mode.AFTER_SALES: (Module.MECHANICS, Module.BODY, Module.WARRANTY),
        Mode.SALES: (Module.USED_CAR, Module.DIRECT),
    }
    # The status machine as data: status → statuses it may change to (fleetback/services/status.py).
    TRANSITIONS = {
        Status.AWAITING: {Status.SENT, Status.ANSWERED, Status.CLOSED},
        Status.SENT: {Status.READ, Status.ANSWERED, Status.CLOSED},
        Status.READ: {Status.ANSWERED, Status.CLOSED},
        Status.ANSWERED: {Status.CLOSED},
        Status.CLOSED: set(),
    }
    # Bootstrap colour names of the status badges.
    COLOURS = {
        Status.AWAITING: "secondary",
        Status.SENT: "primary",
        Status.READ: "info",
        Status.ANSWERED: "success",
        Status.CLOSED: "dark",
    }

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="fleetback_cases")
    number = models.PositiveIntegerField(_("number"), editable=False)
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="fleetback_cases", verbose_name=_("dealership")
    )
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="fleetback_cases", verbose_name=_("brand"))
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices)
    module = models.CharField(_("module"), max_length=12, choices=Module.choices)
    reference = models.CharField(
        _("reference"), max_length=100, help_text=_("Repair order number, licence plate or name.")
    )
    vin = models.CharField(_("VIN"), max_length=17, blank=True)
    plate = models.CharField(_("licence plate"), max_length=20, blank=True)
    make_model = models.CharField(_("make and model"), max_length=100, blank=True)
    km = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="cases", verbose_name=_("contact"))
    message = models.TextField(_("message to the customer"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    customer_waiting = models.BooleanField(_("customer is waiting in the dealership"), default=False)
    internal_message = models.TextField(_("internal message"), blank=True)
    contact_me = models.BooleanField(_("customer asks to be contacted"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.AWAITING)
    # Who first sent the case (the dashboard's "sender" filter); set by the send service.
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    # Upper-cased words the dashboard searches (number, reference, plate, VIN, make and model, the
    # contact's names, phone and e-mail). Written by a database trigger (migration
    # 0002_fbdash_dashboard), also when the contact changes, so no code path can leave it stale.
    search_text = models.TextField(editable=False, blank=True, default="")
    # The recipient whose answer locked the work list for the others (None: nobody answered online).
    answered_by = models.ForeignKey("Recipient", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("comment on the rating"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("dealer case")
        verbose_name_plural = _("dealer cases")
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="uniq_case_number"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="case_rating_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "mode", "status", "-created_at"]),
            models.Index(fields=["organization", "plate"]),
            models.Index(fields=["organization", "vin"]),
            GinIndex(OpClass("search_text", name="gin_trgm_ops"), name="case_search_trgm"),
            models.Index(fields=["organization", "mode", "-created_at", "-id"], name="case_mode_created"),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.reference}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.AWAITING

    @property
    def status_colour(self) -> str:
        return self.COLOURS[self.Status(self.status)]


class WorkItem(models.Model):
    class Urgency(models.TextChoices):
        OK = "ok", _("OK – nothing to do")
        OFFERED = "offered", _("Offered – free of charge")
        RECOMMENDED = "recommended", _("Recommended")
        URGENT = "urgent", _("Urgent")

    class Discount(models.TextChoices):
        NONE = "", _("No discount")
        AMOUNT = "amount", _("Amount")
        PERCENT = "percent", _("Percent")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending – awaiting the customer's decision")
        PERFORMED = "performed", _("Performed")

    class Decision(models.TextChoices):
        NONE = "", _("Open")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    class Origin(models.TextChoices):
        CUSTOMER_PAGE = "page", _("Customer page")
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        EMAIL = "email", _("E-mail")

    # Urgencies the customer decides on and pays for; OK and offered items are information only.
    CHARGEABLE = (Urgency.RECOMMENDED, Urgency.URGENT)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    checklist_item = models.ForeignKey(
        "ChecklistItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("work"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.RECOMMENDED)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, default=Decimal("0"))
    price_includes_vat = models.BooleanField(_("price includes VAT"), default=True)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=4, decimal_places=2, default=Decimal("19"))
    discount_kind = models.CharField(_("discount"), max_length=8, choices=Discount.choices, blank=True, default="")
    discount_value = models.DecimalField(_("discount value"), max_digits=10, decimal_places=2, default=Decimal("0"))
    # Stored from fleetback.totals on every save (lists and sums read them without recomputing).
    net = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"), editable=False)
    vat = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"), editable=False)
    gross = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"), editable=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    response_deadline = models.DateField(_("answer expected by"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True, default="")
    decision_origin = models.CharField(_("decided by"), max_length=10, choices=Origin.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by_recipient = models.ForeignKey(
        "Recipient", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["case", "position", "pk"]
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="workitem_price_not_negative"),
            models.CheckConstraint(condition=models.Q(discount_value__gte=0), name="workitem_discount_not_negative"),
            models.CheckConstraint(condition=models.Q(gross__gte=0), name="workitem_gross_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_chargeable(self) -> bool:
        return self.urgency in self.CHARGEABLE

    @property
    def awaits_decision(self) -> bool:
        return self.is_chargeable and self.state == self.State.PENDING


class Recipient(models.Model):
    """One contact a case was sent to, with an own link: read and answer are tracked per recipient."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message")
        BOTH = "both", _("E-mail and text message")
        LINK = "link", _("Link copied")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="receipts")
    # Stored as is: staff copy the link again from the case page. 256 random bits; revoking ends it.
    token = models.CharField(max_length=64, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    sent_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["case", "sent_at", "pk"]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")

    def __str__(self) -> str:
        return str(self.contact)


class CaseEvent(models.Model):
    """The case history: every action of staff and customers, shown newest first."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Changed")
        SENT = "sent", _("Sent")
        LINK = "link", _("Link handed out")
        READ = "read", _("Read by the customer")
        ANSWERED = "answered", _("Answered by the customer")
        DECIDED = "decided", _("Decision recorded by staff")
        REVOKED = "revoked", _("Link revoked")
        DUPLICATED = "duplicated", _("Duplicated")
        CLOSED = "closed", _("Closed")
        NOTIFIED = "notified", _("Customer notified of a decision")
        ANONYMISED = "anonymised", _("Personal data erased")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=Action.choices)
    by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    by_recipient = models.ForeignKey(Recipient, on_delete=models.SET_NULL, null=True, related_name="events")
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"

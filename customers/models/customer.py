"""The customer master record and what hangs directly off it (cards, attributes)."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_scopes import ScopedManager

from rentoffice.models import Organization, Station
from rentoffice.validators import date_in_window


class CustomerAttribute(models.Model):
    """An organization-defined tag ("Ausprägung") that can be given to customers."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="customer_attributes")
    name = models.CharField(_("name"), max_length=80)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer attribute")
        verbose_name_plural = _("customer attributes")
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="uniq_customer_attribute")]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """A person or legal entity renting from one organization (organization-wide, not station-owned)."""

    record_kind = "customer"
    # Not a field: set on list pages by selectors.with_attribute_names (one query for the page).
    attribute_names: list[str]

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        LEGAL_ENTITY = "legal_entity", _("Legal entity")

    class Group(models.TextChoices):
        PRIVATE_INDIVIDUAL = "PRIVATE_INDIVIDUAL", _("Private individual")
        COMPANY = "COMPANY", _("Company")
        ASSOCIATION = "ASSOCIATION", _("Association")
        ADMINISTRATION = "ADMINISTRATION", _("Administration / authority")
        ORGANISATION = "ORGANISATION", _("Organisation")

    class Gender(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")
        DIVERSE = "diverse", _("diverse")

    class PaymentMethod(models.TextChoices):
        INVOICE = "invoice", _("Invoice / bank transfer")
        DIRECT_DEBIT = "direct_debit", _("SEPA direct debit")
        CARD = "card", _("Card")
        CASH = "cash", _("Cash")

    class EInvoiceMode(models.TextChoices):
        NONE = "none", _("None")
        XRECHNUNG = "xrechnung", _("XRechnung")
        ZUGFERD = "zugferd", _("ZUGFeRD")

    class IdDocumentType(models.TextChoices):
        ID_CARD = "id_card", _("Identity card")
        PASSPORT = "passport", _("Passport")
        RESIDENCE_PERMIT = "residence_permit", _("Residence permit")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="customers")
    number = models.PositiveBigIntegerField(_("customer number"), editable=False)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.PERSON)
    main_customer = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sub_customers",
        verbose_name=_("main customer"),
    )
    home_station = models.ForeignKey(
        Station, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("home station")
    )

    # Address & communication
    salutation = models.CharField(_("salutation"), max_length=30, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    address_extra = models.CharField(_("address line 2"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"), default="DE", blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail (standard)"), blank=True)
    email_invoices = models.EmailField(
        _("e-mail for invoices"), blank=True, help_text=_("Empty: invoices go to the standard address.")
    )
    email_bookings = models.EmailField(
        _("e-mail for booking confirmations"),
        blank=True,
        help_text=_("Empty: booking confirmations go to the standard address."),
    )
    licence_class = models.CharField(_("driving-licence class"), max_length=40, blank=True)

    # Contract, licence and identity
    contract_start = models.DateField(_("contract start"), null=True, blank=True, validators=[date_in_window])
    contract_end = models.DateField(
        _("contract end"),
        null=True,
        blank=True,
        help_text=_("No new bookings after this date."),
        validators=[date_in_window],
    )
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Time limit of the customer."), validators=[date_in_window]
    )
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    nationality = CountryField(_("nationality"), blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True, validators=[date_in_window])
    licence_number = models.CharField(_("driving-licence number"), max_length=50, blank=True)
    licence_issued_on = models.DateField(
        _("driving licence issued on"), null=True, blank=True, validators=[date_in_window]
    )
    licence_authority = models.CharField(_("issuing authority (licence)"), max_length=120, blank=True)
    licence_expires_on = models.DateField(
        _("driving licence valid until"), null=True, blank=True, validators=[date_in_window]
    )
    id_document_type = models.CharField(_("ID document"), max_length=20, choices=IdDocumentType.choices, blank=True)
    id_document_number = models.CharField(_("ID document number"), max_length=50, blank=True)
    id_document_authority = models.CharField(_("issuing authority (ID)"), max_length=120, blank=True)
    id_document_expires_on = models.DateField(
        _("ID document valid until"), null=True, blank=True, validators=[date_in_window]
    )
    is_blocked = models.BooleanField(_("blocked"), default=False)
    blocked_reason = models.CharField(_("reason for blocking"), max_length=300, blank=True)
    blocked_at = models.DateTimeField(_("blocked at"), null=True, blank=True, validators=[date_in_window])

    # Licence check
    licence_check_interval_months = models.PositiveSmallIntegerField(
        _("licence check interval (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: no periodic licence check."),
    )
    licence_checked_at = models.DateField(
        _("licence last checked on"), null=True, blank=True, validators=[date_in_window]
    )
    licence_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("licence checked by"),
    )

    # Cards, permissions, attributes
    allowed_vehicle_groups = models.ManyToManyField(
        "vehicles.VehicleGroup",
        blank=True,
        related_name="+",
        verbose_name=_("bookable vehicle groups"),
        help_text=_("Empty: all vehicle groups."),
    )
    allowed_stations = models.ManyToManyField(
        Station, blank=True, related_name="+", verbose_name=_("bookable stations"), help_text=_("Empty: all stations.")
    )
    attributes = models.ManyToManyField(
        CustomerAttribute, blank=True, related_name="customers", verbose_name=_("attributes")
    )

    # Billing
    iban = models.CharField(_("IBAN"), max_length=40, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    account_holder = models.CharField(_("account holder"), max_length=200, blank=True)
    sepa_mandate_reference = models.CharField(_("SEPA mandate reference"), max_length=35, blank=True)
    sepa_mandate_date = models.DateField(
        _("SEPA mandate signed on"), null=True, blank=True, validators=[date_in_window]
    )
    invoice_recipient = models.TextField(
        _("invoice recipient"), blank=True, help_text=_("Different recipient address for invoices, if any.")
    )
    debtor_account = models.CharField(_("fixed debtor account"), max_length=30, blank=True)
    payment_method = models.CharField(
        _("payment method"), max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.INVOICE
    )
    credit_check_result = models.CharField(_("credit check result"), max_length=200, blank=True)
    credit_check_date = models.DateField(_("credit check date"), null=True, blank=True, validators=[date_in_window])
    einvoice_mode = models.CharField(
        _("e-invoice mode"), max_length=10, choices=EInvoiceMode.choices, default=EInvoiceMode.NONE
    )
    leitweg_id = models.CharField(_("Leitweg-ID"), max_length=50, blank=True)

    # Configuration
    statistics_relevant = models.BooleanField(_("statistics-relevant"), default=True)
    passwordless_fleet_query = models.BooleanField(_("password-less fleet query"), default=False)
    customer_group = models.CharField(
        _("customer group"), max_length=20, choices=Group.choices, default=Group.PRIVATE_INDIVIDUAL
    )
    may_view_other_bookings = models.BooleanField(_("may view other customers' bookings"), default=False)
    may_view_other_master_data = models.BooleanField(_("may view other customers' master data"), default=False)
    transferable_access_card = models.BooleanField(_("transferable access card"), default=False)
    language_code = models.CharField(
        _("language"), max_length=10, blank=True, help_text=_("e.g. de, en, fr_FR; empty: organization default.")
    )
    additional_parallel_bookings = models.PositiveSmallIntegerField(
        _("additional parallel bookings"),
        null=True,
        blank=True,
        help_text=_("0 = one booking at a time, 1 = two, … Empty: organization default."),
    )
    is_internal = models.BooleanField(_("internal customer"), default=False)
    do_not_delete = models.BooleanField(
        _("do not delete"), default=False, help_text=_("Excluded from deletion and the deletion routine.")
    )

    # Customer permissions; None means "use the organization's default" (CustomerSettings).
    may_reserve = models.BooleanField(_("may reserve"), null=True, blank=True)
    may_book_online = models.BooleanField(_("may book online"), null=True, blank=True)
    may_use_portal = models.BooleanField(_("may use the customer portal"), null=True, blank=True)
    may_pay_by_invoice = models.BooleanField(_("may pay by invoice"), null=True, blank=True)

    notes = models.TextField(_("notes"), blank=True)

    search_text = models.TextField(editable=False, default="")
    # Last name, first name, company in German dictionary order (customers.search.sort_key).
    sort_name = models.CharField(max_length=410, editable=False, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    objects = ScopedManager(organization="organization")

    PERMISSION_FIELDS = ("may_reserve", "may_book_online", "may_use_portal", "may_pay_by_invoice")
    # Labels of activity-log keys that are not fields (written by the merge).
    ACTIVITY_LABELS = {"merged_with": _("Merged with"), "moved_records": _("Records moved over")}

    class Meta:
        ordering = ["sort_name", "number"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="uniq_customer_number"),
        ]
        indexes = [
            GinIndex(OpClass("search_text", name="gin_trgm_ops"), name="customer_search_trgm"),
            models.Index(fields=["organization", "sort_name"], name="customer_org_sort"),
            # The list's customer-group filter, already in the list's name order.
            models.Index(fields=["organization", "customer_group", "sort_name"], name="customer_org_group_sort"),
            # The dashboard's counts at a million customers: index-only instead of a full scan.
            models.Index(
                fields=["organization"], condition=models.Q(anonymised_at__isnull=True), name="customer_org_current"
            ),
            models.Index(fields=["organization"], condition=models.Q(is_blocked=True), name="customer_org_blocked"),
            models.Index(
                fields=["organization", "licence_checked_at"],
                condition=models.Q(licence_check_interval_months__isnull=False),
                name="customer_org_licence_check",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.number})"

    def save(self, *args, **kwargs):
        self.sort_name_refresh()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sort_name"}
        super().save(*args, **kwargs)

    def sort_name_refresh(self) -> None:
        """Sorted by what the list shows first: the company of a legal entity, else the person's name."""
        from ..search import sort_key

        if self.kind == self.Kind.LEGAL_ENTITY and self.company.strip():
            self.sort_name = sort_key(self.company, self.last_name, self.first_name)
        else:
            self.sort_name = sort_key(self.last_name, self.first_name, self.company)

    @property
    def display_name(self) -> str:
        person = " ".join(p for p in (self.first_name, self.last_name) if p)
        if self.kind == self.Kind.LEGAL_ENTITY and self.company:
            return self.company + (f" – {person}" if person else "")
        return person or self.company or "–"

    def clean(self):
        errors = {}
        if self.einvoice_mode == self.EInvoiceMode.XRECHNUNG and not self.leitweg_id.strip():
            errors["leitweg_id"] = _("A Leitweg-ID is required for XRechnung.")
        if self.kind == self.Kind.LEGAL_ENTITY and not self.company.strip():
            errors["company"] = _("Enter the company name of a legal entity.")
        if self.kind == self.Kind.PERSON and not (self.last_name.strip() or self.company.strip()):
            errors["last_name"] = _("Enter a last name.")
        if self.contract_start and self.contract_end and self.contract_end < self.contract_start:
            errors["contract_end"] = _("The contract cannot end before it starts.")
        if self.main_customer_id and self.pk and self.main_customer_id == self.pk:
            errors["main_customer"] = _("A customer cannot be its own main customer.")
        if self.main_customer_id and self.main_customer and self.main_customer.main_customer_id:
            errors["main_customer"] = _("A sub-customer cannot be a main customer.")
        errors.update(self._clean_dates())
        errors.update(self._clean_contact())
        errors.update(self._clean_bank())
        if self.is_blocked and not self.blocked_reason.strip():
            errors["blocked_reason"] = _("Give a reason for blocking the customer.")
        if errors:
            raise ValidationError(errors)

    def _clean_contact(self) -> dict:
        """German postcodes have five digits; phone numbers must be real numbers of the customer's
        country (typed nationally or with +country code; stored as typed)."""
        import phonenumbers

        errors = {}
        country = (getattr(self.country, "code", None) or str(self.country or "") or "DE").upper()
        self.postal_code = self.postal_code.strip()
        if country == "DE" and self.postal_code and not re.fullmatch(r"\d{5}", self.postal_code):
            errors["postal_code"] = _("A German postcode has five digits.")
        for field in ("phone", "mobile"):
            value = getattr(self, field).strip()
            if not value:
                continue
            try:
                valid = phonenumbers.is_valid_number(phonenumbers.parse(value, country))
            except phonenumbers.NumberParseException:
                valid = False
            if not valid:
                errors[field] = _("Enter a valid phone number, e.g. 089 123456 or +49 89 123456.")
        return errors

    def _clean_dates(self) -> dict:
        """Dates that cannot be true (issue 7): a future birth, a licence issued in the future or expiring
        before it was issued, a check "done" in the future (it would silence the escalation e-mails)."""
        today = timezone.localdate()
        errors = {}
        if self.date_of_birth and self.date_of_birth > today:
            errors["date_of_birth"] = _("The date of birth cannot lie in the future.")
        if self.licence_issued_on and self.licence_issued_on > today:
            errors["licence_issued_on"] = _("The licence cannot have been issued in the future.")
        elif self.licence_issued_on and self.date_of_birth and self.licence_issued_on <= self.date_of_birth:
            errors["licence_issued_on"] = _("The licence cannot have been issued before the date of birth.")
        if self.licence_expires_on and self.licence_issued_on and self.licence_expires_on < self.licence_issued_on:
            errors["licence_expires_on"] = _("The licence cannot expire before it was issued.")
        if self.licence_checked_at and self.licence_checked_at > today:
            errors["licence_checked_at"] = _("The licence check cannot lie in the future.")
        return errors

    def _clean_bank(self) -> dict:
        from schwifty import BIC, IBAN
        from schwifty.exceptions import SchwiftyException

        errors = {}
        if self.iban.strip():
            try:
                self.iban = IBAN(self.iban).compact
            except SchwiftyException as exc:
                errors["iban"] = _("This IBAN is not valid (%(reason)s).") % {"reason": _bank_reason(exc)}
        if self.bic.strip():
            try:
                self.bic = BIC(self.bic).compact
            except SchwiftyException as exc:
                errors["bic"] = _("This BIC is not valid (%(reason)s).") % {"reason": _bank_reason(exc)}
        return errors

    EMAIL_PURPOSES = ("standard", "invoice", "booking")

    def email_for(self, purpose: str = "standard") -> str:
        """The one place of the e-mail fallback rule (seed 003): the invoice and booking-confirmation
        addresses win for their purpose when set; otherwise the standard address is used."""
        if purpose == "invoice" and self.email_invoices:
            return self.email_invoices
        if purpose == "booking" and self.email_bookings:
            return self.email_bookings
        if purpose not in self.EMAIL_PURPOSES:
            raise ValueError(f"unknown e-mail purpose {purpose!r}")
        return self.email

    @property
    def message_language(self) -> str:
        """The language messages to the customer go out in: theirs if the product speaks it, else the
        organization's default (every sender uses this, like `email_for`)."""
        supported = {code for code, _name in settings.LANGUAGES}
        for candidate in (self.language_code, self.organization.default_language, settings.LANGUAGE_CODE):
            code = (candidate or "")[:2].lower()
            if code in supported:
                return code
        return "de"

    def may_book_on(self, day: dt.date) -> bool:
        """Whether new bookings are allowed for a day (block, termination, time limit)."""
        if self.is_blocked or self.anonymised_at:
            return False
        if self.contract_end and day > self.contract_end:
            return False
        return not (self.valid_until and day > self.valid_until)

    @property
    def licence_check_due_on(self) -> dt.date | None:
        if not self.licence_check_interval_months:
            return None
        if not self.licence_checked_at:
            return self.created_at.date() if self.created_at else None
        from dateutil.relativedelta import relativedelta

        return self.licence_checked_at + relativedelta(months=self.licence_check_interval_months)


def _bank_reason(exc: Exception) -> str:
    """schwifty explains in English; the user reads the reason in the UI language."""
    reasons = {
        "InvalidLength": _("wrong length"),
        "InvalidStructure": _("wrong structure"),
        "InvalidChecksumDigits": _("wrong check digits"),
        "InvalidCountryCode": _("unknown country code"),
        "InvalidBankCode": _("unknown bank code"),
        "InvalidBranchCode": _("unknown branch code"),
        "InvalidAccountCode": _("invalid account number"),
        "InvalidBBANChecksum": _("wrong account check digits"),
    }
    return str(reasons.get(type(exc).__name__, _("not recognised")))


class AccessCard(models.Model):
    """An access card; cards are created in a pool and assigned to customers for a period."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="access_cards")
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_cards",
        verbose_name=_("customer"),
    )
    number = models.CharField(_("card number"), max_length=40)
    valid_from = models.DateField(_("valid from"), null=True, blank=True, validators=[date_in_window])
    valid_until = models.DateField(_("valid until"), null=True, blank=True, validators=[date_in_window])

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["number"]
        verbose_name = _("access card")
        verbose_name_plural = _("access cards")
        constraints = [models.UniqueConstraint(Upper("number"), "organization", name="uniq_access_card_number")]

    def __str__(self) -> str:
        return self.number

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The card cannot expire before it becomes valid.")})

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_scopes import ScopedManager

from ..fields import EncryptedTextField

operator_code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9_-]{1,29}$",
    _("Use 2–30 capital letters, digits, '-' or '_'."),
)


class Organization(models.Model):
    """The tenant: a rental operator or dealership group. All business data belongs to one."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("URL name"), max_length=50, unique=True)
    operator_code = models.CharField(
        _("operator code"),
        max_length=30,
        unique=True,
        validators=[operator_code_validator],
        help_text=_("Customers enter this code when they log into the portal."),
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"), default="DE")
    vat_id = models.CharField(_("VAT ID"), max_length=30, blank=True)
    tax_number = models.CharField(_("tax number"), max_length=30, blank=True)
    default_language = models.CharField(
        _("default language"), max_length=10, default="de", choices=[("de", _("German")), ("en", _("English"))]
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR", editable=False)
    invoice_number_prefix = models.CharField(_("invoice number prefix"), max_length=20, default="RE-")
    contract_number_prefix = models.CharField(_("contract number prefix"), max_length=20, default="MV-")
    logo = models.ImageField(_("logo"), upload_to="org-logos/", blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    office_email = models.EmailField(
        _("office e-mail for escalations"),
        blank=True,
        help_text=_("Receives copies of escalations such as overdue licence checks."),
    )
    stripe_publishable_key = models.CharField(_("Stripe publishable key"), max_length=200, blank=True)
    stripe_secret_key = EncryptedTextField(_("Stripe secret key"), blank=True)
    stripe_webhook_secret = EncryptedTextField(_("Stripe webhook secret"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.operator_code = (self.operator_code or "").strip().upper()
        super().save(*args, **kwargs)


class NumberSequence(models.Model):
    """Per-organization counters for numbers shown to people; they never repeat."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="sequences")
    name = models.CharField(max_length=50)
    last_value = models.PositiveBigIntegerField(default=0)

    objects = ScopedManager(organization="organization")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="uniq_sequence_per_org")]

    def __str__(self) -> str:
        return f"{self.organization_id}:{self.name}={self.last_value}"

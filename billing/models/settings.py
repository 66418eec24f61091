from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from rentoffice.models import Organization

invoice_prefix_validator = RegexValidator(
    r"^[A-Za-z0-9/_.-]{0,20}$", _("Use up to 20 letters, digits, '-', '_', '/' or '.'.")
)


class BillingSettings(models.Model):
    """An organization's billing rules and the details its invoices print (one row, defaults when absent).

    The Stripe keys stay on `Organization` (encrypted, managed on the organization settings page) —
    see docs/billing.md.
    """

    class SettlementMode(models.TextChoices):
        AUTOMATIC = "automatic", _("automatically after check-in")
        CONFIRM = "confirm", _("after one click by staff")

    class HoldExpiry(models.TextChoices):
        REAUTHORISE = "reauthorise", _("place a new hold on the stored card")
        CAPTURE = "capture", _("capture the hold")
        WARN = "warn", _("only warn")

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="billing_settings")
    invoice_prefix = models.CharField(
        _("invoice number prefix"),
        max_length=20,
        default="RE-",
        blank=True,
        validators=[invoice_prefix_validator],
        help_text=_("Put in front of the consecutive number, e.g. RE-2026-."),
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), default=14, validators=[MaxValueValidator(365)]
    )
    settlement_mode = models.CharField(
        _("settlement after check-in"), max_length=20, choices=SettlementMode.choices, default=SettlementMode.CONFIRM
    )
    hold_expiry = models.CharField(
        _("when a deposit hold is about to expire"),
        max_length=20,
        choices=HoldExpiry.choices,
        default=HoldExpiry.REAUTHORISE,
    )
    # Payment at booking (seed 001: one day's rent by card plus the deposit hold).
    charge_first_day = models.BooleanField(_("charge one day's rent at booking"), default=True)
    fuel_price_per_eighth = models.DecimalField(
        _("fuel charge per missing eighth (gross)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("12.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    # What a damage found new at check-in costs until staff enter the real amount (settlement page).
    damage_charge_minor = models.DecimalField(
        _("damage charge, minor (gross)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("150.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    damage_charge_medium = models.DecimalField(
        _("damage charge, medium (gross)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("500.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    damage_charge_major = models.DecimalField(
        _("damage charge, major (gross)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("1000.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    vat_rate = models.DecimalField(
        _("VAT rate for free lines (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("19.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    iban = models.CharField(_("IBAN"), max_length=40, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    invoice_footer = models.TextField(_("invoice footer"), blank=True, max_length=1000)

    objects = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("billing settings")
        verbose_name_plural = _("billing settings")

    def __str__(self) -> str:
        return f"billing settings {self.organization_id}"

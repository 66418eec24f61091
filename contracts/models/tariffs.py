from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from rentoffice.models import Organization, Station
from rentoffice.validators import date_in_window
from vehicles.models import VehicleGroup

MONEY = {"max_digits": 10, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
VAT_RATE = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Tariff(models.Model):
    """Prices of a vehicle group, optionally only at one station, for a validity window.

    Contracts copy their priced lines at booking; editing a tariff changes nothing already booked
    until someone reloads the contract's price.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="tariffs")
    name = models.CharField(_("name"), max_length=100)
    vehicle_group = models.ForeignKey(
        VehicleGroup, on_delete=models.PROTECT, related_name="tariffs", verbose_name=_("vehicle group")
    )
    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tariffs",
        verbose_name=_("station"),
        help_text=_("Empty: valid at every station."),
    )
    valid_from = models.DateField(_("valid from"), validators=[date_in_window])
    valid_until = models.DateField(_("valid until"), null=True, blank=True, validators=[date_in_window])
    prices_include_vat = models.BooleanField(
        _("prices include VAT"), default=True, help_text=_("Gross prices, as shown to private customers.")
    )
    price_per_day = models.DecimalField(_("price per day"), validators=NON_NEGATIVE, **MONEY)
    price_per_hour = models.DecimalField(_("price per hour"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    price_per_weekend = models.DecimalField(
        _("price per weekend"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    price_per_week = models.DecimalField(_("price per week"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    price_per_month = models.DecimalField(_("price per month"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    included_km_per_day = models.PositiveIntegerField(_("included km per day"), default=0)
    price_per_extra_km = models.DecimalField(
        _("price per extra km"), max_digits=8, decimal_places=3, default=Decimal("0"), validators=NON_NEGATIVE
    )
    deposit = models.DecimalField(_("deposit"), default=Decimal("0"), validators=NON_NEGATIVE, **MONEY)
    vat_rate = models.DecimalField(
        _("VAT rate (%)"), max_digits=5, decimal_places=2, default=Decimal("19.00"), validators=VAT_RATE
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager(organization="organization")

    record_kind = "tariff"

    class Meta:
        ordering = ["vehicle_group__sort_order", "vehicle_group__name", "name"]
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        indexes = [models.Index(fields=["organization", "vehicle_group", "valid_from"], name="tariff_org_group_from")]

    def __str__(self) -> str:
        return self.name


class Extra(models.Model):
    """An optional extra a tariff offers (additional driver, child seat, insurance, one-way fee)."""

    class Kind(models.TextChoices):
        ADDITIONAL_DRIVER = "additional_driver", _("additional driver")
        CHILD_SEAT = "child_seat", _("child seat")
        INSURANCE = "insurance", _("insurance")
        ONE_WAY = "one_way", _("one-way fee")
        OTHER = "other", _("other")

    class Charge(models.TextChoices):
        PER_DAY = "per_day", _("per day")
        PER_RENTAL = "per_rental", _("per rental")

    tariff = models.ForeignKey(Tariff, on_delete=models.CASCADE, related_name="extras", verbose_name=_("tariff"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    name = models.CharField(_("name"), max_length=100)
    charge = models.CharField(_("charged"), max_length=20, choices=Charge.choices, default=Charge.PER_DAY)
    price = models.DecimalField(_("price"), validators=NON_NEGATIVE, **MONEY)
    # Optional ceiling for per-day extras ("max. 60 € per rental").
    max_price = models.DecimalField(_("maximum per rental"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("extra")
        verbose_name_plural = _("extras")

    def __str__(self) -> str:
        return self.name

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from rentoffice.images import StoredImage
from rentoffice.models import Organization, Station
from rentoffice.validators import date_in_window

from ..identifiers import plate_compact, plate_normalize, plate_validate, vin_normalize, vin_validate
from .groups import VehicleGroup


class Vehicle(models.Model):
    """A vehicle of the fleet. Never deleted once it has history: it is retired instead."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("available")
        RENTED = "rented", _("rented")
        WORKSHOP = "workshop", _("in workshop")
        RETIRED = "retired", _("retired")

    class Fuel(models.TextChoices):
        PETROL = "petrol", _("petrol")
        DIESEL = "diesel", _("diesel")
        ELECTRIC = "electric", _("electric")
        HYBRID = "hybrid", _("hybrid")
        PLUGIN_HYBRID = "plugin_hybrid", _("plug-in hybrid")
        LPG = "lpg", _("LPG")
        CNG = "cng", _("CNG")
        HYDROGEN = "hydrogen", _("hydrogen")

    class Transmission(models.TextChoices):
        MANUAL = "manual", _("manual")
        AUTOMATIC = "automatic", _("automatic")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="vehicles")
    plate = models.CharField(_("number plate"), max_length=15, validators=[plate_validate])
    vin = models.CharField(
        _("VIN"),
        max_length=17,
        blank=True,
        validators=[vin_validate],
        help_text=_("Vehicle identification number, 17 characters."),
    )
    make = models.CharField(_("make"), max_length=60)
    model = models.CharField(_("model"), max_length=60)
    variant = models.CharField(_("variant"), max_length=100, blank=True)
    group = models.ForeignKey(
        VehicleGroup, on_delete=models.PROTECT, related_name="vehicles", verbose_name=_("vehicle group")
    )
    home_station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="home_vehicles", verbose_name=_("home station")
    )
    current_station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="current_vehicles", verbose_name=_("current station")
    )
    first_registration = models.DateField(_("first registration"), null=True, blank=True, validators=[date_in_window])
    fuel_type = models.CharField(_("fuel type"), max_length=20, choices=Fuel.choices, default=Fuel.PETROL)
    transmission = models.CharField(
        _("transmission"), max_length=20, choices=Transmission.choices, default=Transmission.MANUAL
    )
    seats = models.PositiveSmallIntegerField(
        _("seats"), default=5, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    current_km = models.PositiveIntegerField(_("current km"), default=0, editable=False)
    fuel_level = models.PositiveSmallIntegerField(
        _("fuel level (eighths)"),
        default=8,
        validators=[MaxValueValidator(8)],
        help_text=_("0 = empty, 8 = full (battery charge for electric vehicles)."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.AVAILABLE)
    status_reason = models.CharField(_("reason for the status"), max_length=200, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now, validators=[date_in_window])
    next_inspection = models.DateField(_("next inspection (HU)"), null=True, blank=True, validators=[date_in_window])
    notes = models.TextField(_("notes"), blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True, validators=[date_in_window])
    # Lower-cased plate (also without separators), VIN, make, model and variant for the trigram index.
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager(organization="organization")

    record_kind = "vehicle"

    class Meta:
        ordering = ["plate"]
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "plate"],
                condition=~Q(status="retired"),
                name="uniq_active_vehicle_plate",
                violation_error_message=_("Another active vehicle already has this number plate."),
            ),
            models.UniqueConstraint(
                fields=["organization", "vin"],
                condition=~Q(status="retired") & ~Q(vin=""),
                name="uniq_active_vehicle_vin",
                violation_error_message=_("Another active vehicle already has this VIN."),
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "plate"], name="vehicle_org_status_plate"),
            models.Index(fields=["organization", "current_station", "plate"], name="vehicle_org_cur_station"),
            models.Index(fields=["organization", "home_station", "plate"], name="vehicle_org_home_station"),
            models.Index(fields=["organization", "group", "plate"], name="vehicle_org_group"),
            GinIndex(fields=["search_text"], opclasses=["gin_trgm_ops"], name="vehicle_search_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.plate} · {self.make} {self.model}"

    def save(self, *args, **kwargs):
        self.plate = plate_normalize(self.plate)
        self.vin = vin_normalize(self.vin)
        self.search_text = " ".join(
            part
            for part in (
                self.plate.lower(),
                plate_compact(self.plate),
                self.vin.lower(),
                self.make.lower(),
                self.model.lower(),
                self.variant.lower(),
            )
            if part
        )
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"search_text", "plate", "vin"}
        super().save(*args, **kwargs)

    def clean(self):
        self.plate = plate_normalize(self.plate)
        self.vin = vin_normalize(self.vin)
        errors = {}
        for field in ("group", "home_station", "current_station"):
            related = getattr(self, field, None) if getattr(self, f"{field}_id") else None
            if related is not None and related.organization_id != self.organization_id:
                errors[field] = _("Choose one of your organization's entries.")
        if self.first_registration and self.first_registration > timezone.localdate():
            errors["first_registration"] = _("The first registration cannot lie in the future.")
        elif self.first_registration and self.next_inspection and self.next_inspection < self.first_registration:
            errors["next_inspection"] = _("The next inspection (HU) cannot lie before the first registration.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_retired(self) -> bool:
        return self.status == self.Status.RETIRED

    @property
    def fuel_level_display(self) -> str:
        return f"{self.fuel_level}/8"


class KmReading(models.Model):
    """One odometer reading. Readings are only added (through `km_reading_record`), never edited."""

    class Source(models.TextChoices):
        STAFF = "staff", _("staff")
        CHECKOUT = "checkout", _("check-out")
        CHECKIN = "checkin", _("check-in")
        PORTAL = "portal", _("customer portal")
        PROTOCOL = "protocol", _("protocol")
        CONDITION = "condition", _("condition record")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="km_readings")
    km = models.PositiveIntegerField(_("km"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.STAFF)
    recorded_at = models.DateTimeField(_("read at"), default=timezone.now, validators=[date_in_window])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    override_reason = models.CharField(_("reason for the override"), max_length=300, blank=True)
    implausible_confirmed = models.BooleanField(_("implausible jump confirmed"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("km reading")
        verbose_name_plural = _("km readings")
        indexes = [models.Index(fields=["vehicle", "-recorded_at"], name="kmreading_vehicle_time")]

    def __str__(self) -> str:
        return f"{self.km} km"


class VehiclePhoto(StoredImage):
    image_prefix = "vehicles"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="photos")
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("vehicle photo")
        verbose_name_plural = _("vehicle photos")

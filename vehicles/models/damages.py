import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from rentoffice.images import StoredImage
from rentoffice.models import Organization
from rentoffice.validators import date_in_window

from .vehicles import Vehicle


class Damage(models.Model):
    """One damage of a vehicle, for its whole life from the report to the repair or the claim."""

    class View(models.TextChoices):
        """The drawings of the vehicle sketch (see `vehicles/sketch.py`)."""

        TOP = "top", _("top")
        LEFT = "left", _("left side")
        RIGHT = "right", _("right side")
        FRONT = "front", _("front")
        REAR = "rear", _("rear")

    class Area(models.TextChoices):
        FRONT = "front", _("front")
        REAR = "rear", _("rear")
        LEFT = "left", _("left")
        RIGHT = "right", _("right")
        ROOF = "roof", _("roof")
        INTERIOR = "interior", _("interior")
        GLASS = "glass", _("glass")
        WHEELS = "wheels", _("wheels")

    class Severity(models.TextChoices):
        MINOR = "minor", _("minor")
        MEDIUM = "medium", _("medium")
        MAJOR = "major", _("major")

    class Source(models.TextChoices):
        STAFF = "staff", _("staff")
        CHECKOUT = "checkout", _("check-out")
        CHECKIN = "checkin", _("check-in")
        PORTAL = "portal", _("customer portal")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_REPAIR = "in_repair", _("in repair")
        REPAIRED = "repaired", _("repaired")
        CHARGED = "charged", _("charged to customer")
        INSURANCE = "insurance", _("insurance claim")

    # Statuses after which the damage is no longer visible on the car.
    CLOSED_STATUSES = (Status.REPAIRED,)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="damages", verbose_name=_("vehicle"))
    view = models.CharField(_("sketch view"), max_length=10, choices=View.choices, blank=True)
    x = models.DecimalField(
        _("x position (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    y = models.DecimalField(
        _("y position (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    description = models.TextField(_("description"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MINOR)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.STAFF)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now, validators=[date_in_window])
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now, validators=[date_in_window])
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    record_kind = "damage"

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("damage")
        verbose_name_plural = _("damages")
        indexes = [models.Index(fields=["vehicle", "status"], name="damage_vehicle_status")]
        constraints = [
            # A position is complete or absent: a point without its drawing cannot be shown.
            models.CheckConstraint(
                condition=(Q(view="") & Q(x__isnull=True) & Q(y__isnull=True))
                | (~Q(view="") & Q(x__isnull=False) & Q(y__isnull=False)),
                name="damage_position_complete",
                violation_error_message=_("Mark the position on the sketch or leave it out completely."),
            ),
        ]

    def __str__(self) -> str:
        return _("Damage #%(number)s (%(area)s)") % {"number": self.pk, "area": self.get_area_display()}

    def clean(self):
        # A few minutes of leeway for clocks of phones and browsers.
        if self.reported_at and self.reported_at > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError({"reported_at": _("A damage cannot be reported in the future.")})

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED_STATUSES

    @property
    def has_position(self) -> bool:
        return bool(self.view) and self.x is not None and self.y is not None


class DamageStatusChange(models.Model):
    """The history of a damage: each status with its date and note (repair order, claim number)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    damage = models.ForeignKey(Damage, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("status"), max_length=20, choices=Damage.Status.choices)
    date = models.DateField(_("date"), default=timezone.localdate, validators=[date_in_window])
    note = models.CharField(_("note"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["date", "created_at", "id"]
        verbose_name = _("damage status change")
        verbose_name_plural = _("damage status changes")

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.date})"


class DamagePhoto(StoredImage):
    image_prefix = "damages"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    damage = models.ForeignKey(Damage, on_delete=models.CASCADE, related_name="photos")

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("damage photo")
        verbose_name_plural = _("damage photos")

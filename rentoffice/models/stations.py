from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager
from phonenumber_field.modelfields import PhoneNumberField

from ..validators import date_in_window
from .organizations import Organization


class Region(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="regions")
    name = models.CharField(_("name"), max_length=100)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="uniq_region_name")]

    def __str__(self) -> str:
        return self.name


class Station(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="stations")
    region = models.ForeignKey(
        Region, on_delete=models.SET_NULL, null=True, blank=True, related_name="stations", verbose_name=_("region")
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=20, help_text=_("Short code, e.g. MUC1."))
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True, region="DE")
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["name"]
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="uniq_station_code")]
        # Granted per station with django-guardian: a station lead keeps their own station's details
        # and opening hours up to date without the organization-wide "stations.manage".
        permissions = [("manage_station", _("Can edit this station's details and opening hours"))]

    def __str__(self) -> str:
        return self.name


class Brand(models.Model):
    """A brand a dealership (station) sells or services; one per station is its main brand, the
    default on new dealer cases. Per-brand checklists and templates hang on these rows."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="brands")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="brands", verbose_name=_("station"))
    name = models.CharField(_("name"), max_length=60)
    is_main = models.BooleanField(_("main brand"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Design of the customer page of dealer cases (fleetback): "#rrggbb" and a logo cleaned by the
    # image pipeline; empty = the neutral look and the organization's logo.
    colour = models.CharField(
        _("brand colour"),
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #rrggbb, e.g. #001e50."))],
    )
    logo = models.ImageField(_("brand logo"), upload_to="brand-logos/", blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["station", "position", "name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        constraints = [
            models.UniqueConstraint(fields=["station", "name"], name="uniq_brand_per_station"),
            models.UniqueConstraint(
                fields=["station"], condition=models.Q(is_main=True), name="one_main_brand_per_station"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening interval on a weekday; a day may have several (e.g. a lunch break)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(condition=models.Q(closes__gt=models.F("opens")), name="opening_closes_after_opens")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class OpeningException(models.Model):
    """A date on which the station is closed or has special hours (holidays, events)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="opening_exceptions")
    date = models.DateField(_("date"), validators=[date_in_window])
    closed = models.BooleanField(_("closed all day"), default=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("opening exception")
        verbose_name_plural = _("opening exceptions")
        constraints = [models.UniqueConstraint(fields=["station", "date"], name="uniq_exception_per_day")]

    def __str__(self) -> str:
        return f"{self.date}"

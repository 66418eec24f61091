from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from rentoffice.images import StoredImage
from rentoffice.models import Organization
from rentoffice.validators import date_in_window

from .vehicles import Vehicle


class ConditionRecord(models.Model):
    """The state of a vehicle at a moment (Zustand): photos, a note and the km.

    Protocols (a later app) create these at check-out/check-in and point to them.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.PROTECT, related_name="condition_records", verbose_name=_("vehicle")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, validators=[date_in_window])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    km = models.PositiveIntegerField(_("km"), null=True, blank=True)
    # The reading this record's km went into the history as (the km service's rules apply to it).
    km_reading = models.OneToOneField(
        "vehicles.KmReading",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="condition_record",
        verbose_name=_("km reading"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    record_kind = "condition_record"

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("condition record")
        verbose_name_plural = _("condition records")

    def __str__(self) -> str:
        return _("Condition on %(date)s") % {
            "date": formats.date_format(timezone.localtime(self.recorded_at), "SHORT_DATE_FORMAT")
        }


class ConditionPhoto(StoredImage):
    image_prefix = "condition"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(ConditionRecord, on_delete=models.CASCADE, related_name="photos")

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("condition photo")
        verbose_name_plural = _("condition photos")

"""What a dealership prepares for its cases: checklists per brand and predefined messages.

Kept deliberately simple here; the full configuration (templates per brand, reminders) hangs on
the same station and brand keys later."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from rentoffice.models import Brand, Organization, Station

from .cases import Case, Language


class Checklist(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="fleetback_checklists")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="checklists")

    objects = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        constraints = [models.UniqueConstraint(fields=["station", "brand"], name="uniq_checklist_station_brand")]

    def __str__(self) -> str:
        return f"{self.station} · {self.brand}"


class ChecklistItem(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("work"), max_length=200)
    price = models.DecimalField(_("price incl. VAT"), max_digits=10, decimal_places=2, default=Decimal("0"))
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["checklist", "position", "pk"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.title


class PredefinedMessage(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(_("mode"), max_length=12, choices=Case.Mode.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"))
    is_default = models.BooleanField(_("default text of new cases"), default=False)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["mode", "language", "title"]
        verbose_name = _("predefined message")
        verbose_name_plural = _("predefined messages")
        constraints = [
            # The default text of new cases: at most one per mode and language.
            models.UniqueConstraint(
                fields=["organization", "mode", "language"],
                condition=models.Q(is_default=True),
                name="one_default_text_per_mode_language",
            )
        ]

    def __str__(self) -> str:
        return self.title

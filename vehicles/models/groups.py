from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from rentoffice.models import Organization


class VehicleGroup(models.Model):
    """A vehicle category ("Kleinwagen", "Transporter"): the unit of tariffs, availability and permissions."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="vehicle_groups")
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=20)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    photo = models.ImageField(_("photo"), upload_to="vehicle-groups/", blank=True)
    # Filled by the image pipeline together with `photo`; served only through the group photo view.
    photo_thumbnail = models.ImageField(_("photo thumbnail"), upload_to="vehicle-groups/", blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("vehicle group")
        verbose_name_plural = _("vehicle groups")
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="uniq_vehicle_group_code")]

    record_kind = "vehicle_group"

    def __str__(self) -> str:
        return self.name

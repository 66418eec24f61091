from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from rentoffice.models import Organization


class Register(models.TextChoices):
    """The building blocks of a protocol type, shown as steps in this order (see protocols/registers.py)."""

    LONG_TERM = "long_term", _("Long-term (reporting person and km)")
    KM_FUEL = "km_fuel", _("km and fuel")
    CLEANLINESS = "cleanliness", _("Cleanliness")
    DAMAGE = "damage", _("Damages")
    CONDITION = "condition", _("Condition photos")
    NOTES = "notes", _("Notes")
    SIGNATURE = "signature", _("Signatures")
    DISPATCH = "dispatch", _("Dispatch")


class ProtocolKind(models.TextChoices):
    CHECK_OUT = "check_out", _("check-out")
    CHECK_IN = "check_in", _("check-in")
    INTERIM = "interim", _("interim protocol")


class ProtocolType(models.Model):
    """What a protocol asks for: an ordered list of registers. Übergabe and Rücknahme are built in."""

    class Builtin(models.TextChoices):
        CHECK_OUT = "check_out", _("Built-in check-out type")
        CHECK_IN = "check_in", _("Built-in check-in type")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("records"), max_length=20, choices=ProtocolKind.choices)
    # Set on the two types every organization has; they can be adapted but not deleted.
    builtin = models.CharField(_("built in"), max_length=20, choices=Builtin.choices, blank=True, editable=False)
    registers = ArrayField(models.CharField(max_length=20, choices=Register.choices), verbose_name=_("registers"))
    usable_in_portal = models.BooleanField(_("usable in customer interface"), default=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    record_kind = "protocol_type"

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("protocol type")
        verbose_name_plural = _("protocol types")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="uniq_protocol_type_name"),
            models.UniqueConstraint(
                fields=["organization", "builtin"], condition=~Q(builtin=""), name="uniq_protocol_type_builtin"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProtocolSettings(models.Model):
    """Per-organization protocol options; a missing row means the defaults."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="+")
    signatures_required = models.BooleanField(
        _("signatures of customer and staff required at check-out and check-in"), default=True
    )

    objects = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("protocol settings")
        verbose_name_plural = _("protocol settings")

    def __str__(self) -> str:
        return str(_("protocol settings"))

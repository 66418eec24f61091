from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from contracts.models import Contract
from rentoffice.images import StoredImage
from rentoffice.models import Organization, OutboundMessage, Station
from vehicles.models import ConditionRecord, Damage, Vehicle

from .types import ProtocolKind, ProtocolType, Register


def _pdf_upload_to(instance: "Protocol", filename: str) -> str:
    return f"org_{instance.organization_id}/protocols/{instance.pk}/{filename}"


class Protocol(models.Model):
    """One check-out, check-in or interim report of a contract's vehicle.

    Register data lives in typed columns (readings are queried and printed); a draft is saved one
    register at a time (`saved_registers`), so a closed tab loses nothing. Once submitted the row is
    immutable — only the PDF and e-mail bookkeeping columns are still written, by the worker — and a
    correction is a new protocol pointing to it (`corrects`).
    """

    Kind = ProtocolKind

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    class Channel(models.TextChoices):
        BACK_OFFICE = "back_office", _("back office")
        PORTAL = "portal", _("customer portal")

    class Cleanliness(models.TextChoices):
        CLEAN = "clean", _("clean")
        USED = "used", _("normal use")
        DIRTY = "dirty", _("dirty, needs cleaning")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="protocols", verbose_name=_("contract")
    )
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="protocols", verbose_name=_("vehicle"))
    type = models.ForeignKey(ProtocolType, on_delete=models.PROTECT, related_name="protocols", verbose_name=_("type"))
    kind = models.CharField(_("kind"), max_length=20, choices=ProtocolKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    channel = models.CharField(_("recorded in"), max_length=20, choices=Channel.choices, default=Channel.BACK_OFFICE)
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("station")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects protocol"),
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Registers whose draft has been saved at least once, in the order they were saved.
    saved_registers = ArrayField(models.CharField(max_length=20, choices=Register.choices), default=list, blank=True)

    # Long-term register: who reports (a driver of a long-term rental, not necessarily the customer).
    reporter_name = models.CharField(_("reported by (name)"), max_length=120, blank=True)
    # Long-term and km/fuel registers.
    km = models.PositiveIntegerField(_("km reading"), null=True, blank=True)
    km_jump_confirmed = models.BooleanField(_("unusual km jump confirmed"), default=False)
    fuel = models.PositiveSmallIntegerField(
        _("fuel (eighths)"), null=True, blank=True, validators=[MaxValueValidator(8)]
    )
    battery_percent = models.PositiveSmallIntegerField(
        _("battery (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    # Cleanliness register.
    clean_inside = models.CharField(_("inside"), max_length=10, choices=Cleanliness.choices, blank=True)
    clean_outside = models.CharField(_("outside"), max_length=10, choices=Cleanliness.choices, blank=True)
    # Notes register.
    notes = models.TextField(_("notes"), blank=True)

    # Written at submission: the vehicle's condition record of this moment (km, photos, note).
    condition_record = models.OneToOneField(
        ConditionRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="protocol",
        verbose_name=_("condition record"),
    )
    # Worker bookkeeping after submission (the only columns that change on a submitted protocol).
    pdf = models.FileField(_("PDF"), upload_to=_pdf_upload_to, blank=True)
    pdf_generated_at = models.DateTimeField(_("PDF generated at"), null=True, blank=True)
    email_message = models.ForeignKey(
        OutboundMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    record_kind = "protocol"

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("protocol")
        verbose_name_plural = _("protocols")
        indexes = [
            models.Index(fields=["contract", "kind", "status"], name="protocol_contract_kind"),
            models.Index(fields=["vehicle", "-submitted_at"], name="protocol_vehicle_submitted"),
        ]
        constraints = [
            # One open draft per contract and kind: a second tab continues the same draft.
            models.UniqueConstraint(
                fields=["contract", "kind"], condition=Q(status="draft"), name="uniq_protocol_draft"
            ),
            models.CheckConstraint(
                condition=Q(status="draft", submitted_at__isnull=True)
                | Q(status="submitted", submitted_at__isnull=False),
                name="protocol_submitted_at_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return _("%(kind)s protocol of %(contract)s") % {"kind": self.get_kind_display(), "contract": self.contract_id}

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class ProtocolPhoto(StoredImage):
    """A condition photo of one view of the vehicle, taken during a protocol."""

    class View(models.TextChoices):
        FRONT = "front", _("front")
        REAR = "rear", _("rear")
        LEFT = "left", _("left side")
        RIGHT = "right", _("right side")
        INTERIOR = "interior", _("interior")
        DASHBOARD = "dashboard", _("dashboard")

    image_prefix = "protocols"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="photos")
    view = models.CharField(_("view"), max_length=20, choices=View.choices)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["protocol", "view", "uploaded_at", "id"]
        verbose_name = _("condition photo")
        verbose_name_plural = _("condition photos")

    def __str__(self) -> str:
        return self.get_view_display()


class ProtocolFinding(models.Model):
    """A damage as a protocol saw it: handed over as it was, or found new at this moment.

    The damage record itself (vehicles.Damage) stays one row for its whole life; findings link it to
    the protocols — and so to the contract and customer — that saw it. Billing charges the findings
    of a check-in that are `new_since_check_out`.
    """

    class Kind(models.TextChoices):
        EXISTING = "existing", _("already known")
        NEW = "new", _("new")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="findings")
    damage = models.ForeignKey(Damage, on_delete=models.PROTECT, related_name="protocol_findings")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Set on a check-in's new damage: it was not on the vehicle when this contract's check-out was signed.
    new_since_check_out = models.BooleanField(_("new since check-out"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["protocol", "id"]
        verbose_name = _("damage finding")
        verbose_name_plural = _("damage findings")
        constraints = [
            models.UniqueConstraint(fields=["protocol", "damage"], name="uniq_protocol_finding"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.damage_id}"


class ProtocolSignature(StoredImage):
    """A signature drawn on screen, stored as an image with who signed and when."""

    class Role(models.TextChoices):
        CUSTOMER = "customer", _("customer")
        STAFF = "staff", _("staff member")

    image_prefix = "signatures"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="signatures")
    role = models.CharField(_("signed as"), max_length=10, choices=Role.choices)
    signer_name = models.CharField(_("name"), max_length=120)
    signed_at = models.DateTimeField(_("signed at"))

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["protocol", "role"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(fields=["protocol", "role"], name="uniq_protocol_signature_role"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.signer_name}"

import datetime as dt

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from customers.models import Customer
from rentoffice.models import Organization, Station
from rentoffice.validators import date_in_window
from vehicles.models import Vehicle, VehicleGroup

from .tariffs import MONEY, NON_NEGATIVE, Extra, Tariff


class ContractSettings(models.Model):
    """The organization's rental rules (one row per organization, created on first use)."""

    class Assignment(models.TextChoices):
        AT_BOOKING = "booking", _("at booking")
        AT_CHECK_OUT = "check_out", _("at check-out")

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="contract_settings")
    buffer_minutes = models.PositiveIntegerField(
        _("buffer between rentals (minutes)"),
        default=60,
        validators=[MaxValueValidator(7 * 24 * 60)],
        help_text=_("Time for cleaning and preparation after a return before the vehicle is offered again."),
    )
    vehicle_assignment = models.CharField(
        _("group bookings get a vehicle"), max_length=20, choices=Assignment.choices, default=Assignment.AT_BOOKING
    )

    objects = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("contract settings")
        verbose_name_plural = _("contract settings")

    def __str__(self) -> str:
        return f"{self.organization_id}"


class GroupBuffer(models.Model):
    """A vehicle group's own buffer, overriding the organization's."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    vehicle_group = models.OneToOneField(VehicleGroup, on_delete=models.CASCADE, related_name="buffer")
    buffer_minutes = models.PositiveIntegerField(
        _("buffer between rentals (minutes)"), validators=[MaxValueValidator(7 * 24 * 60)]
    )

    objects = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("group buffer")
        verbose_name_plural = _("group buffers")

    def __str__(self) -> str:
        return f"{self.vehicle_group_id}: {self.buffer_minutes} min"


class Contract(models.Model):
    """A reservation that becomes a rental: reserved → checked out → checked in → settled, or cancelled.

    Changed only through contracts.services; the vehicle's time is held by an `Occupation` row.
    """

    class Kind(models.TextChoices):
        RENTAL = "rental", _("rental")
        COURTESY = "courtesy", _("courtesy car")
        LONG_TERM = "long_term", _("long-term rental")

    class Status(models.TextChoices):
        RESERVED = "reserved", _("reserved")
        CHECKED_OUT = "checked_out", _("checked out")
        CHECKED_IN = "checked_in", _("checked in")
        SETTLED = "settled", _("settled")
        CANCELLED = "cancelled", _("cancelled")

    class Payer(models.TextChoices):
        CUSTOMER = "customer", _("customer")
        DEALERSHIP = "dealership", _("dealership")
        INSURER = "insurer", _("insurer")

    class BillingPeriod(models.TextChoices):
        MONTHLY = "monthly", _("monthly")

    ACTIVE_STATUSES = (Status.RESERVED, Status.CHECKED_OUT)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="contracts")
    number = models.CharField(_("contract number"), max_length=40)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.RENTAL)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RESERVED)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("customer")
    )
    vehicle_group = models.ForeignKey(
        VehicleGroup, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("vehicle group")
    )
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.PROTECT, null=True, blank=True, related_name="contracts", verbose_name=_("vehicle")
    )
    tariff = models.ForeignKey(
        Tariff, on_delete=models.PROTECT, null=True, blank=True, related_name="contracts", verbose_name=_("tariff")
    )
    pickup_station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="pickup_contracts", verbose_name=_("pick-up station")
    )
    return_station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="return_contracts", verbose_name=_("return station")
    )
    starts_at = models.DateTimeField(_("pick-up"), validators=[date_in_window])
    # Empty only for an open-ended long-term rental.
    ends_at = models.DateTimeField(_("return"), null=True, blank=True, validators=[date_in_window])
    expected_km = models.PositiveIntegerField(_("expected km"), null=True, blank=True)
    deposit = models.DecimalField(_("deposit"), default=0, validators=NON_NEGATIVE, **MONEY)

    # Courtesy car (Werkstattersatz).
    workshop_order = models.CharField(_("workshop order"), max_length=60, blank=True)
    appointment_at = models.DateTimeField(_("workshop appointment"), null=True, blank=True, validators=[date_in_window])
    payer = models.CharField(_("payer"), max_length=20, choices=Payer.choices, default=Payer.CUSTOMER)
    payer_customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="paid_contracts",
        verbose_name=_("paying customer"),
    )
    insurer_name = models.CharField(_("insurer"), max_length=120, blank=True)
    insurer_claim_number = models.CharField(_("insurer claim number"), max_length=60, blank=True)

    # Long-term rental.
    billing_period = models.CharField(_("billing period"), max_length=20, choices=BillingPeriod.choices, blank=True)

    # What happened at the counter.
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    km_out = models.PositiveIntegerField(_("km at check-out"), null=True, blank=True)
    km_in = models.PositiveIntegerField(_("km at check-in"), null=True, blank=True)
    fuel_out = models.PositiveSmallIntegerField(
        _("fuel at check-out (eighths)"), null=True, blank=True, validators=[MaxValueValidator(8)]
    )
    fuel_in = models.PositiveSmallIntegerField(
        _("fuel at check-in (eighths)"), null=True, blank=True, validators=[MaxValueValidator(8)]
    )
    # Set at check-out when the licence expires before the planned return (booking refuses that).
    licence_flag = models.CharField(_("licence note"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    priced_at = models.DateTimeField(_("priced at"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager(organization="organization")

    record_kind = "contract"
    # Labels of activity-log keys that are not fields (written by contracts.services.activity).
    ACTIVITY_LABELS = {"price": _("Price (gross)"), "note": _("Note"), "drivers": _("Further drivers")}

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="uniq_contract_number"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True, kind="long_term") | Q(ends_at__gt=models.F("starts_at")),
                name="contract_ends_after_start",
                violation_error_message=_("The return must lie after the pick-up."),
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "starts_at"], name="contract_org_status_start"),
            models.Index(fields=["organization", "customer", "starts_at"], name="contract_org_customer"),
            models.Index(fields=["organization", "vehicle", "starts_at"], name="contract_org_vehicle"),
            models.Index(fields=["organization", "pickup_station", "starts_at"], name="contract_org_station"),
            # The list filtered by type (courtesy cars, long-term) newest first.
            models.Index(fields=["organization", "kind", "starts_at"], name="contract_org_kind_start"),
            # The list's default order (newest pick-up first), read backwards.
            models.Index(fields=["organization", "starts_at", "id"], name="contract_org_start"),
            # Group bookings still waiting for a vehicle (availability subtracts them): few rows.
            models.Index(
                fields=["organization", "vehicle_group", "pickup_station", "starts_at"],
                condition=Q(vehicle__isnull=True, status__in=["reserved", "checked_out"]),
                name="contract_unassigned",
            ),
            # Search "part of a contract number" (icontains compares upper-cased).
            GinIndex(OpClass(Upper("number"), name="gin_trgm_ops"), name="contract_number_trgm"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def duration(self) -> dt.timedelta | None:
        return self.ends_at - self.starts_at if self.ends_at else None


class VehicleBlock(models.Model):
    """Time a vehicle cannot be rented: workshop, maintenance, transfer."""

    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("workshop")
        MAINTENANCE = "maintenance", _("maintenance")
        TRANSFER = "transfer", _("transfer")
        OTHER = "other", _("other")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="vehicle_blocks")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="blocks", verbose_name=_("vehicle"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.WORKSHOP)
    reason = models.CharField(_("reason"), max_length=300)
    starts_at = models.DateTimeField(_("from"), validators=[date_in_window])
    ends_at = models.DateTimeField(_("until"), validators=[date_in_window])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager(organization="organization")

    record_kind = "vehicle_block"

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="block_ends_after_start",
                violation_error_message=_("The end must lie after the start."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reason}"


class Occupation(models.Model):
    """The time a vehicle is taken — by an active contract (plus the buffer after it) or a block.

    Contracts and blocks live in different tables, but one exclusion constraint must cover both,
    so the services keep one row here per active contract with a vehicle and per block. The
    database, not a check in Python, is what makes a double booking impossible.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="occupations")
    # Half-open [start, end + buffer); upper bound empty for an open-ended long-term rental.
    period = DateTimeRangeField()
    contract = models.OneToOneField(
        Contract, on_delete=models.CASCADE, null=True, blank=True, related_name="occupation"
    )
    block = models.OneToOneField(
        VehicleBlock, on_delete=models.CASCADE, null=True, blank=True, related_name="occupation"
    )

    objects = ScopedManager(organization="organization")

    class Meta:
        constraints = [
            ExclusionConstraint(
                name="occupation_no_overlap",
                expressions=[("vehicle", RangeOperators.EQUAL), ("period", RangeOperators.OVERLAPS)],
                violation_error_message=_("The vehicle is already taken for this period."),
            ),
            models.CheckConstraint(
                condition=Q(contract__isnull=False, block__isnull=True) | Q(contract__isnull=True, block__isnull=False),
                name="occupation_contract_xor_block",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle_id}: {self.period}"


class ContractLine(models.Model):
    """A priced line copied from the pricing function at booking or when the price is reloaded."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20)  # "rent", "km", "extra" (pricing.LineKind)
    description = models.CharField(_("description"), max_length=200)
    explanation = models.TextField(_("explanation"), blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20)
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=3)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    net = models.DecimalField(_("net"), **MONEY)
    gross = models.DecimalField(_("gross"), **MONEY)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("contract line")
        verbose_name_plural = _("contract lines")

    def __str__(self) -> str:
        return self.description


class ContractExtra(models.Model):
    """An extra booked with the contract (priced into its lines)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="extras")
    extra = models.ForeignKey(Extra, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)

    class Meta:
        verbose_name = _("booked extra")
        verbose_name_plural = _("booked extras")

    def __str__(self) -> str:
        return self.name


class ContractDriver(models.Model):
    """A further driver: another customer of the organization, or a named person with licence data."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="drivers")
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="driven_contracts",
        verbose_name=_("customer"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True, validators=[date_in_window])
    licence_number = models.CharField(_("driving-licence number"), max_length=50, blank=True)
    licence_issued_on = models.DateField(
        _("driving licence issued on"), null=True, blank=True, validators=[date_in_window]
    )
    licence_expires_on = models.DateField(
        _("driving licence valid until"), null=True, blank=True, validators=[date_in_window]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("further driver")
        verbose_name_plural = _("further drivers")
        constraints = [
            models.CheckConstraint(condition=Q(customer__isnull=False) | ~Q(name=""), name="driver_customer_or_name"),
            models.UniqueConstraint(
                fields=["contract", "customer"], condition=Q(customer__isnull=False), name="uniq_driver_customer"
            ),
        ]

    def __str__(self) -> str:
        return str(self.customer) if self.customer_id else self.name


class ContractNote(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self) -> str:
        return self.text[:60]

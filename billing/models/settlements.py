import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from contracts.models import Contract
from rentoffice.models import Organization

from .invoices import MONEY, Invoice
from .payments import Payment, Refund


class Settlement(models.Model):
    """The "Abrechnung" of a returned contract (seed 001): re-priced, shown, then charged or refunded.

    The contract becomes *settled* only when every step completed; a failure leaves this row
    `failed` with the reason, and staff retry, record a payment or waive.
    """

    class State(models.TextChoices):
        PROPOSED = "proposed", _("waiting for confirmation")  # breakdown shown, nothing charged yet
        RUNNING = "running", _("in progress")
        SETTLED = "settled", _("settled")
        FAILED = "failed", _("settlement failed")
        WAIVED = "waived", _("waived")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="settlement")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PROPOSED)
    # The breakdown as proposed (JSON of strings for Decimals): old total, new lines, already paid,
    # held deposit, deductions, difference. Recomputed on retry until the settlement has charged.
    breakdown = models.JSONField(default=dict)
    old_total = models.DecimalField(_("booked total"), default=0, **MONEY)
    new_total = models.DecimalField(_("new total"), default=0, **MONEY)
    paid = models.DecimalField(_("already paid"), default=0, **MONEY)
    difference = models.DecimalField(_("difference"), default=0, **MONEY)  # > 0 charge, < 0 refund
    final_invoice = models.OneToOneField(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="settlement"
    )
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    refund = models.OneToOneField(Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    failure_reason = models.CharField(_("reason"), max_length=500, blank=True)
    waive_reason = models.CharField(_("reason for waiving"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    record_kind = "settlement"

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        indexes = [models.Index(fields=["organization", "state"], name="settlement_org_state")]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.get_state_display()}"


class SettlementCharge(models.Model):
    """A charge the settlement adds beyond the re-priced tariff: a new damage, missing fuel, cleaning.

    Proposed with a default amount (billing settings), editable by staff until the settlement runs;
    a damage charge links its evidence (the damage with its check-out and check-in photos).
    """

    class Kind(models.TextChoices):
        DAMAGE = "damage", _("damage")
        FUEL = "fuel", _("fuel")
        CLEANING = "cleaning", _("cleaning")
        OTHER = "other", _("other")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="charges")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount (gross)"), **MONEY)
    damage = models.ForeignKey(
        "vehicles.Damage", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("damage")
    )
    # Taken from the deposit (a deduction) rather than charged on the card.
    from_deposit = models.BooleanField(_("deduct from the deposit"), default=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("settlement charge")
        verbose_name_plural = _("settlement charges")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="settlement_charge_not_negative"),
            models.UniqueConstraint(
                fields=["settlement", "damage"], condition=models.Q(damage__isnull=False), name="uniq_settlement_damage"
            ),
        ]

    def __str__(self) -> str:
        return self.description

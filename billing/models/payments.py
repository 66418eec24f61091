"""Money moved through the payment provider or recorded by staff: rows with explicit states.

Every call that moves money derives its idempotency key from the row (`<kind>:<uuid>`), so a task
that runs twice — or after a worker died mid-call — sends the same key and the provider acts once;
a row already in a final state makes a second run do nothing.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from contracts.models import Contract
from customers.models import Customer
from rentoffice.models import Organization

from .invoices import MONEY, Invoice, InvoiceLine


class ProviderCustomer(models.Model):
    """Our customer as the payment provider knows them (one per customer and provider account)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="provider_customer")
    provider_id = models.CharField(max_length=100)  # cus_...
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("payment provider customer")
        verbose_name_plural = _("payment provider customers")

    def __str__(self) -> str:
        return self.provider_id


class StoredCard(models.Model):
    """A card the customer agreed to keep for later charges without them present (seed 001 "DataStorage")."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="stored_cards")
    provider_id = models.CharField(max_length=100)  # pm_...
    brand = models.CharField(_("card brand"), max_length=30, blank=True)
    last4 = models.CharField(_("last digits"), max_length=4, blank=True)
    exp_month = models.PositiveSmallIntegerField(_("expiry month"), null=True, blank=True)
    exp_year = models.PositiveSmallIntegerField(_("expiry year"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("stored card")
        verbose_name_plural = _("stored cards")
        constraints = [
            models.UniqueConstraint(fields=["customer", "provider_id"], name="uniq_stored_card"),
        ]

    def __str__(self) -> str:
        return f"{self.brand} •••• {self.last4}"


class Payment(models.Model):
    """Money received: by card through the provider, or recorded by staff (cash, bank transfer, terminal)."""

    class Method(models.TextChoices):
        CARD = "card", _("card (online)")
        STORED_CARD = "stored_card", _("stored card")
        CASH = "cash", _("cash")
        BANK_TRANSFER = "bank_transfer", _("bank transfer")
        CARD_TERMINAL = "card_terminal", _("card terminal")

    class Purpose(models.TextChoices):
        BOOKING = "booking", _("one day's rent at booking")
        CHARGE = "charge", _("later charge")
        SETTLEMENT = "settlement", _("settlement")
        DEPOSIT = "deposit", _("captured from the deposit")
        MANUAL = "manual", _("recorded payment")

    class State(models.TextChoices):
        CREATED = "created", _("created")  # row written, provider not yet called
        PENDING = "pending", _("waiting for the customer")  # client secret handed to the Payment Element
        REQUIRES_ACTION = "requires_action", _("3-D Secure required")
        PROCESSING = "processing", _("processing")
        SUCCEEDED = "succeeded", _("paid")
        OPEN = "open", _("open, pay link sent")  # declined off-session: the customer pays by link
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    FINAL_STATES = (State.SUCCEEDED, State.FAILED, State.CANCELLED)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="payments")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="payments")
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.CREATED)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(max_length=3, default="EUR")
    description = models.CharField(_("description"), max_length=200, blank=True)
    card = models.ForeignKey(StoredCard, on_delete=models.SET_NULL, null=True, blank=True, related_name="payments")
    provider_id = models.CharField(max_length=100, blank=True)  # pi_...
    client_secret = models.CharField(max_length=200, blank=True)
    # The customer's own pay page for an open payment (/pay/<token>/).
    pay_token = models.CharField(max_length=64, blank=True)
    failure_code = models.CharField(_("failure code"), max_length=60, blank=True)
    failure_message = models.CharField(_("reason"), max_length=300, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)  # recorded payments: receipt, bank ref
    received_on = models.DateField(_("received on"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    succeeded_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    record_kind = "payment"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(
                fields=["organization", "provider_id"], condition=~Q(provider_id=""), name="uniq_payment_provider_id"
            ),
            models.UniqueConstraint(fields=["pay_token"], condition=~Q(pay_token=""), name="uniq_payment_pay_token"),
        ]
        indexes = [
            models.Index(fields=["organization", "customer", "state"], name="payment_org_customer"),
            models.Index(fields=["organization", "contract"], name="payment_org_contract"),
            models.Index(fields=["organization", "state", "created_at"], name="payment_org_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount} {self.currency}"

    @property
    def idempotency_key(self) -> str:
        return f"payment:{self.uuid}"


class DepositHold(models.Model):
    """The deposit as an authorisation on the card (PaymentIntent with manual capture).

    Captured in part or in full for itemised deductions, the rest released; `capture_before` is the
    provider's expiry of the hold (a beat job warns 24 h ahead and, per setting, re-authorises).
    """

    class State(models.TextChoices):
        CREATED = "created", _("created")
        PENDING = "pending", _("waiting for the customer")
        REQUIRES_ACTION = "requires_action", _("3-D Secure required")
        HELD = "held", _("held")
        CAPTURED = "captured", _("captured")  # in part or in full; the rest is released by the provider
        RELEASED = "released", _("released")
        EXPIRED = "expired", _("expired")
        FAILED = "failed", _("failed")

    FINAL_STATES = (State.CAPTURED, State.RELEASED, State.EXPIRED, State.FAILED)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="deposit_holds")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="deposit_holds")
    card = models.ForeignKey(StoredCard, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.CREATED)
    amount = models.DecimalField(_("held amount"), **MONEY)
    captured_amount = models.DecimalField(_("captured"), default=0, **MONEY)
    currency = models.CharField(max_length=3, default="EUR")
    provider_id = models.CharField(max_length=100, blank=True)  # pi_... (capture_method=manual)
    client_secret = models.CharField(max_length=200, blank=True)
    capture_before = models.DateTimeField(_("hold expires"), null=True, blank=True)
    # A re-authorisation before expiry replaces the hold with a new one.
    replaces = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaced_by"
    )
    # The captured part becomes a Payment (purpose deposit) so open items and refunds see it.
    capture_payment = models.OneToOneField(
        Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="deposit_hold"
    )
    failure_code = models.CharField(_("failure code"), max_length=60, blank=True)
    failure_message = models.CharField(_("reason"), max_length=300, blank=True)
    expiry_warned_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(_("held since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    record_kind = "deposit_hold"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("deposit hold")
        verbose_name_plural = _("deposit holds")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="hold_amount_positive"),
            models.CheckConstraint(
                condition=Q(captured_amount__gte=0) & Q(captured_amount__lte=models.F("amount")),
                name="hold_capture_within_amount",
            ),
            models.UniqueConstraint(
                fields=["organization", "provider_id"], condition=~Q(provider_id=""), name="uniq_hold_provider_id"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "state", "capture_before"], name="hold_org_expiry"),
            models.Index(fields=["organization", "contract"], name="hold_org_contract"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.get_state_display()})"

    @property
    def capture_key(self) -> str:
        return f"capture:{self.uuid}"

    @property
    def authorise_key(self) -> str:
        return f"authorise:{self.uuid}"

    @property
    def release_key(self) -> str:
        return f"release:{self.uuid}"


class DepositDeduction(models.Model):
    """One itemised deduction from a deposit, linked to its evidence (a damage, an extra-km line)."""

    class Kind(models.TextChoices):
        DAMAGE = "damage", _("damage")
        KM = "km", _("extra km")
        FUEL = "fuel", _("fuel")
        CLEANING = "cleaning", _("cleaning")
        OTHER = "other", _("other")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    hold = models.ForeignKey(DepositHold, on_delete=models.PROTECT, related_name="deductions")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount"), **MONEY)
    damage = models.ForeignKey(
        "vehicles.Damage", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("damage")
    )
    invoice_line = models.ForeignKey(InvoiceLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("deposit deduction")
        verbose_name_plural = _("deposit deductions")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="deduction_amount_positive")]

    def __str__(self) -> str:
        return self.description


class Refund(models.Model):
    """Money given back on a card payment (or paid out by staff for a recorded one)."""

    class State(models.TextChoices):
        CREATED = "created", _("created")
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("refunded")
        FAILED = "failed", _("failed")

    FINAL_STATES = (State.SUCCEEDED, State.FAILED)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    credit_note = models.ForeignKey(Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.CREATED)
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)  # re_...
    failure_message = models.CharField(_("reason for failure"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.UniqueConstraint(
                fields=["organization", "provider_id"], condition=~Q(provider_id=""), name="uniq_refund_provider_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} ({self.get_state_display()})"

    @property
    def idempotency_key(self) -> str:
        return f"refund:{self.uuid}"


class WebhookEvent(models.Model):
    """A provider event as received; the unique event id makes a repeated delivery a no-op."""

    class State(models.TextChoices):
        RECEIVED = "received", _("received")
        PROCESSED = "processed", _("processed")
        IGNORED = "ignored", _("ignored")
        FAILED = "failed", _("failed")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=100)  # evt_...
    type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.RECEIVED)
    error = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["organization", "event_id"], name="uniq_webhook_event")]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"

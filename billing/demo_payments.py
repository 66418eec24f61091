"""Demo payments and deposits (order 51), made through the services against the fake Stripe server.

Per demo organization: booking payments paid by card (card stored, deposit held, booking invoice
and confirmation sent), one booking still waiting for the customer, a deposit partly captured for
a deduction and one released, a later charge on the stored card, and an open payment whose card
needs 3-D Secure off-session (the customer got a pay link). The customer's part — entering the
card in the Payment Element — is played by posting to the fake as Stripe.js would.

Only with the fake (no organization keys, `STRIPE_API_BASE` set): real keys never get demo
charges. Idempotent: an organization with payments is left alone. Provider work that a worker
would do after commit runs here at once (the queued tasks then find it done).
"""

from __future__ import annotations

import json
import logging
import urllib.parse
import urllib.request
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from contracts.models import Contract
from rentoffice.models import Membership

from .models import DepositDeduction, DepositHold, Payment
from .provider import PaymentProviderError, fake_keys
from .services.holds import hold_authorise_run, hold_capture, hold_capture_run, hold_release, hold_release_run
from .services.payments import booking_payment_start, payment_sync
from .services.stored_card_charges import payment_charge_run, stored_card_charge
from .services.webhooks import stripe_webhooks_connect

logger = logging.getLogger(__name__)


def _admin(org) -> Membership | None:
    return (
        Membership.objects.filter(organization=org, role__key="administrator")
        .select_related("user", "role", "organization")
        .order_by("pk")
        .first()
    )


def customer_confirms(organization, *, intent_id: str, client_secret: str, payment_method: str) -> dict:
    """What Stripe.js does when the customer submits the Payment Element (publishable key + secret)."""
    _secret, publishable = fake_keys(organization)
    data = urllib.parse.urlencode(
        {"client_secret": client_secret, "payment_method": payment_method, "return_url": settings.SITE_URL}
    ).encode()
    request = urllib.request.Request(  # noqa: S310  (the fake on loopback, from settings)
        f"{settings.STRIPE_API_BASE.rstrip('/')}/v1/payment_intents/{intent_id}/confirm",
        data=data,
        headers={"Authorization": f"Bearer {publishable}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:  # a declined card answers 402 with the intent
        return json.loads(exc.read())


def customer_authenticates(*, intent_id: str, client_secret: str, complete: bool = True) -> None:
    """The customer's answer on the fake's 3-D Secure page."""
    query = urllib.parse.urlencode({"client_secret": client_secret, "return_url": settings.SITE_URL})
    request = urllib.request.Request(  # noqa: S310
        f"{settings.STRIPE_API_BASE.rstrip('/')}/_fake/3ds/{intent_id}?{query}",
        data=urllib.parse.urlencode({"answer": "complete" if complete else "fail"}).encode(),
        method="POST",
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        urllib.request.build_opener(NoRedirect).open(request, timeout=10)
    except urllib.error.HTTPError as exc:
        if exc.code != 303:
            raise


def _paid_booking(actor: Membership, contract: Contract, card: str = "pm_card_visa") -> Payment | None:
    payment = booking_payment_start(actor=actor, contract=contract)
    answer = customer_confirms(
        contract.organization, intent_id=payment.provider_id, client_secret=payment.client_secret, payment_method=card
    )
    status = answer.get("status") or (answer.get("error", {}).get("payment_intent") or {}).get("status")
    if status == "requires_action":
        customer_authenticates(intent_id=payment.provider_id, client_secret=payment.client_secret)
    payment = payment_sync(payment=payment)
    for hold in DepositHold.objects.filter(contract=contract, state=DepositHold.State.CREATED):
        hold_authorise_run(hold=hold)
    return payment


def _contracts(org, status: str, limit: int) -> list[Contract]:
    return list(
        Contract.objects.filter(organization=org, status=status, tariff__isnull=False, deposit__gt=0)
        .select_related("tariff", "customer", "organization", "pickup_station", "return_station", "vehicle_group")
        .exclude(customer__email="")
        .order_by("starts_at", "pk")[:limit]
    )


def _seed(org, stdout) -> None:
    actor = _admin(org)
    if actor is None or Payment.objects.filter(organization=org).exists():
        return
    if org.stripe_secret_key or not getattr(settings, "STRIPE_API_BASE", ""):
        stdout.write(f"demo: {org.slug}: payments need the fake Stripe server; skipped")
        return
    if not org.stripe_webhook_secret:  # `make run`: the fake delivers its events to the running app
        stripe_webhooks_connect(organization=org)
    reserved = _contracts(org, Contract.Status.RESERVED, 6)
    running = _contracts(org, Contract.Status.CHECKED_OUT, 3)
    # An organization with few running rentals shows the rest of the cases on reservations.
    running += reserved[3 : 3 + 3 - len(running)]
    _reserved(actor, reserved[:3])
    _running(actor, running)
    stdout.write(f"demo: {org.slug}: {Payment.objects.filter(organization=org).count()} payments")


def _reserved(actor: Membership, contracts: list[Contract]) -> None:
    """Paid with the deposit held; one the customer has not paid yet; one whose deposit was released."""
    if contracts:
        _paid_booking(actor, contracts[0])
    if len(contracts) > 1:
        booking_payment_start(actor=actor, contract=contracts[1])
    if len(contracts) > 2:
        _paid_booking(actor, contracts[2], card="pm_card_mastercard")
        for hold in DepositHold.objects.filter(contract=contracts[2], state=DepositHold.State.HELD):
            hold_release(actor=actor, hold=hold)
            hold_release_run(hold=hold)


def _running(actor: Membership, contracts: list[Contract]) -> None:
    """A later charge on the stored card; a deposit partly captured; a declined charge left open."""
    if contracts:
        contract = contracts[0]
        _paid_booking(actor, contract)
        _charge(actor, contract, Decimal("89.00"), "Verlängerung um einen Tag")
    if len(contracts) > 1:
        contract = contracts[1]
        _paid_booking(actor, contract)
        for hold in DepositHold.objects.filter(contract=contract, state=DepositHold.State.HELD):
            deduction = (DepositDeduction.Kind.CLEANING, "Innenreinigung (Tierhaare)", Decimal("60.00"), None)
            hold_capture(actor=actor, hold=hold, deductions=[deduction])
            hold_capture_run(hold=hold)
    if len(contracts) > 2:
        # A card that asks for 3-D Secure on every payment: the later charge without the customer
        # is declined (authentication_required) and becomes an open payment with a pay link.
        contract = contracts[2]
        _paid_booking(actor, contract, card="pm_card_authenticationRequired")
        _charge(actor, contract, Decimal("45.00"), "Tankfüllung (3/8 fehlen)")


def _charge(actor: Membership, contract: Contract, amount: Decimal, description: str) -> None:
    charge = stored_card_charge(
        actor=actor, customer=contract.customer, amount=amount, description=description, contract=contract
    )
    payment_charge_run(payment=charge)


def seed_payments(organizations: dict, stdout) -> None:
    for org in organizations.values():
        try:
            with transaction.atomic():  # a failure leaves none of this organization's payments half made
                _seed(org, stdout)
        except PaymentProviderError as exc:  # the fake is not running: the rest of the demo still loads
            logger.warning("demo payments for %s skipped: %s", org.slug, exc)
            stdout.write(f"demo: {org.slug}: payments skipped ({exc})")

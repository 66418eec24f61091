"""Messages of payments as kinds organizations may adapt (see rentoffice.message_templates).

- "reservation_confirmation": to the customer once the booking's payment succeeded;
- "payment_link": to the customer when a charge on the stored card was declined, with the link
  to their pay page (it carries an access token, so only user managers may adapt the text);
- "hold_expiring": to the office (organization's office e-mail, else its contact e-mail) once,
  24 h before a deposit hold expires.

The built-in texts are `billing/templates/messages/<kind>/`; the values are plain strings in the
recipient's language. Each is queued once: the caller claimed the moment (the payment's move to
succeeded or open, the hold's `expiry_warned_at`) under a lock or a conditional update.
"""

from __future__ import annotations

import logging

from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from contracts.pricing import money
from rentoffice.message_templates import MessageKind, register
from rentoffice.models import OutboundMessage
from rentoffice.outbox import message_queue

from .models import DepositHold, Payment

logger = logging.getLogger(__name__)

RESERVATION = {
    "customer_name": _("Name of the customer"),
    "contract_number": _("Contract number"),
    "vehicle_group": _("Vehicle group"),
    "pickup": _("Pick-up date and time"),
    "pickup_station": _("Pick-up station"),
    "return": _("Return date and time"),
    "return_station": _("Return station"),
    "amount_paid": _("Amount paid by card"),
    "deposit": _("Deposit held on the card"),
    "organization_name": _("Name of the organization"),
}
PAYMENT_LINK = {
    "customer_name": _("Name of the customer"),
    "amount": _("Amount due"),
    "description": _("What the payment is for"),
    "contract_number": _("Contract number"),
    "pay_url": _("Link to the payment page"),
    "organization_name": _("Name of the organization"),
}
HOLD_EXPIRING = {
    "contract_number": _("Contract number"),
    "customer_name": _("Name of the customer"),
    "amount": _("Held amount"),
    "expires": _("When the hold expires"),
    "action": _("What happens now"),
    "organization_name": _("Name of the organization"),
}


def _values_of(placeholders: dict):
    keys = [key for key in placeholders if key != "organization_name"]

    def values(context: dict) -> dict[str, str]:
        return {key: str(context.get(key, "")) for key in keys}

    return values, {key: "{" + key + "}" for key in keys}


def register_message_kinds() -> None:
    for key, label, placeholders, permission, sample in (
        (
            "reservation_confirmation",
            _("Reservation confirmation after the card payment"),
            RESERVATION,
            "templates.manage",
            {
                "customer_name": "Erika Mustermann",
                "contract_number": "MV-1042",
                "vehicle_group": "Kleinwagen",
                "pickup": "01.12.2026 10:00",
                "pickup_station": "München Zentrum",
                "return": "04.12.2026 10:00",
                "return_station": "München Zentrum",
                "amount_paid": "49,00 €",
                "deposit": "300,00 €",
            },
        ),
        (
            "payment_link",
            _("Pay link for a declined card charge"),
            PAYMENT_LINK,
            "users.manage",
            {
                "customer_name": "Erika Mustermann",
                "amount": "150,00 €",
                "description": "Reinigung",
                "contract_number": "MV-1042",
                "pay_url": "https://rentoffice.example/pay/…/",
            },
        ),
        (
            "hold_expiring",
            _("Deposit hold about to expire (to the office)"),
            HOLD_EXPIRING,
            "templates.manage",
            {
                "contract_number": "MV-1042",
                "customer_name": "Erika Mustermann",
                "amount": "300,00 €",
                "expires": "08.12.2026 10:00",
                "action": "Eine neue Kaution wird auf der gespeicherten Karte hinterlegt.",
            },
        ),
    ):
        values, tokens = _values_of(placeholders)
        register(
            MessageKind(key, label, placeholders, values, permission=permission, sample=sample, token_context=tokens)
        )


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment else ""


def reservation_confirmation_queue(*, contract, payment: Payment) -> OutboundMessage | None:
    """Queue the customer's reservation confirmation (once per contract)."""
    customer = contract.customer
    recipient = customer.email_for("booking")
    if not recipient:
        logger.info("contract %s: customer has no e-mail address; no confirmation", contract.pk)
        return None
    if OutboundMessage.objects.filter(
        organization_id=contract.organization_id, template="reservation_confirmation", related_id=str(contract.pk)
    ).exists():
        return None
    language = customer.message_language
    with translation.override(language):
        context = {
            "customer_name": customer.display_name,
            "contract_number": contract.number,
            "vehicle_group": contract.vehicle_group.name,
            "pickup": _when(contract.starts_at),
            "pickup_station": contract.pickup_station.name,
            "return": _when(contract.ends_at),
            "return_station": contract.return_station.name,
            "amount_paid": money(payment.amount),
            "deposit": money(contract.deposit) if contract.deposit else "",
        }
    return message_queue(
        organization=contract.organization,
        recipient=recipient,
        template="reservation_confirmation",
        context=context,
        language=language,
        related=contract,
    )


def payment_link_queue(*, payment: Payment) -> OutboundMessage | None:
    """Tell the customer their card was declined and where to pay instead."""
    from .services.stored_card_charges import pay_url

    customer = payment.customer
    recipient = customer.email_for("invoice")
    if not recipient:
        logger.info("payment %s: customer has no e-mail address; no pay link sent", payment.pk)
        return None
    language = customer.message_language
    with translation.override(language):
        context = {
            "customer_name": customer.display_name,
            "amount": money(payment.amount),
            "description": payment.description,
            "contract_number": payment.contract.number if payment.contract_id and payment.contract else "",
            "pay_url": pay_url(payment),
        }
    return message_queue(
        organization=payment.organization,
        recipient=recipient,
        template="payment_link",
        context=context,
        language=language,
        related=payment.contract if payment.contract_id else customer,
    )


def hold_expiring_queue(*, hold: DepositHold, mode: str) -> OutboundMessage | None:
    """Warn the office about a hold that expires within 24 hours."""
    from .models import BillingSettings

    organization = hold.contract.organization
    recipient = organization.office_email or organization.contact_email
    if not recipient:
        logger.info("hold %s: organization has no office or contact e-mail; no warning", hold.pk)
        return None
    language = organization.default_language or "de"
    with translation.override(language):
        actions = {
            BillingSettings.HoldExpiry.REAUTHORISE: _("A new hold is placed on the stored card."),
            BillingSettings.HoldExpiry.CAPTURE: _("The hold is captured in full; settle it with the contract."),
            BillingSettings.HoldExpiry.WARN: _("Nothing happens by itself: please decide what to do."),
        }
        context = {
            "contract_number": hold.contract.number,
            "customer_name": hold.customer.display_name,
            "amount": money(hold.amount),
            "expires": _when(hold.capture_before),
            "action": str(actions.get(mode, "")),
        }
    return message_queue(
        organization=organization,
        recipient=recipient,
        template="hold_expiring",
        context=context,
        language=language,
        related=hold.contract,
    )

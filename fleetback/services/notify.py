"""Telling the customer what staff recorded for them (a decision taken by phone, in person or by
e-mail), through the outbox on the channel staff choose."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from rentoffice.models import Membership, OutboundMessage
from rentoffice.outbox import message_queue

from ..models import Case, CaseEvent, Recipient, WorkItem
from .cases import _event
from .sending import _salutation, channel_refusal

CHANNELS = {
    Recipient.Channel.EMAIL: (OutboundMessage.Channel.EMAIL, "fleetback_decision"),
    Recipient.Channel.SMS: (OutboundMessage.Channel.SMS, "fleetback_decision_sms"),
}


def notify_refusal(case: Case, channel: str) -> str | None:
    """Why the case's contact cannot be told on this channel (no address, GDPR objection), or None."""
    if channel not in CHANNELS:
        return _("Choose e-mail or text message.")
    return channel_refusal(case.contact, channel)


def decision_notify(*, actor: Membership, case: Case, item: WorkItem, channel: str) -> None:
    """Queue the message about one recorded decision; called inside the decision's transaction, so
    a refused decision sends nothing. The caller has checked the actor's rights on the case."""
    refusal = notify_refusal(case, channel)
    if refusal:
        raise ValidationError({"notify": [refusal]})
    contact = case.contact
    outbox_channel, template = CHANNELS[Recipient.Channel(channel)]
    message_queue(
        organization=case.organization,
        recipient=contact.email if outbox_channel == OutboundMessage.Channel.EMAIL else contact.phone,
        template=template,
        context={
            "salutation": _salutation(contact),
            "name": contact.last_name,
            "dealership": case.station.name,
            "brand": case.brand.name,
            "reference": case.reference,
            "work": item.title,
            "approved": item.decision == WorkItem.Decision.APPROVED,
            "amount": item.gross,
        },
        language=contact.language,
        channel=outbox_channel,
        related=case,
        reply_to=case.station.email,
    )
    _event(case, CaseEvent.Action.NOTIFIED, actor=actor, detail=f"{item.title} · {Recipient.Channel(channel).label}")

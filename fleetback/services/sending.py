"""Sending a case: one recipient (own link) per contact, messages through the outbox."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rentoffice.models import Membership, OutboundMessage
from rentoffice.outbox import message_queue

from ..models import Case, CaseEvent, Contact, Recipient
from .cases import ContactFields, _contact_save, _event
from .rights import require_case
from .status import transition

SENDABLE = (Case.Status.AWAITING, Case.Status.SENT, Case.Status.READ)


def customer_url(*, recipient: Recipient, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("fleetback_public:page", kwargs={"token": recipient.token})


def channel_refusal(contact: Contact, channel: str) -> str | None:
    """Why this channel cannot reach this contact (shown next to the choice), or None."""
    wants_email = channel in (Recipient.Channel.EMAIL, Recipient.Channel.BOTH)
    wants_sms = channel in (Recipient.Channel.SMS, Recipient.Channel.BOTH)
    if wants_email and contact.email_opt_out:
        if contact.email_opt_out_at:
            return _("%(name)s objected to e-mails (GDPR, recorded on %(date)s).") % {
                "name": contact,
                "date": date_format(timezone.localdate(contact.email_opt_out_at)),
            }
        return _("%(name)s objected to e-mails.") % {"name": contact}
    if wants_sms and contact.sms_opt_out:
        if contact.sms_opt_out_at:
            return _("%(name)s objected to text messages (GDPR, recorded on %(date)s).") % {
                "name": contact,
                "date": date_format(timezone.localdate(contact.sms_opt_out_at)),
            }
        return _("%(name)s objected to text messages.") % {"name": contact}
    if wants_email and not contact.email:
        return _("%(name)s has no e-mail address.") % {"name": contact}
    if wants_sms and not contact.phone:
        return _("%(name)s has no mobile phone number.") % {"name": contact}
    return None


def _salutation(contact: Contact) -> str:
    if contact.salutation not in (Contact.Salutation.MR, Contact.Salutation.MS):
        return ""
    with translation.override(contact.language):
        return str(Contact.Salutation(contact.salutation).label)


def _queue(case: Case, recipient: Recipient, *, base_url: str) -> None:
    contact = recipient.contact
    context = {
        "case_number": case.number,
        "reference": case.reference,
        "dealership": case.station.name,
        "brand": case.brand.name,
        "salutation": _salutation(contact),
        "name": contact.last_name,
        "link": customer_url(recipient=recipient, base_url=base_url),
    }
    channels = {
        Recipient.Channel.EMAIL: [OutboundMessage.Channel.EMAIL],
        Recipient.Channel.SMS: [OutboundMessage.Channel.SMS],
        Recipient.Channel.BOTH: [OutboundMessage.Channel.EMAIL, OutboundMessage.Channel.SMS],
    }[Recipient.Channel(recipient.channel)]
    for channel in channels:
        message_queue(
            organization=case.organization,
            recipient=contact.email if channel == OutboundMessage.Channel.EMAIL else contact.phone,
            template="fleetback_case" if channel == OutboundMessage.Channel.EMAIL else "fleetback_case_sms",
            context=context,
            language=contact.language,
            channel=channel,
            related=case,
            reply_to=case.station.email,
        )


@transaction.atomic
def case_send(
    *,
    actor: Membership,
    case: Case,
    channel: str,
    base_url: str,
    include_main_contact: bool = True,
    extra_contacts: Sequence[ContactFields] = (),
) -> list[Recipient]:
    """Send the case to its contact and/or further contacts. Each contact becomes a recipient with
    an own link once: a contact who already holds a valid link is not written to again (a double
    click sends nothing twice). "link" hands out the link without a message (staff copy it)."""
    case = (
        Case.objects.select_for_update().select_related("organization", "station", "brand", "contact").get(pk=case.pk)
    )
    require_case(actor, case)
    if case.status not in SENDABLE:
        raise ValidationError(_("An answered or closed case is not sent again."))
    if channel not in Recipient.Channel.values:
        raise ValidationError({"channel": _("Choose how to send the case.")})
    contacts = [case.contact] if include_main_contact else []
    contacts += [_contact_save(actor, None, extra) for extra in extra_contacts]
    if not contacts:
        raise ValidationError(_("Choose at least one recipient."))
    refusals = [reason for c in contacts if (reason := channel_refusal(c, channel))]
    if refusals:
        raise ValidationError({"channel": refusals})
    holding = set(case.recipients.filter(revoked_at__isnull=True).values_list("contact_id", flat=True))
    created = []
    for contact in contacts:
        if contact.pk in holding:
            continue
        recipient = Recipient.objects.create(
            organization_id=case.organization_id,
            case=case,
            contact=contact,
            channel=channel,
            token=secrets.token_urlsafe(32),
        )
        if channel != Recipient.Channel.LINK:
            _queue(case, recipient, base_url=base_url)
        action = CaseEvent.Action.LINK if channel == Recipient.Channel.LINK else CaseEvent.Action.SENT
        _event(case, action, actor=actor, recipient=recipient, detail=f"{contact} · {recipient.get_channel_display()}")
        created.append(recipient)
    transition(case, Case.Status.SENT if case.status == Case.Status.AWAITING else case.status)
    if case.sent_by_id is None and created:
        case.sent_by = actor.user
    case.save(update_fields=["status", "sent_at", "sent_by", "updated_at"])
    return created


@transaction.atomic
def recipient_revoke(*, actor: Membership, recipient: Recipient) -> Recipient:
    require_case(actor, recipient.case)
    if recipient.revoked_at is None:
        recipient.revoked_at = timezone.now()
        recipient.save(update_fields=["revoked_at"])
        _event(
            recipient.case, CaseEvent.Action.REVOKED, actor=actor, recipient=recipient, detail=str(recipient.contact)
        )
    return recipient

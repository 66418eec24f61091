"""After submission: the protocol's PDF, stored once, and the customer's e-mail with it, queued once.

Runs in a worker (`protocols.tasks.protocol_deliver`, enqueued on commit by `protocol_submit`) and
again from the periodic sweep for protocols whose delivery never ran (broker down at submission).
Each step is recorded on the protocol (`pdf`/`pdf_generated_at`, `email_message`) under a row
lock, so a task that runs twice — a retry, the sweep and a late original at once — finds its work
done and leaves one PDF and one message.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.text import get_valid_filename

from rentoffice.models import Organization
from rentoffice.outbox import message_queue

from ..models import Protocol
from ..pdf import protocol_pdf_render

logger = logging.getLogger(__name__)

MESSAGE_TEMPLATE = "protocol"
# The sweep leaves fresh submissions to their own task and gives up on very old ones.
SWEEP_GRACE = dt.timedelta(minutes=10)
SWEEP_WINDOW = dt.timedelta(days=7)


def protocol_pdf_filename(protocol: Protocol) -> str:
    moment = timezone.localtime(protocol.submitted_at or timezone.now())
    return get_valid_filename(f"protocol-{protocol.contract.number}-{protocol.kind}-{moment:%Y%m%d-%H%M}.pdf")


def protocol_message_context(*, protocol: Protocol, language: str) -> dict[str, str]:
    """The e-mail's values as plain text in the recipient's language (they also fill adapted texts)."""
    contract = protocol.contract
    moment = timezone.localtime(protocol.submitted_at or timezone.now())
    place = protocol.station or contract.pickup_station
    with translation.override(language):
        return {
            "customer_name": contract.customer.display_name,
            "contract_number": contract.number,
            "vehicle": f"{protocol.vehicle.plate} ({protocol.vehicle.make} {protocol.vehicle.model})",
            "protocol_kind": str(protocol.get_kind_display()),
            "protocol_date": formats.date_format(moment, "SHORT_DATETIME_FORMAT"),
            "place": place.name if place else "",
        }


def protocol_deliver(*, protocol: Protocol) -> None:
    """Generate and store the PDF if missing, then queue the customer's e-mail if not yet queued.

    Safe to run any number of times. A draft is left alone (nothing to deliver before submission).
    A customer without an e-mail address gets no message; the PDF is still stored and the sweep
    sends the e-mail once an address is there.
    """
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = (
                Protocol.objects.select_for_update(of=("self",))
                .select_related("contract__customer", "vehicle", "station", "contract__pickup_station", "organization")
                .get(pk=protocol.pk)
            )
            if not locked.is_submitted:
                logger.info("protocol %s: not submitted, nothing to deliver", locked.pk)
                return
            if not locked.pdf:
                stored.append(_store_pdf(locked))
            if locked.email_message_id is None:
                _queue_email(locked)
    except BaseException:
        # Nothing points to a file written in a transaction that did not commit.
        for name in stored:
            default_storage.delete(name)
        raise
    protocol.refresh_from_db(fields=["pdf", "pdf_generated_at", "email_message"])


def _store_pdf(protocol: Protocol) -> str:
    content = protocol_pdf_render(protocol=protocol)
    protocol.pdf.save(protocol_pdf_filename(protocol), ContentFile(content), save=False)
    protocol.pdf_generated_at = timezone.now()
    protocol.save(update_fields=["pdf", "pdf_generated_at", "updated_at"])
    return protocol.pdf.name


def _queue_email(protocol: Protocol) -> None:
    customer = protocol.contract.customer
    recipient = customer.email_for("booking")
    if not recipient:
        logger.info("protocol %s: customer %s has no e-mail address; nothing queued", protocol.pk, customer.pk)
        return
    language = customer.message_language
    message = message_queue(
        organization=protocol.organization,
        recipient=recipient,
        template=MESSAGE_TEMPLATE,
        context=protocol_message_context(protocol=protocol, language=language),
        language=language,
        related=protocol.contract,
        attachments=[
            {
                "name": protocol_pdf_filename(protocol),
                "path": protocol.pdf.name,
                "content_type": "application/pdf",
            }
        ],
    )
    protocol.email_message = message
    protocol.save(update_fields=["email_message", "updated_at"])


def protocols_undelivered(*, organization: Organization, now: dt.datetime | None = None):
    """Submitted protocols of the last days whose PDF or e-mail is still missing."""
    now = now or timezone.now()
    return (
        Protocol.objects.filter(
            organization=organization,
            status=Protocol.Status.SUBMITTED,
            submitted_at__gte=now - SWEEP_WINDOW,
            submitted_at__lt=now - SWEEP_GRACE,
        )
        .filter(Q(pdf="") | Q(email_message__isnull=True))
        .order_by("submitted_at", "pk")
    )


def protocols_deliver_pending(*, organization: Organization) -> int:
    """The sweep: deliver what a lost task left undone. Returns how many protocols it looked at."""
    count = 0
    for protocol in protocols_undelivered(organization=organization).select_related("contract__customer")[:200]:
        if protocol.email_message_id is None and protocol.pdf and not protocol.contract.customer.email_for("booking"):
            continue  # still no address: nothing to do until there is one
        try:
            protocol_deliver(protocol=protocol)
        except Exception:
            logger.exception("protocol %s: delivery failed in the sweep", protocol.pk)
        count += 1
    return count

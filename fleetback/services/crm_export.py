"""GDPR access request of a dealer-case contact: one zip with contact.json and the media files."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import PurePosixPath
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from rentoffice.models import Membership, OutboundMessage

from ..models import Attachment, Case, CaseEvent, Contact, Medium, Recipient, WorkItem
from .crm import require_contact

CONTACT_FIELDS = (
    "salutation",
    "title",
    "first_name",
    "last_name",
    "email",
    "phone",
    "language",
    "email_opt_out",
    "email_opt_out_at",
    "sms_opt_out",
    "sms_opt_out_at",
    "anonymised_at",
    "created_at",
)
ITEM_FIELDS = (
    "title",
    "description",
    "urgency",
    "price",
    "price_includes_vat",
    "vat_rate",
    "discount_kind",
    "discount_value",
    "net",
    "vat",
    "gross",
    "state",
    "response_deadline",
    "decision",
    "decision_origin",
    "decided_at",
)


def _readme() -> str:
    return _(
        """contact.json holds what the dealer cases of one organization store about one person:
- "contact": the contact's own data, with the objections to e-mails and text messages;
- "cases": every case about the person ("role": "contact") with vehicle, message, work list,
  decisions, rating, history and files, and every case sent to them as a further recipient
  ("role": "recipient") with what they were shown and what they answered;
- "messages": the e-mails and text messages sent to them;
- "activity": when the contact's data was changed.
The files are in media/ and attachments/, one folder per case number.
"""
    )


def _row(obj, names) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _files(archive: zipfile.ZipFile, case: Case, *, public_only: bool) -> tuple[list[str], list[str]]:
    media, attachments = [], []
    rows = Medium.objects.filter(case=case).order_by("position", "pk")
    docs = Attachment.objects.filter(case=case).order_by("position", "pk")
    if public_only:
        rows, docs = rows.filter(is_public=True), docs.filter(is_public=True)
    for medium in rows:
        for label, stored in (("", medium.file), ("-poster", medium.poster)):
            if stored and stored.storage.exists(stored.name):
                name = f"media/case-{case.number}/{medium.pk}-{medium.kind}{label}{PurePosixPath(stored.name).suffix}"
                with stored.open("rb") as fh:
                    archive.writestr(name, fh.read())
                media.append(name)
    for attachment in docs:
        if attachment.file and attachment.file.storage.exists(attachment.file.name):
            safe = re.sub(r"[^\w. -]", "_", PurePosixPath(attachment.name.replace("\\", "/")).name)[:100]
            name = f"attachments/case-{case.number}/{attachment.pk}-{safe}"
            with attachment.file.open("rb") as fh:
                archive.writestr(name, fh.read())
            attachments.append(name)
    return media, attachments


def _case_entry(archive: zipfile.ZipFile, case: Case, contact: Contact) -> dict[str, Any]:
    own = case.contact_id == contact.pk
    entry: dict[str, Any] = {
        "role": "contact" if own else "recipient",
        "number": case.number,
        "reference": case.reference,
        "dealership": case.station.name,
        "brand": case.brand.name,
        "mode": case.mode,
        "module": case.module,
        "status": case.status,
        "message": case.message,
        "created_at": case.created_at,
        "sent_at": case.sent_at,
        "answered_at": case.answered_at,
        "work": [_row(i, ITEM_FIELDS) for i in WorkItem.objects.filter(case=case).order_by("position", "pk")],
        "links": [
            _row(r, ("channel", "sent_at", "read_at", "answered_at", "revoked_at"))
            for r in Recipient.objects.filter(case=case, contact=contact).order_by("sent_at", "pk")
        ],
    }
    if own:
        # Only the case's own contact gets what staff noted and what other recipients did.
        entry["vehicle"] = _row(case, ("vin", "plate", "make_model", "km"))
        entry.update(_row(case, ("customer_waiting", "internal_message", "contact_me", "rating", "rating_comment")))
        entry["closed_at"] = case.closed_at
        entry["history"] = [
            {"at": e.at, "action": e.get_action_display(), "detail": e.detail}
            for e in CaseEvent.objects.filter(case=case).order_by("at", "pk")
        ]
    entry["media"], entry["attachments"] = _files(archive, case, public_only=not own)
    return entry


def contact_export(*, actor: Membership, contact: Contact) -> tuple[str, bytes]:
    """(file name, zip bytes) of everything dealer cases hold about the person, for their GDPR
    access request. Needs `cases.change` and a member who sees all the person's cases."""
    require_contact(actor, contact, all_cases=True)
    from ..selectors_crm import contact_case_ids

    case_ids = contact_case_ids(contact=contact)
    cases = Case.objects.filter(pk__in=case_ids).select_related("station", "brand").order_by("created_at", "pk")
    addresses = [a for a in (contact.email, contact.phone) if a]
    messages = OutboundMessage.objects.filter(
        related_type=ContentType.objects.get_for_model(Case),
        related_id__in=[str(pk) for pk in case_ids],
        recipient__in=addresses,
    ).order_by("created_at", "pk")
    activity = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Contact), object_pk=str(contact.pk)
    ).order_by("timestamp")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        payload = {
            "exported_at": timezone.now(),
            "organization": contact.organization.name,
            "contact": _row(contact, CONTACT_FIELDS),
            "cases": [_case_entry(archive, case, contact) for case in cases],
            "messages": [
                _row(m, ("channel", "recipient", "language", "subject", "body_text", "status", "created_at", "sent_at"))
                for m in messages
            ],
            "activity": [
                {"at": e.timestamp, "action": e.get_action_display(), "changes": e.changes_dict} for e in activity
            ],
        }
        archive.writestr("README.txt", _readme())
        archive.writestr("contact.json", json.dumps(payload, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
    return f"contact-{contact.pk}.zip", buffer.getvalue()

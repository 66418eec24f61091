"""GDPR: data export (access request), anonymisation and the deletion routine for inactive customers."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from rentoffice.models import Organization, OutboundMessage, User

from .. import data_handlers
from ..models import AccessCard, Customer, CustomerAccount
from ..selectors import settings_for
from .actions import deletion_refusals, files_delete
from .core import search_text_refresh
from .customer_data import serialize


def _readme() -> str:
    return _(
        """customer.json holds, for one customer of one organization:
- "customer": the customer's own record (all fields, names of attributes, vehicle groups and stations);
- "activity": the change history of that record;
- "contents": one entry per app with what it holds about the customer, its rows under "related";
- "files": the stored files, in files/.
Password links of pending portal invitations and resets are masked, passwords left out.
Sub-customers are listed by number and name only; each one's data is exported from their own card.
"""
    )


def customer_export(*, customer: Customer) -> tuple[str, bytes]:
    """(filename, zip bytes): the customer's own record and activity, plus what each app's export
    handler (customers/data_handlers.py) holds about them, with their files."""
    with scopes_disabled():
        customer_row = serialize(customer)
        customer_row["fields"]["attributes"] = [a.name for a in customer.attributes.all()]
        customer_row["fields"]["allowed_vehicle_groups"] = [g.name for g in customer.allowed_vehicle_groups.all()]
        customer_row["fields"]["allowed_stations"] = [s.name for s in customer.allowed_stations.all()]
        ct = ContentType.objects.get_for_model(Customer)
        activity = [
            {
                "timestamp": e.timestamp.isoformat(),
                "action": e.get_action_display(),
                "changes": e.changes_dict,
                "actor": str(e.actor) if e.actor_id else "",
            }
            for e in LogEntry.objects.filter(content_type=ct, object_pk=str(customer.pk)).select_related("actor")
        ]
        parts = {handler.key: handler.export(customer=customer) for handler in data_handlers.handlers()}
        payload: dict[str, Any] = {
            "exported_at": timezone.now().isoformat(),
            "organization": customer.organization.name,
            "customer": customer_row,
            "activity": activity,
            "contents": [
                {"part": key, "description": str(part.description), "rows": len(part.rows)}
                for key, part in parts.items()
            ],
            "related": [row for key, part in parts.items() if key != "messages" for row in part.rows],
            "messages": parts["messages"].rows if "messages" in parts else [],
            "files": [],
        }
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for part in parts.values():
                for arcname, stored in part.files:
                    with default_storage.open(stored, "rb") as fh:
                        archive.writestr(f"files/{arcname}", fh.read())
                    payload["files"].append(f"files/{arcname}")
            archive.writestr("README.txt", _readme())
            archive.writestr("customer.json", json.dumps(payload, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
    return f"customer-{customer.number}.zip", buffer.getvalue()


# Fields cleared or replaced when a customer is anonymised; accounting keeps number and group.
KEEP_ON_ANONYMISE = {
    "id",
    "organization",
    "number",
    "kind",
    "customer_group",
    "main_customer",
    "home_station",
    "created_at",
    "updated_at",
    "last_activity_at",
    "anonymised_at",
    "search_text",
    "statistics_relevant",
    "payment_method",
    "einvoice_mode",
    "country",
}


@transaction.atomic
def customer_anonymise(*, customer: Customer, actor: User | None = None) -> Customer:
    """Erase personal data but keep the row (and thus invoices/contracts pointing to it)."""
    for f in Customer._meta.concrete_fields:
        if f.name in KEEP_ON_ANONYMISE:
            continue
        if f.has_default():
            setattr(customer, f.attname, f.get_default())
        elif f.null:
            setattr(customer, f.attname, None)
        elif isinstance(f, (models.CharField, models.TextField)):
            setattr(customer, f.attname, "")
    customer.last_name = "–"
    customer.company = "–" if customer.kind == Customer.Kind.LEGAL_ENTITY else ""
    customer.anonymised_at = timezone.now()
    customer.save()
    customer.attributes.clear()
    # Files go only once the anonymisation is committed; a rollback must not leave rows without files.
    names = [d.file.name for d in customer.documents.all() if d.file]
    customer.documents.all().delete()
    transaction.on_commit(partial(files_delete, names))
    CustomerAccount.objects.filter(organization=customer.organization_id, customer=customer).delete()
    AccessCard.objects.filter(organization=customer.organization_id, customer=customer).update(customer=None)
    # History and sent messages hold the same personal data; they are scrubbed, not kept.
    ct = ContentType.objects.get_for_model(Customer)
    LogEntry.objects.filter(content_type=ct, object_pk=str(customer.pk)).update(
        changes={}, changes_text="", serialized_data=None, object_repr=str(customer.number)
    )
    OutboundMessage.objects.filter(related_type=ct, related_id=str(customer.pk)).update(
        recipient="–", subject="", body_text="–", body_html="", attachments=[]
    )
    search_text_refresh(customer=customer)
    return customer


@dataclass
class DeletionReport:
    organization: Organization
    candidates: list[Customer] = field(default_factory=list)
    skipped: list[tuple[Customer, list[str]]] = field(default_factory=list)
    anonymised: list[Customer] = field(default_factory=list)


def deletion_routine(*, organization: Organization, dry_run: bool = True) -> DeletionReport:
    """Customers inactive longer than the organization's period; do-not-delete and open items are skipped."""
    report = DeletionReport(organization)
    config = settings_for(organization=organization)
    cutoff = timezone.now() - relativedelta(months=config.inactivity_months)
    with scopes_disabled():
        inactive = Customer.objects.filter(
            organization=organization, anonymised_at__isnull=True, last_activity_at__lt=cutoff
        ).order_by("number")
        for customer in inactive:
            reasons = deletion_refusals(customer=customer)
            if reasons:
                report.skipped.append((customer, reasons))
                continue
            report.candidates.append(customer)
            if not dry_run:
                customer_anonymise(customer=customer)
                report.anonymised.append(customer)
    return report

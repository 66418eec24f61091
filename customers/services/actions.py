"""Assistants on the customer card: copy, terminate, block, unlock, time-limit, delete."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from rentoffice.models import Membership

from ..models import Customer
from ..signals import customer_deletion
from .core import customer_save
from .rights import DELETE, require_customer


def files_delete(names: Iterable[str]) -> None:
    """Remove stored files (run on commit, once the rows pointing at them are gone for good)."""
    for name in names:
        default_storage.delete(name)


COPY_EXCLUDE = {
    "id",
    "organization",
    "number",
    "search_text",
    "created_at",
    "updated_at",
    "last_activity_at",
    "anonymised_at",
    "is_blocked",
    "blocked_reason",
    "blocked_at",
    "licence_checked_at",
    "licence_checked_by",
}


@transaction.atomic
def customer_copy(*, actor: Membership, customer: Customer) -> Customer:
    """A new customer with this one's master data and a new number (cards and logins are personal)."""
    require_customer(actor, customer)
    copy = Customer(organization=customer.organization)
    for field in Customer._meta.concrete_fields:
        if field.name not in COPY_EXCLUDE:
            setattr(copy, field.attname, getattr(customer, field.attname))
    return customer_save(
        customer=copy,
        actor=actor,
        attributes=list(customer.attributes.all()),
        vehicle_groups=list(customer.allowed_vehicle_groups.all()),
        stations=list(customer.allowed_stations.all()),
    )


@transaction.atomic
def customer_terminate(*, actor: Membership, customer: Customer, end_date: dt.date) -> Customer:
    """End the contract; `Customer.may_book_on` refuses new bookings after the date."""
    require_customer(actor, customer)
    customer.contract_end = end_date
    return customer_save(customer=customer, actor=actor)


@transaction.atomic
def customer_block(*, actor: Membership, customer: Customer, reason: str) -> Customer:
    require_customer(actor, customer)
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for blocking the customer.")})
    customer.is_blocked = True
    customer.blocked_reason = reason.strip()
    customer.blocked_at = timezone.now()
    return customer_save(customer=customer, actor=actor)


@transaction.atomic
def customer_unlock(*, actor: Membership, customer: Customer, reason: str) -> Customer:
    require_customer(actor, customer)
    customer.is_blocked = False
    customer.blocked_reason = ""
    customer.blocked_at = None
    if reason.strip():
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        customer.notes = (customer.notes + "\n" if customer.notes else "") + _("Unlocked %(date)s: %(reason)s") % {
            "date": stamp,
            "reason": reason.strip(),
        }
    return customer_save(customer=customer, actor=actor)


@transaction.atomic
def customer_time_limit(*, actor: Membership, customer: Customer, valid_until: dt.date | None) -> Customer:
    require_customer(actor, customer)
    customer.valid_until = valid_until
    return customer_save(customer=customer, actor=actor)


def deletion_refusals(*, customer: Customer) -> list[str]:
    """Why the customer may not be deleted; empty when deletion is allowed."""
    reasons = []
    if customer.do_not_delete:
        reasons.append(_("The customer is marked 'do not delete'."))
    return reasons + customer_deletion.reasons(customer=customer)


@transaction.atomic
def customer_delete(*, actor: Membership, customer: Customer) -> None:
    require_customer(actor, customer, DELETE)
    reasons = deletion_refusals(customer=customer)
    if reasons:
        raise ValidationError(reasons)
    files = [d.file.name for d in customer.documents.all()]
    try:
        with transaction.atomic():
            customer.delete()
    except (ProtectedError, RestrictedError) as exc:
        names = sorted(
            {str(obj._meta.verbose_name_plural) for obj in exc.protected_objects if hasattr(obj, "_meta")}
            if isinstance(exc, ProtectedError)
            else {str(obj._meta.verbose_name_plural) for obj in exc.restricted_objects}
        )
        raise ValidationError(
            _("Records still refer to the customer: %(names)s.") % {"names": ", ".join(names)}
        ) from exc
    # Files go only once the deletion is certain.
    transaction.on_commit(partial(files_delete, files))

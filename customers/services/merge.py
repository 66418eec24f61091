"""Merging two customers: chosen field values, then each app's handler deals with its own rows.

No foreign key is rewritten generically: every app registers a merge handler for the models that
point to `Customer` (customers/data_handlers.py) that moves its rows through its own rules,
refuses with a reason, or keeps them. A relation without a handler refuses the merge.
"""

from __future__ import annotations

import datetime as dt

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from rentoffice.models import Membership

from .. import data_handlers
from ..models import Customer
from ..signals import customers_merged
from .core import search_text_refresh
from .rights import DELETE, require_customer

# Fields shown side by side in the merge form (everything a person would compare).
NOT_MERGEABLE = {
    "id",
    "organization",
    "number",
    "search_text",
    "sort_name",
    "created_at",
    "updated_at",
    "anonymised_at",
    "last_activity_at",
}


def merge_fields() -> list[models.Field]:
    return [f for f in Customer._meta.concrete_fields if f.name not in NOT_MERGEABLE]


def differing_fields(*, survivor: Customer, other: Customer) -> list[dict]:
    rows = []
    for field in merge_fields():
        mine, theirs = getattr(survivor, field.attname), getattr(other, field.attname)
        if mine != theirs:
            rows.append(
                {
                    "name": field.name,
                    "label": field.verbose_name,
                    "mine": _display(survivor, field),
                    "theirs": _display(other, field),
                }
            )
    return rows


def _display(customer: Customer, field: models.Field) -> str:
    if field.choices:
        return str(getattr(customer, f"get_{field.name}_display")())
    value = getattr(customer, field.name)
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if hasattr(value, "name") and hasattr(value, "code"):  # django-countries' Country
        return str(value.name)
    return str(value)


def merge_refusals(*, survivor: Customer, other: Customer) -> list[str]:
    """Why these two cannot be merged: a handler refuses, or some app's rows have no handler."""
    reasons = [
        _("Records of type %(model)s point to customers, but no app says how to merge them.") % {"model": label}
        for label in data_handlers.unhandled_relations()
    ]
    for handler in data_handlers.handlers():
        if handler.merge_refusal is not None:
            reason = handler.merge_refusal(survivor=survivor, other=other)
            if reason:
                reasons.append(str(reason))
    return reasons


def _fields_take(*, survivor: Customer, other: Customer, names: list[str]) -> dict[str, list[str]]:
    """Copy the chosen fields from `other` onto `survivor`; returns the changes (old, new) per field."""
    allowed = {f.name: f for f in merge_fields()}
    changes: dict[str, list[str]] = {}
    for name in names:
        field = allowed.get(name)
        if field is None:
            raise ValidationError(_("Unknown field %(name)s.") % {"name": name[:50]}, code="unknown_field")
        old = _display(survivor, field)
        setattr(survivor, field.attname, getattr(other, field.attname))
        changes[name] = [old, _display(survivor, field)]
    return changes


def _rows_move(*, survivor: Customer, other: Customer) -> dict[str, int]:
    """Every app's merge handler moves its rows; returns how many rows each moved."""
    moved: dict[str, int] = {}
    try:
        with transaction.atomic():
            for handler in data_handlers.handlers():
                if handler.merge is not None:
                    moved[handler.key] = handler.merge(survivor=survivor, other=other)
    except IntegrityError as exc:
        # A handler that left a unique rule of its app unresolved; nothing is merged.
        raise ValidationError(
            _("The customers cannot be merged automatically: %(reason)s") % {"reason": str(exc).splitlines()[0]}
        ) from exc
    return moved


@transaction.atomic
def customer_merge(*, actor: Membership, survivor: Customer, other: Customer, take_from_other: list[str]) -> Customer:
    """Merge `other` into `survivor`: fields listed in `take_from_other` take the other's value; all
    rows pointing to `other` move; `other` is removed; one activity entry is written on the survivor."""
    if survivor.pk == other.pk or survivor.organization_id != other.organization_id:
        raise ValidationError(_("Choose two different customers of the same organization."))
    require_customer(actor, survivor, DELETE)
    survivor = Customer.objects.select_for_update().get(pk=survivor.pk)
    other = Customer.objects.select_for_update().get(pk=other.pk)
    changes = _fields_take(survivor=survivor, other=other, names=take_from_other)
    if survivor.main_customer_id == other.pk:
        survivor.main_customer = other.main_customer if other.main_customer_id != survivor.pk else None
    if other.do_not_delete and not survivor.do_not_delete:
        survivor.do_not_delete = True
        changes["do_not_delete"] = [_("no"), _("yes")]

    if survivor.main_customer_id and Customer.objects.filter(main_customer=other).exclude(pk=survivor.pk).exists():
        raise ValidationError(
            _(
                "%(other)s has sub-customers, and %(survivor)s is itself a sub-customer. Merge the "
                "other way round or detach %(survivor)s from its main customer first."
            )
            % {"other": other.display_name, "survivor": survivor.display_name}
        )

    refusals = merge_refusals(survivor=survivor, other=other)
    if refusals:
        raise ValidationError(refusals)
    for manager_name in ("attributes", "allowed_vehicle_groups", "allowed_stations"):
        getattr(survivor, manager_name).add(*getattr(other, manager_name).all())
    moved = _rows_move(survivor=survivor, other=other)

    with disable_auditlog():
        survivor.full_clean(exclude=["search_text"])
        survivor.save()
        customers_merged.send(sender=Customer, survivor=survivor, other_pk=other.pk, other_number=other.number)
        other_label = str(other)
        other.delete()
    search_text_refresh(customer=survivor)
    changes["merged_with"] = [other_label, str(survivor)]
    moved_total = sum(moved.values())
    if moved_total:
        changes["moved_records"] = ["", str(moved_total)]
    LogEntry.objects.log_create(
        survivor,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes=changes,
        actor=actor.user,
    )
    return survivor

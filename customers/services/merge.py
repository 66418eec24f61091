"""Merging two customers: chosen field values, then every row pointing at the other moves over.

Rows of later apps move without this module knowing them: the merge walks all relations that
point to `Customer` (`_meta.related_objects`), so a new model with a customer FK is covered
automatically. Apps with unique constraints involving the customer resolve them on
`customers_merging` (see customers/signals.py).
"""

from __future__ import annotations

import datetime as dt

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from rentoffice.models import OutboundMessage, User

from ..models import Customer, CustomerAccount, LicenceEscalation
from ..signals import customers_merged, customers_merging
from .core import search_text_refresh

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


def _move_relations(survivor: Customer, other: Customer) -> dict[str, int]:
    moved: dict[str, int] = {}
    for rel in Customer._meta.related_objects:
        model = rel.related_model
        label = model._meta.label
        if rel.many_to_many:
            through = rel.through if hasattr(rel, "through") else rel.field.remote_field.through
            # M2M from another model to Customer: re-point through rows, skipping ones the survivor has.
            source = rel.field.m2m_reverse_field_name()
            target_attr = rel.field.m2m_field_name()
            existing = set(through._base_manager.filter(**{source: survivor}).values_list(target_attr, flat=True))
            qs = through._base_manager.filter(**{source: other})
            qs.filter(**{f"{target_attr}__in": existing}).delete()
            moved[label] = qs.update(**{source: survivor})
            continue
        field_name = rel.field.name
        qs = model._base_manager.filter(**{field_name: other})
        if model is Customer:
            qs = qs.exclude(pk=survivor.pk)
        if rel.one_to_one and model._base_manager.filter(**{field_name: survivor}).exists():
            continue
        moved[label] = qs.update(**{field_name: survivor})
    return moved


@transaction.atomic
def customer_merge(*, survivor: Customer, other: Customer, take_from_other: list[str], actor: User | None) -> Customer:
    """Merge `other` into `survivor`: fields listed in `take_from_other` take the other's value; all
    rows pointing to `other` move; `other` is removed; one activity entry is written on the survivor."""
    if survivor.pk == other.pk or survivor.organization_id != other.organization_id:
        raise ValidationError(_("Choose two different customers of the same organization."))
    survivor = Customer.objects.select_for_update().get(pk=survivor.pk)
    other = Customer.objects.select_for_update().get(pk=other.pk)
    allowed = {f.name: f for f in merge_fields()}
    changes: dict[str, list[str]] = {}
    for name in take_from_other:
        field = allowed.get(name)
        if field is None:
            raise ValidationError(_("Unknown field %(name)s.") % {"name": name})
        old = _display(survivor, field)
        setattr(survivor, field.attname, getattr(other, field.attname))
        changes[name] = [old, _display(survivor, field)]
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

    customers_merging.send(sender=Customer, survivor=survivor, other=other)
    # One portal account per customer: the survivor's own account wins.
    if CustomerAccount.objects.filter(organization=survivor.organization_id, customer=survivor).exists():
        CustomerAccount.objects.filter(organization=survivor.organization_id, customer=other).delete()
    # An escalation step both customers already reached for the same due date stays recorded once.
    LicenceEscalation.objects.filter(organization=survivor.organization_id, customer=other).filter(
        Exists(LicenceEscalation.objects.filter(customer=survivor, due_on=OuterRef("due_on"), step=OuterRef("step")))
    ).delete()
    for manager_name in ("attributes", "allowed_vehicle_groups", "allowed_stations"):
        getattr(survivor, manager_name).add(*getattr(other, manager_name).all())
    try:
        with transaction.atomic():
            moved = _move_relations(survivor, other)
    except IntegrityError as exc:
        # A later app's unique rule that its `customers_merging` receiver did not resolve.
        raise ValidationError(
            _("The customers cannot be merged automatically: %(reason)s") % {"reason": str(exc).splitlines()[0]}
        ) from exc
    ct = ContentType.objects.get_for_model(Customer)
    OutboundMessage.objects.filter(related_type=ct, related_id=str(other.pk)).update(related_id=str(survivor.pk))

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
        actor=actor,
    )
    return survivor

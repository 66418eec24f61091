"""Creating, changing, duplicating, closing and deleting cases (with their contact and work list)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rentoffice.authorization import require, require_station
from rentoffice.models import Brand, Membership, Station, User
from rentoffice.services import sequence_next

from .. import totals
from ..models import Case, CaseEvent, Contact, Language, WorkItem
from .contacts import contact_link_customer_auto, contact_match
from .rights import require_case, require_mode
from .status import require_editable, transition

SEQUENCE = "fleetback.case"


@dataclass(frozen=True)
class ContactFields:
    salutation: str
    last_name: str
    title: str = ""
    first_name: str = ""
    email: str = ""
    phone: str = ""
    language: str = Language.DE


@dataclass(frozen=True)
class ItemFields:
    title: str
    urgency: str = WorkItem.Urgency.RECOMMENDED
    description: str = ""
    price: Decimal = Decimal("0")
    price_includes_vat: bool = True
    vat_rate: Decimal = Decimal("19")
    discount_kind: str = ""
    discount_value: Decimal = Decimal("0")
    state: str = WorkItem.State.PENDING
    response_deadline: date | None = None
    checklist_item_id: int | None = None


@dataclass(frozen=True)
class CaseFields:
    station: Station
    brand: Brand
    mode: str
    module: str
    reference: str
    contact: ContactFields
    vin: str = ""
    plate: str = ""
    make_model: str = ""
    km: int | None = None
    message: str = ""
    assignee: User | None = None
    customer_waiting: bool = False
    internal_message: str = ""
    contact_me: bool = False
    items: Sequence[ItemFields] = field(default_factory=tuple)


def _event(case: Case, action: str, *, actor: Membership | None = None, detail: str = "", recipient=None) -> None:
    CaseEvent.objects.create(
        organization_id=case.organization_id,
        case=case,
        action=action,
        by_user=actor.user if actor else None,
        by_recipient=recipient,
        detail=detail[:300],
    )


def _check_fields(actor: Membership, data: CaseFields) -> None:
    errors: dict[str, list[str]] = {}
    if data.station.organization_id != actor.organization_id:
        raise PermissionDenied
    require_station(actor, data.station.pk)
    require_mode(actor, data.mode)
    if data.brand.station_id != data.station.pk:
        errors["brand"] = [_("Choose one of this dealership's brands.")]
    allowed = {m for mode, modules in Case.MODULES.items() if mode == data.mode for m in modules}
    if data.module not in allowed:
        errors["module"] = [_("This module does not belong to the chosen mode.")]
    if data.module == Case.Module.USED_CAR:
        for name, label in (("vin", _("VIN")), ("plate", _("licence plate")), ("make_model", _("make and model"))):
            if not getattr(data, name).strip():
                errors[name] = [_("Required for used-car stock: %(field)s.") % {"field": label}]
        if data.km is None:
            errors["km"] = [_("Required for used-car stock: %(field)s.") % {"field": _("mileage")}]
    if (
        data.assignee is not None
        and not data.assignee.memberships.filter(organization_id=actor.organization_id, is_active=True).exists()
    ):
        errors["assignee"] = [_("The assignee must be a member of this organization.")]
    if errors:
        raise ValidationError(errors)


def _check_item(index: int, item: ItemFields) -> None:
    prefix = f"items-{index}-"
    errors: dict[str, list[str]] = {}
    if not item.title.strip():
        errors[prefix + "title"] = [_("Describe the work.")]
    if item.urgency not in WorkItem.Urgency.values:
        errors[prefix + "urgency"] = [_("Choose an urgency.")]
    if item.price < 0:
        errors[prefix + "price"] = [_("A price is never negative.")]
    if not Decimal("0") <= item.vat_rate <= Decimal("99"):
        errors[prefix + "vat_rate"] = [_("Enter a VAT rate between 0 and 99 %.")]
    if item.discount_value < 0:
        errors[prefix + "discount_value"] = [_("A discount is never negative.")]
    elif item.discount_kind == WorkItem.Discount.PERCENT and item.discount_value > 100:
        errors[prefix + "discount_value"] = [_("A discount is at most 100 %.")]
    elif item.discount_kind == WorkItem.Discount.AMOUNT and item.discount_value > item.price:
        errors[prefix + "discount_value"] = [_("The discount cannot be larger than the price.")]
    elif item.discount_kind == "" and item.discount_value:
        errors[prefix + "discount_kind"] = [_("Say whether the discount is an amount or a percentage.")]
    if errors:
        raise ValidationError(errors)


def _contact_save(actor: Membership, contact: Contact | None, data: ContactFields) -> Contact:
    """Write the contact entered on a case. The same person (services/contacts.py) keeps one
    contact row across cases; an anonymised row is never filled with personal data again."""
    if contact is not None and contact.is_anonymised:
        contact = None
    same = contact_match(
        organization_id=actor.organization_id, last_name=data.last_name, email=data.email, phone=data.phone
    )
    # A matched person keeps what this entry leaves empty (the editor of their own case shows all).
    fill_only = same is not None and (contact is None or same.pk != contact.pk)
    contact = same if same is not None and fill_only else (contact or Contact(organization_id=actor.organization_id))
    for name in (f.name for f in fields(ContactFields)):
        value = getattr(data, name).strip()
        if value or not fill_only:
            setattr(contact, name, value)
    try:
        contact.full_clean(exclude=["organization", "customer"])
    except ValidationError as exc:
        raise ValidationError({f"contact_{k}": v for k, v in exc.message_dict.items()}) from exc
    contact.save()
    contact_link_customer_auto(contact)
    return contact


def _items_replace(case: Case, items: Sequence[ItemFields]) -> None:
    for index, item in enumerate(items):
        _check_item(index, item)
    case.items.all().delete()
    rows = []
    for position, item in enumerate(items):
        row = WorkItem(organization_id=case.organization_id, case=case, position=position)
        for name in (f.name for f in fields(ItemFields)):
            setattr(row, name, getattr(item, name))
        row.title = row.title.strip()
        amounts = totals.item_line(row)
        row.net, row.vat, row.gross = amounts.net, amounts.vat, amounts.gross
        rows.append(row)
    WorkItem.objects.bulk_create(rows)


def _apply(case: Case, data: CaseFields) -> None:
    for name in (f.name for f in fields(CaseFields)):
        if name not in ("contact", "items"):
            setattr(case, name, getattr(data, name))
    for name in ("reference", "vin", "plate", "make_model"):
        setattr(case, name, getattr(case, name).strip())
    case.vin = case.vin.upper()
    case.plate = case.plate.upper()
    case.full_clean(exclude=["organization", "number", "contact", "author", "answered_by"])


@transaction.atomic
def case_create(*, actor: Membership, data: CaseFields) -> Case:
    require(actor, "cases.change", organization_id=data.station.organization_id)
    _check_fields(actor, data)
    case = Case(organization_id=actor.organization_id, author=actor.user)
    _apply(case, data)
    case.contact = _contact_save(actor, None, data.contact)
    case.number = sequence_next(organization=actor.organization, name=SEQUENCE)
    case.save()
    _items_replace(case, data.items)
    _event(case, CaseEvent.Action.CREATED, actor=actor)
    return case


@transaction.atomic
def case_update(*, actor: Membership, case: Case, data: CaseFields) -> Case:
    """Change a case and replace its work list; only while it awaits dispatch."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    require_case(actor, case)
    require_editable(case)
    _check_fields(actor, data)
    _apply(case, data)
    case.contact = _contact_save(actor, case.contact, data.contact)
    case.save()
    _items_replace(case, data.items)
    _event(case, CaseEvent.Action.UPDATED, actor=actor)
    return case


def case_fields_of(case: Case) -> CaseFields:
    """A case's current fields (the editor's initial values, and the base of a duplicate)."""
    contact = case.contact
    return CaseFields(
        **{f.name: getattr(case, f.name) for f in fields(CaseFields) if f.name not in ("contact", "items")},
        contact=ContactFields(**{f.name: getattr(contact, f.name) for f in fields(ContactFields)}),
        items=tuple(
            ItemFields(**{f.name: getattr(item, f.name) for f in fields(ItemFields)}) for item in case.items.all()
        ),
    )


@transaction.atomic
def case_duplicate(*, actor: Membership, case: Case, reference: str, module: str | None = None) -> Case:
    """A new case awaiting dispatch with the same vehicle, contact, message and work list (the
    decisions not copied); the module may change within the mode."""
    require_case(actor, case)
    data = replace(case_fields_of(case), reference=reference, module=module or case.module)
    if not reference.strip():
        raise ValidationError({"reference": _("Enter a reference for the new case.")})
    copy = case_create(actor=actor, data=data)
    _event(case, CaseEvent.Action.DUPLICATED, actor=actor, detail=_("Copied to case %(n)s") % {"n": copy.number})
    _event(copy, CaseEvent.Action.DUPLICATED, actor=actor, detail=_("Copy of case %(n)s") % {"n": case.number})
    return copy


@transaction.atomic
def case_close(*, actor: Membership, case: Case) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    require_case(actor, case)
    transition(case, Case.Status.CLOSED)
    case.save(update_fields=["status", "closed_at", "updated_at"])
    case.recipients.filter(revoked_at__isnull=True).update(revoked_at=case.closed_at)
    _event(case, CaseEvent.Action.CLOSED, actor=actor)
    return case


@transaction.atomic
def case_delete(*, actor: Membership, case: Case, confirm: bool) -> None:
    """Delete a closed case with everything it holds; its files go after commit. Irreversible,
    hence the explicit confirmation."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    require_case(actor, case)
    if case.status != Case.Status.CLOSED:
        raise ValidationError(_("Close the case before deleting it."))
    if not confirm:
        raise ValidationError({"confirm": _("Confirm that the case is to be deleted for good.")})
    files = [f for m in case.media.all() for f in (m.file, m.poster) if f] + [a.file for a in case.attachments.all()]
    names = [(f.storage, f.name) for f in files]
    case.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])

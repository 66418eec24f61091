import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django import template
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import panels as panel_registry
from ..models.stations import Weekday

register = template.Library()


@register.inclusion_tag("rentoffice/panels/panels.html", takes_context=True)
def panels(context, record_kind: str, obj):
    """Render every panel registered for this kind of record."""
    request = context["request"]
    rendered = []
    view = panel_registry.view_for(request)
    for panel in panel_registry.panels_for(record_kind, request):
        # A lazy panel's context is computed when htmx asks for its body (rentoffice.views.panels).
        ctx = {} if panel.lazy else panel.get_context(view, obj)
        rendered.append({"panel": panel, "context": ctx})
    return {
        "request": request,
        "rendered": rendered,
        "record_kind": record_kind,
        "object": obj,
        "organization": getattr(request, "organization", None),
        "perms_org": context.get("perms_org"),
    }


def _hours_text(value) -> str:
    """Weekly hours logged as [[weekday, "HH:MM", "HH:MM"], ...] in the reader's language."""
    if not isinstance(value, list):  # entries written before summaries were data: as stored
        return str(value or "")
    days = dict(Weekday.choices)
    return "; ".join(f"{days.get(row[0], row[0])} {row[1]}–{row[2]}" for row in value if len(row) == 3)


def _exceptions_text(value) -> str:
    if not isinstance(value, list):
        return str(value or "")
    parts = []
    for row in value:
        day = _local_date(str(row.get("date", "")), with_time=False)
        hours = _("closed") if row.get("closed") else f"{row.get('opens')}–{row.get('closes')}"
        note = f" ({row['note']})" if row.get("note") else ""
        parts.append(f"{day} {hours}{note}")
    return "; ".join(parts)


def _names_text(value) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value or "")


# Entries services write as summaries of related rows (rentoffice.audit): key → (label, renderer).
SUMMARY_FIELDS = {
    "opening_hours": (gettext_lazy("Opening hours"), _hours_text),
    "opening_exceptions": (gettext_lazy("Exceptions"), _exceptions_text),
    "managed_stations": (gettext_lazy("May edit details and opening hours of these stations"), _names_text),
}


def _local_date(value: str, *, with_time: bool) -> str:
    """auditlog stores ISO text; show it the way the rest of the page shows dates."""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if with_time:
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, dt.UTC)
        return date_format(timezone.localtime(parsed), "SHORT_DATETIME_FORMAT")
    return date_format(parsed.date(), "SHORT_DATE_FORMAT")


def _blank(value) -> bool:
    return value in (None, "None", "")


def _action_label(entry) -> str:
    return {
        entry.Action.CREATE: _("created"),
        entry.Action.UPDATE: _("changed"),
        entry.Action.DELETE: _("deleted"),
    }.get(entry.action, _("accessed"))


def _bookkeeping(field) -> bool:
    """Fields people do not edit: the tenant, timestamps set by the system, non-editable columns."""
    return (
        field.name == "organization"
        or getattr(field, "auto_now", False)
        or getattr(field, "auto_now_add", False)
        or not field.editable
    )


def _field_of(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _m2m_row(model, name: str, change: dict) -> tuple[str, str, str]:
    """Many-to-many: {"type": "m2m", "operation": ..., "objects": [...]}."""
    field = _field_of(model, name)
    label = capfirst(field.verbose_name) if field is not None else name
    objects = ", ".join(str(o) for o in change.get("objects", []))
    return (label, "", objects) if change.get("operation") == "add" else (label, objects, "")


def _field_row(model, name: str, change, *, creating: bool, wanted: defaultdict) -> tuple | None:
    """(field or label, old, new) for a column change, or None if it says nothing to a person."""
    old, new = [*list(change), None, None][:2]
    labels = getattr(model, "ACTIVITY_LABELS", {})
    if name in labels:  # a service's own key wins over a reverse relation of that name ("drivers")
        return (labels[name], old, new)
    field = _field_of(model, name)
    if field is not None and (not field.concrete or field.primary_key or _bookkeeping(field)):
        return None
    if _blank(old) and (_blank(new) or (creating and str(new) == "False")):
        return None  # a new record's empty fields and unticked boxes say nothing
    if field is None:
        # Keys a service wrote itself (e.g. "merged_with"); the model may name them.
        name = getattr(model, "ACTIVITY_LABELS", {}).get(name, name)
    elif field.many_to_one:
        for value in (old, new):
            if not _blank(value):
                wanted[field.related_model].add(value)
    return (field or name, old, new)


def _entry_rows(entry, *, compact: bool, wanted: defaultdict) -> list[tuple]:
    model = entry.content_type.model_class()
    creating = entry.action == entry.Action.CREATE
    rows: list[tuple] = []
    if creating and compact:  # the panel says "created"; the initial values are on "show all"
        return rows
    for name, change in (entry.changes_dict or {}).items():
        if not isinstance(change, dict) and any(_MANAGER_TEXT.fullmatch(str(v)) for v in change):
            continue  # a relation auditlog wrote on create as its manager ("contracts.ContractDriver.None")
        if name in SUMMARY_FIELDS:  # written by a service as data (opening hours, grants)
            label, render = SUMMARY_FIELDS[name]
            old, new = [*list(change), "", ""][:2]
            rows.append((label, render(old), render(new)))
        elif isinstance(change, dict):
            rows.append(_m2m_row(model, name, change))
        else:
            row = _field_row(model, name, change, creating=creating, wanted=wanted)
            if row is not None:
                rows.append(row)
    return rows


def _related_names(wanted: dict) -> dict[type, dict[str, str]]:
    """Names of the related records the changes point at, one query per related model."""
    names: dict[type, dict[str, str]] = {}
    for related_model, raw_pks in wanted.items():
        pks = []
        for raw in raw_pks:
            try:
                pks.append(related_model._meta.pk.to_python(raw))
            except ValidationError:
                continue
        try:
            found = related_model._default_manager.in_bulk(pks)
        except Exception:  # e.g. a model scoped by something the current scope does not set
            found = {}
        names[related_model] = {str(pk): str(obj) for pk, obj in found.items()}
    return names


_MANAGER_TEXT = re.compile(r"\w+\.\w+\.None")
# A decimal as `str(Decimal)` writes it ("50.42", "-3.5"): how services log amounts of their own keys.
_DECIMAL_TEXT = re.compile(r"-?\d+\.\d+")


def _local_number(value, decimal_places: int | None = None) -> str:
    """auditlog stores numbers as text ("1250.50"); show them as the reader's language writes them."""
    try:
        number = Decimal(str(value)) if decimal_places != 0 else int(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return number_format(number, decimal_pos=decimal_places or None, force_grouping=True)


def _display(names: dict[type, dict[str, str]], field, value) -> str:
    if _blank(value):
        return ""
    if not hasattr(field, "verbose_name"):  # a service's own key: amounts are written as decimals
        text = str(value)
        return _local_number(text, len(text.split(".")[1])) if _DECIMAL_TEXT.fullmatch(text) else text
    if field.many_to_one:
        return names.get(field.related_model, {}).get(str(value), str(value))
    if field.choices:
        return str(dict((str(k), v) for k, v in field.flatchoices).get(str(value), value))
    kind = field.get_internal_type()
    if kind == "BooleanField":
        return _("Yes") if str(value) == "True" else _("No")
    if kind in ("DateField", "DateTimeField"):
        return _local_date(str(value), with_time=kind == "DateTimeField")
    if kind == "DecimalField":
        return _local_number(value, field.decimal_places)
    if kind in ("IntegerField", "PositiveIntegerField", "BigIntegerField") and "km" in field.name:
        return _local_number(value, 0)  # readings grouped as the pages show them; years, counts as stored
    return str(value)


@register.simple_tag
def activity_changes(entries, compact: bool = False) -> list[tuple[object, list[tuple[str, str, str]]]]:
    """Activity entries with readable changes: (entry, [(label, old, new), ...]).

    Field labels and choice labels instead of column names, names of related records instead of
    ids (looked up once per related model for all entries, not per entry), and no reverse relations
    (auditlog stores those on create as "app.Model.None").
    """
    parsed, wanted = [], defaultdict(set)
    for entry in entries:
        entry.action_label = _action_label(entry)
        parsed.append((entry, _entry_rows(entry, compact=compact, wanted=wanted)))
    names = _related_names(wanted)
    result = []
    for entry, rows in parsed:
        changes = []
        for field, old, new in rows:
            if not hasattr(field, "verbose_name"):  # a service's own key, labelled by the model
                changes.append((field, _display(names, field, old), _display(names, field, new)))
            else:
                changes.append((capfirst(field.verbose_name), _display(names, field, old), _display(names, field, new)))
        result.append((entry, changes))
    return result

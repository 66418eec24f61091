"""Lean rendering of the customer card's fields (`{% card_field field %}`).

The card shows about 70 fields on six tabs. Rendered with crispy-forms (`|as_crispy_field`) every
field cost eight to ten nested template includes, and Django renders each `<option>` of a select
through its own template: ~1,450 template renders per card, ~90 ms of the ~100 ms a card took
(bench/RESULTS.md). This tag writes the same Bootstrap 5 markup as crispy-bootstrap5 (ids, classes,
labels, help texts, error blocks) in Python; the controls themselves are written from the widget's
own context (`widget.get_context`, so values, formats and attributes are Django's) the way Django's
input/select/textarea templates would write them. Unknown widgets fall back to their template.
"""

from __future__ import annotations

from django import forms, template
from django.forms.widgets import Input
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django_countries.widgets import LazySelect

register = template.Library()


def _flat(attrs: dict) -> str:
    """Django's attrs.html: `False` leaves the attribute out, `True` writes it without a value."""
    # f-strings with conditional_escape write what format_html writes, without its per-call machinery
    # (~70 fields × a dozen pieces per card).
    # Attribute names come from widget definitions in code, never from input: only values are escaped.
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f" {name}" if value is True else f' {name}="{_e(value)}"'
            for name, value in attrs.items()
            if value is not False and value is not None
        )
    )


# html.escape's five characters in one pass (html.escape makes five str.replace calls; _e runs ~650
# times per card).
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def _e(value) -> str:
    """conditional_escape without the lazy-object wrapper: safe strings stay, everything else is escaped
    exactly as html.escape (and so Django's escape) would."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return str(value).translate(_ESCAPES)


def _classes(widget: forms.Widget, extra: str) -> str:
    return f"{widget.attrs.get('class', '')} {extra}".strip()


def _help(field) -> str:
    if not field.help_text:
        return ""
    # Help texts are ours (form definitions), and Django's own form templates render them unescaped too.
    return mark_safe(f'<div id="{_e(field.auto_id)}_helptext" class="form-text">{field.help_text!s}</div>')  # noqa: S308


def _errors(field) -> str:
    if not field.errors:
        return ""
    auto_id = _e(field.auto_id)
    rows = "".join(f'<p id="error_{i}_{auto_id}"><strong>{_e(e)}</strong></p>' for i, e in enumerate(field.errors, 1))
    return mark_safe(f'<div id="{auto_id}_error" class="invalid-feedback">{rows}</div>')  # noqa: S308


def _label(field, tag: str = "label", css: str = "form-label") -> str:
    required = field.field.required
    target = f'for="{_e(field.id_for_label)}" ' if tag == "label" and field.id_for_label else ""
    asterisk = '<span class="asteriskField">*</span>' if required else ""
    return mark_safe(  # noqa: S308 - the label is escaped, the rest is ours
        f'<{tag} {target}class="{css}{" requiredField" if required else ""}">{_e(field.label)}{asterisk}</{tag}>'
    )


def _widget_attrs(field, css: str) -> dict:
    widget = field.field.widget
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs({"class": _classes(widget, css)}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    return attrs


def _select(field, css: str) -> str:
    # Plain escape() and joins: two country selects have ~250 options each, format_html per option
    # would cost more than the rest of the field.
    widget = field.field.widget
    if type(widget) in _PLAIN_SELECTS:
        return _plain_select(field, widget, css)
    context = widget.get_context(field.html_name, field.value(), _widget_attrs(field, css))["widget"]
    parts = [f'<select name="{escape(context["name"])}"{_flat(context["attrs"])}>']
    for group, choices, _index in context["optgroups"]:
        if group:
            parts.append(f'<optgroup label="{escape(group)}">')
        for o in choices:
            selected = " selected" if o["selected"] else ""
            parts.append(f'<option value="{escape(o["value"])}"{selected}>{escape(o["label"])}</option>')
        if group:
            parts.append("</optgroup>")
    parts.append("</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


# Widgets whose options carry nothing but value, label and `selected` (no create_option override):
# their options are written straight from the choices. Building Django's option dicts first
# (`optgroups`) cost ~2.7 ms of the ~3.6 ms of a country select.
_PLAIN_SELECTS = (forms.Select, LazySelect)


def _plain_select(field, widget: forms.Select, css: str) -> str:
    """Same output as Select.optgroups + select.html: only the first option matching the value is
    selected, None stands for "", a (label, [choices]) pair is an <optgroup>."""
    if isinstance(widget, LazySelect):
        # Country lists depend on nothing but the language (and settings): written once per process
        # and language — ~250 options, ~1.5 ms per select on every card. django-countries' own
        # `use_required_attribute` walks the whole list too; its answer is cached with the options.
        key = (get_language(), type(field.form), field.name)
        cached = _OPTIONS_CACHE.get(key)
        if cached is None:
            required = widget.use_required_attribute(None)
            cached = _OPTIONS_CACHE.setdefault(key, (*_options(widget.choices), required))
        parts, first, required = cached
        widget.use_required_attribute = lambda initial: required  # this form's own copy of the widget
    else:
        parts, first = _options(widget.choices)
    attrs = widget.build_attrs(widget.attrs, _widget_attrs(field, css))
    values = set(widget.format_value(field.value()))
    chosen = min((first[v] for v in values if v in first), default=None)
    if chosen is not None:
        parts = parts.copy()
        parts[chosen] = parts[chosen].replace('">', '" selected>', 1)
    return mark_safe(f'<select name="{escape(field.html_name)}"{_flat(attrs)}>{"".join(parts)}</select>')  # noqa: S308


_OPTIONS_CACHE: dict[tuple, tuple[list[str], dict[str, int], bool]] = {}


def _options(choices) -> tuple[list[str], dict[str, int]]:
    """The <option>/<optgroup> markup of `choices` without a selection, and for each value the index of
    its first option (the one Django would mark selected)."""
    parts: list[str] = []
    first: dict[str, int] = {}

    def option(value, label) -> str:
        value = str(value)
        first.setdefault(value, len(parts))
        return f'<option value="{escape(value)}">{escape(label)}</option>'

    for value, label in choices:
        if isinstance(label, list | tuple):
            parts.append(f'<optgroup label="{escape("" if value is None else value)}">')
            for v, lab in label:  # None stays "None" here, as in Django
                parts.append(option(v, lab))
            parts.append("</optgroup>")
        else:
            parts.append(option("" if value is None else value, label))
    return parts, first


def _control(field, css: str) -> str:
    """An <input> or <textarea> as Django's input.html/textarea.html would write it."""
    widget = field.field.widget
    context = widget.get_context(field.html_name, field.value(), _widget_attrs(field, css))["widget"]
    name, attrs, value = escape(context["name"]), _flat(context["attrs"]), context["value"]
    if isinstance(widget, forms.Textarea):
        return mark_safe(f'<textarea name="{name}"{attrs}>\n{escape(value) if value else ""}</textarea>')  # noqa: S308
    value_attr = "" if value is None else f' value="{escape(value)}"'
    return mark_safe(f'<input type="{escape(context["type"])}" name="{name}"{value_attr}{attrs}>')  # noqa: S308


def _checkbox_rows(field) -> str:
    """The options of a CheckboxSelectMultiple without errors, as Django's subwidgets would write them
    (ids `<auto_id>_<index>`, no `required`): building each option's widget context cost ~700 calls per
    list of three stations."""
    widget = field.field.widget
    name, auto_id = _e(field.html_name), field.auto_id
    chosen = set(widget.format_value(field.value()))
    rows = []
    for index, (value, label) in enumerate(widget.choices):
        value = "" if value is None else str(value)
        option_id = f"{_e(auto_id)}_{index}"
        rows.append(
            f'<div class="form-check"><input type="checkbox" class="form-check-input" name="{name}" '
            f'value="{_e(value)}" id="{option_id}"{" checked" if value in chosen else ""}>'
            f'<label for="{option_id}" class="form-check-label">{_e(label)}</label></div>'
        )
    return "".join(rows)


def _choice_list(field) -> str:
    widget = field.field.widget
    if type(widget) is forms.CheckboxSelectMultiple and field.auto_id and not field.errors and not widget.attrs:
        described = f' aria-describedby="{_e(field.aria_describedby)}"' if field.aria_describedby else ""
        return mark_safe(  # noqa: S308 - the parts are escaped above
            f'<div id="div_{_e(field.auto_id)}" class="mb-3"><fieldset{described}>'
            f"{_label(field, 'legend', 'form-label fs-6')}<div>{_checkbox_rows(field)}</div>{_help(field)}"
            "</fieldset></div>"
        )
    invalid = " is-invalid" if field.errors else ""
    rows = []
    subwidgets = list(field.subwidgets)
    for i, option in enumerate(subwidgets):
        data = option.data
        attrs = {k: v for k, v in data["attrs"].items() if k != "class"}
        rows.append(
            format_html(
                '<div class="form-check"><input type="{}" class="form-check-input{}" name="{}" value="{}"{}>'
                '<label for="{}" class="form-check-label">{}</label>{}</div>',
                data["type"],
                invalid,
                data["name"],
                str(data["value"]),
                _flat(attrs),
                attrs.get("id", ""),
                data["label"],
                _errors(field) if i == len(subwidgets) - 1 else "",
            )
        )
    return format_html(
        '<div id="div_{}" class="mb-3"><fieldset{}>{}<div>{}</div>{}{}</fieldset></div>',
        field.auto_id,
        format_html(' aria-describedby="{}"', field.aria_describedby) if field.aria_describedby else "",
        _label(field, "legend", "form-label fs-6"),
        mark_safe("".join(rows)),  # noqa: S308  (each row was built by format_html above)
        _help(field),
        "" if subwidgets else _errors(field),
    )


# Fields that take the whole row of a tab; the others share it two by two from md width on.
_FULL_WIDTH = frozenset({"invoice_recipient", "notes", "allowed_vehicle_groups", "allowed_stations", "attributes"})


@register.simple_tag
def card_cell(field) -> str:
    """`card_field` in its grid column (the tab's template decided the column per field before: ~100
    template lookups per field)."""
    full = field.name in _FULL_WIDTH or isinstance(field.field.widget, forms.CheckboxInput)
    return mark_safe(f'<div class="col-12{"" if full else " col-md-6"}">{card_field(field)}</div>')  # noqa: S308


@register.simple_tag
def card_field(field) -> str:
    widget = field.field.widget
    if field.is_hidden:
        return str(field)
    invalid = " is-invalid" if field.errors else ""
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return _choice_list(field)
    if isinstance(widget, forms.CheckboxInput):
        control = _control(field, "form-check-input" + invalid)
        return mark_safe(  # noqa: S308 - the parts are safe strings built above
            f'<div class="mb-3"><div id="div_{_e(field.auto_id)}" class="form-check">'
            f"{control}{_label(field, css='form-check-label')}{_help(field)}{_errors(field)}</div></div>"
        )
    if isinstance(widget, forms.Select):
        control = _select(field, "form-select" + invalid)
    elif isinstance(widget, Input | forms.Textarea) and not isinstance(widget, forms.FileInput):
        control = _control(field, "form-control" + invalid)
    else:
        control = field.as_widget(attrs={"class": _classes(widget, "form-control" + invalid)})
    label = _label(field) if field.label else ""
    return mark_safe(  # noqa: S308 - the parts are safe strings built above
        f'<div id="div_{_e(field.auto_id)}" class="mb-3">{label}{_e(control)}{_help(field)}{_errors(field)}</div>'
    )

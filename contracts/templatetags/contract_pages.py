"""Small pieces the contract pages and panels share."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ..models import Contract

register = template.Library()

_STATUS = {
    Contract.Status.RESERVED: "info",
    Contract.Status.CHECKED_OUT: "primary",
    Contract.Status.CHECKED_IN: "success",
    Contract.Status.SETTLED: "secondary",
    Contract.Status.CANCELLED: "danger",
}


@register.simple_tag
def contract_status_badge(contract):
    return format_html(
        '<span class="badge text-bg-{}" data-testid="contract-status">{}</span>',
        _STATUS.get(contract.status, "secondary"),
        capfirst(contract.get_status_display()),
    )


@register.simple_tag
def contract_period(contract) -> str:
    """ "01.12.26 09:00 – 05.12.26 18:00" in the reader's format; an open end says so."""
    start = date_format(timezone.localtime(contract.starts_at), "SHORT_DATETIME_FORMAT")
    if contract.ends_at is None:
        return _("%(start)s – open end") % {"start": start}
    end = date_format(timezone.localtime(contract.ends_at), "SHORT_DATETIME_FORMAT")
    return f"{start} – {end}"


@register.filter
def money(value) -> str:
    """Amounts as the reader's locale writes them, with two decimals and the euro sign."""
    from django.utils.formats import number_format

    if value is None or value == "":
        return "–"
    return f"{number_format(value, 2, use_l10n=True, force_grouping=True)} €"


@register.filter
def unit_label(unit: str, quantity=1) -> str:
    """A priced line's unit code ("day") in the reader's words, plural unless the quantity is 1."""
    from ..pricing import unit_label as label

    return label(unit, quantity)

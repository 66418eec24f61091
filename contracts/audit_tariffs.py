"""Tariffs and rental settings in the activity log (django-auditlog).

Extras are owned through their tariff: the tariff service logs them on the tariff as one
`extras` entry holding data ([name, kind, charge, price, max. price, active]), rendered here in
the reader's language (core's summary-field table in rentoffice.templatetags.record_pages).
"""

from auditlog.registry import auditlog
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy

from rentoffice.templatetags import record_pages

from .models import ContractSettings, Extra, GroupBuffer, Tariff

auditlog.register(Tariff, exclude_fields=["organization", "created_at", "updated_at"])
auditlog.register(ContractSettings, exclude_fields=["organization"])
auditlog.register(GroupBuffer, exclude_fields=["organization"])


def _extras_text(value) -> str:
    if not isinstance(value, list):
        return str(value or "")
    charges = dict(Extra.Charge.choices)
    parts = []
    for row in value:
        if not isinstance(row, list) or len(row) != 6:
            parts.append(str(row))
            continue
        name, _kind, charge, price, max_price, active = row
        text = f"{name} {number_format(price, 2, use_l10n=True)} € {charges.get(charge, charge)}"
        if max_price is not None:
            text += f" (max. {number_format(max_price, 2, use_l10n=True)} €)"
        if not active:
            text += f" – {gettext_lazy('inactive')}"
        parts.append(text)
    return "; ".join(parts)


record_pages.SUMMARY_FIELDS["extras"] = (gettext_lazy("Extras"), _extras_text)

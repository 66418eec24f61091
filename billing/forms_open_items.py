"""Forms of the open-items pages: they translate input; the rules are `services.open_items`'."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rentoffice.selectors import stations_for
from rentoffice.validators import date_in_window

from .models import Payment
from .selectors_open_items import BUCKETS, OpenItemFilters
from .services.open_items import RECORDABLE_METHODS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OpenItemFilterForm(forms.Form):
    customer = forms.CharField(
        label=_("Customer"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("Name or number"), "autocomplete": "off"}),
    )
    station = forms.ModelChoiceField(label=_("Station"), queryset=None, required=False, empty_label=_("All stations"))
    bucket = forms.ChoiceField(
        label=_("Age"),
        required=False,
        choices=[("", _("Any age")), *((key, label) for key, label, *_rest in BUCKETS)],
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations_for(membership=membership)

    def filters(self) -> OpenItemFilters:
        """The selector's filters; an invalid value drops only its own filter."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        station = data.get("station")
        return OpenItemFilters(
            station_id=station.pk if station else None,
            customer_query=data.get("customer") or "",
            bucket=data.get("bucket") or None,
        )


class PaymentRecordForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (€)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    method = forms.ChoiceField(
        label=_("Received by"),
        choices=[(m.value, m.label) for m in RECORDABLE_METHODS],
        widget=forms.RadioSelect,
        initial=Payment.Method.BANK_TRANSFER,
    )
    received_on = forms.DateField(label=_("Received on"), widget=DATE, validators=[date_in_window])
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=100,
        help_text=_("Receipt number, bank reference or terminal slip."),
    )
    contract = forms.ModelChoiceField(
        label=_("Transaction"), queryset=None, required=False, empty_label=_("None (on account)")
    )
    overpayment = forms.BooleanField(
        label=_("Overpayment: record more than is open, the rest becomes the customer's credit"), required=False
    )

    def __init__(self, *args, contracts=None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("received_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        if contracts is None:
            del self.fields["contract"]
        else:
            self.fields["contract"].queryset = contracts
            self.fields["contract"].label_from_instance = lambda c: c.number

"""Forms of the settlement page: correct a charge, waive, record a payment (input only; rules in services)."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Payment

AMOUNT = {"max_digits": 10, "decimal_places": 2, "min_value": Decimal("0.00"), "max_value": Decimal("100000.00")}


class ChargeForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount (gross, €)"), **AMOUNT)
    from_deposit = forms.BooleanField(label=_("Deduct from the deposit"), required=False)


class WaiveForm(forms.Form):
    reason = forms.CharField(label=_("Reason for waiving"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


RECORDED_METHODS = [
    (Payment.Method.CASH, Payment.Method.CASH.label),
    (Payment.Method.BANK_TRANSFER, Payment.Method.BANK_TRANSFER.label),
    (Payment.Method.CARD_TERMINAL, Payment.Method.CARD_TERMINAL.label),
]


class RecordPaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount received (€)"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100000.00"),
    )
    method = forms.ChoiceField(label=_("Paid by"), choices=RECORDED_METHODS)
    received_on = forms.DateField(label=_("Received on"), initial=timezone.localdate)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)

"""Forms of the payment pages: a later charge on the stored card, a refund, releasing a hold.

They only parse input; the rules (who may, how much at most) live in bcore's services, whose
refusals the views show on these forms.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .services.payments import MAX_AMOUNT as SERVICE_MAX_AMOUNT

# The services' limit (bcore's `money_checked`): a typo of a few extra digits is a field error, not a charge.
MAX_AMOUNT = SERVICE_MAX_AMOUNT
MIN_AMOUNT = Decimal("0.01")


class AmountField(forms.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Amount (EUR)"))
        super().__init__(
            max_digits=8,
            decimal_places=2,
            min_value=MIN_AMOUNT,
            max_value=MAX_AMOUNT,
            localize=True,
            **kwargs,
        )


class LaterChargeForm(forms.Form):
    REASONS = (
        ("damage", _("damage")),
        ("extension", _("extension")),
        ("fuel", _("fuel")),
        ("cleaning", _("cleaning")),
    )

    amount = AmountField()
    reason = forms.ChoiceField(label=_("Reason"), choices=REASONS)
    note = forms.CharField(
        label=_("Note for the customer"),
        max_length=150,
        required=False,
        help_text=_("Shown on the card statement's description and the customer's e-mail."),
    )

    def description(self) -> str:
        reason = dict(self.REASONS)[self.cleaned_data["reason"]]
        note = self.cleaned_data["note"].strip()
        return f"{reason}: {note}" if note else str(reason)


class RefundForm(forms.Form):
    amount = AmountField()
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, refundable: Decimal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if refundable is not None and refundable > 0:
            self.fields["amount"].initial = refundable


class ReleaseForm(forms.Form):
    confirm = forms.BooleanField(label=_("Release the whole deposit to the customer's card"), required=True)

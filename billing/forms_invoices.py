"""Forms of the invoice pages. They only translate input: every rule (rights, immutability, line
checks, totals) is the services' and comes back as a ValidationError that
`rentoffice.forms.form_errors_from` puts on the fields."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from contracts.forms import date_field
from contracts.models import Contract
from customers.models import Customer
from customers.selectors import customers_for
from rentoffice.models import Membership
from rentoffice.selectors import stations_for

from .models import BillingSettings, Invoice
from .selectors_invoices import InvoiceFilters, contract_by_number
from .services.invoice_lines import LineSpec

CENT = Decimal("0.01")
LINE_ROWS = 8


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Invoice.Status.choices]
    )
    payment_status = forms.ChoiceField(
        label=_("Payment status"),
        required=False,
        choices=[("", _("Any payment status")), *Invoice.PaymentStatus.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Invoices and credit notes")), *Invoice.Kind.choices]
    )
    issued_from = date_field(_("Issued from"))
    issued_until = date_field(_("Issued until"))
    customer = forms.IntegerField(label=_("Customer no."), required=False, min_value=1, max_value=10**15)
    station = forms.ModelChoiceField(label=_("Station"), queryset=None, required=False, empty_label=_("All stations"))
    contract = forms.CharField(label=_("Contract no."), required=False, max_length=40)

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations_for(membership=membership)

    def filters(self) -> InvoiceFilters:
        """The selector's filters; an invalid value drops only its own filter (and shows its error)."""
        self.is_valid()
        data = self.cleaned_data
        station = data.get("station")
        return InvoiceFilters(
            status=data.get("status") or None,
            payment_status=data.get("payment_status") or None,
            kind=data.get("kind") or None,
            issued_from=data.get("issued_from"),
            issued_until=data.get("issued_until"),
            customer_number=data.get("customer"),
            station_id=station.pk if station is not None else None,
            contract_number=(data.get("contract") or "").strip(),
        )


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise forms.ValidationError(_("The text contains a character that is not allowed."))


class InvoiceHeaderForm(forms.Form):
    """Who and what period a manual invoice is for; on a new draft the customer is picked by number."""

    customer = forms.IntegerField(label=_("Customer no."), min_value=1, max_value=10**15)
    contract = forms.CharField(
        label=_("Contract no."), required=False, max_length=40, help_text=_("Optional: the contract it bills.")
    )
    station = forms.ModelChoiceField(label=_("Station"), queryset=None, required=False, empty_label=_("No station"))
    service_start = date_field(_("Service period from"))
    service_end = date_field(_("Service period until"))
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), validators=[_no_nul]
    )

    def __init__(self, *args, membership: Membership, existing: Invoice | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.fields["station"].queryset = stations_for(membership=membership, include_inactive=False)
        if existing is not None:
            # Customer and contract are chosen once; a draft for someone else is a new draft.
            del self.fields["customer"]
            del self.fields["contract"]
            del self.fields["station"]

    def clean_customer(self) -> Customer:
        number = self.cleaned_data["customer"]
        customer = customers_for(membership=self.membership).filter(number=number).first()
        if customer is None:
            raise forms.ValidationError(_("There is no customer with this number."))
        return customer

    def clean_contract(self) -> Contract | None:
        number = (self.cleaned_data.get("contract") or "").strip()
        if not number:
            return None
        contract = contract_by_number(membership=self.membership, number=number)
        if contract is None:
            raise forms.ValidationError(_("There is no contract with this number."))
        return contract


class LineForm(forms.Form):
    """One free line: a description, a quantity and a gross unit price (what customers are quoted)."""

    description = forms.CharField(label=_("Description"), max_length=200, required=False, validators=[_no_nul])
    quantity = forms.DecimalField(
        label=_("Quantity"),
        required=False,
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("99999"))],
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False, validators=[_no_nul])
    unit_price = forms.DecimalField(
        label=_("Unit price (gross)"),
        required=False,
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("-1000000")), MaxValueValidator(Decimal("1000000"))],
    )
    vat_rate = forms.DecimalField(
        label=_("VAT %"),
        required=False,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    def clean(self):
        data = super().clean()
        filled = [name for name in ("description", "quantity", "unit_price") if data.get(name) not in (None, "")]
        if filled and len(filled) < 3:
            for name in {"description", "quantity", "unit_price"} - set(filled):
                if name not in self.errors:
                    self.add_error(name, _("Fill in description, quantity and unit price of the line."))
        return data

    def spec(self, default_rate: Decimal) -> LineSpec | None:
        data = self.cleaned_data
        if not data.get("description"):
            return None
        rate = data.get("vat_rate")
        rate = default_rate if rate is None else rate
        gross = (data["quantity"] * data["unit_price"]).quantize(CENT, rounding=ROUND_HALF_UP)
        base = LineSpec.gross_amount(kind="free", description=data["description"], gross=gross, vat_rate=rate)
        return LineSpec(
            kind="free",
            description=base.description,
            quantity=data["quantity"],
            unit=data.get("unit") or "",
            unit_price=data["unit_price"],
            vat_rate=base.vat_rate,
            net=base.net,
            gross=base.gross,
        )


LineFormSet = forms.formset_factory(LineForm, extra=0, min_num=LINE_ROWS, max_num=LINE_ROWS, validate_max=True)


def line_initial(invoice: Invoice | None) -> list[dict]:
    if invoice is None:
        return []
    return [
        {
            "description": line.description,
            "quantity": line.quantity,
            "unit": line.unit,
            "unit_price": line.unit_price.quantize(CENT),
            "vat_rate": line.vat_rate,
        }
        for line in invoice.lines.all()
    ]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[_no_nul],
        help_text=_("Printed on the credit note."),
    )


class BillingSettingsForm(forms.ModelForm):
    class Meta:
        model = BillingSettings
        fields = [
            "invoice_prefix",
            "payment_terms_days",
            "settlement_mode",
            "hold_expiry",
            "charge_first_day",
            "fuel_price_per_eighth",
            "damage_charge_minor",
            "damage_charge_medium",
            "damage_charge_major",
            "vat_rate",
            "bank_name",
            "iban",
            "bic",
            "invoice_footer",
        ]
        widgets = {"invoice_footer": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        for name, value in data.items():
            if isinstance(value, str) and "\x00" in value:
                self.add_error(name, _("The text contains a character that is not allowed."))
        return data

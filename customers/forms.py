"""Forms of the customers app. ModelForms with scoped FKs are defined with scopes disabled and get
their querysets per organization in __init__ (see docs/architecture.md)."""

from __future__ import annotations

import re

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from rentoffice.models import Station, User
from rentoffice.validators import date_in_window
from vehicles.models import VehicleGroup

from .models import Customer, CustomerAttribute, CustomerSettings
from .services import CardRow

TABS: list[tuple[str, object, list[str]]] = [
    (
        "address",
        _("Address & communication"),
        [
            "kind",
            "salutation",
            "first_name",
            "last_name",
            "company",
            "street",
            "address_extra",
            "postal_code",
            "city",
            "country",
            "phone",
            "mobile",
            "email",
            "email_invoices",
            "email_bookings",
            "licence_class",
            "home_station",
            "main_customer",
        ],
    ),
    (
        "contract",
        _("Contract"),
        [
            "contract_start",
            "contract_end",
            "valid_until",
            "gender",
            "nationality",
            "date_of_birth",
            "licence_number",
            "licence_issued_on",
            "licence_authority",
            "licence_expires_on",
            "id_document_type",
            "id_document_number",
            "id_document_authority",
            "id_document_expires_on",
            "is_blocked",
            "blocked_reason",
        ],
    ),
    ("licence", _("Licence check"), ["licence_check_interval_months", "licence_checked_at", "licence_checked_by"]),
    (
        "cards",
        _("Permissions, cards & attributes"),
        [
            "allowed_vehicle_groups",
            "allowed_stations",
            "attributes",
            "new_attributes",
            *Customer.PERMISSION_FIELDS,
        ],
    ),
    (
        "billing",
        _("Billing"),
        [
            "iban",
            "bic",
            "account_holder",
            "sepa_mandate_reference",
            "sepa_mandate_date",
            "invoice_recipient",
            "debtor_account",
            "payment_method",
            "credit_check_result",
            "credit_check_date",
            "einvoice_mode",
            "leitweg_id",
        ],
    ),
    (
        "config",
        _("Configuration"),
        [
            "statistics_relevant",
            "passwordless_fleet_query",
            "customer_group",
            "may_view_other_bookings",
            "may_view_other_master_data",
            "transferable_access_card",
            "language_code",
            "additional_parallel_bookings",
            "is_internal",
            "do_not_delete",
            "notes",
        ],
    ),
]

FORM_FIELDS = [f for _key, _label, fields in TABS for f in fields if f != "new_attributes"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class PermissionSelect(forms.Select):
    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", _("Organization default")), ("true", _("Yes")), ("false", _("No"))])

    def format_value(self, value):
        # Select compares the options against a *list* of strings; a bare "true" would also "contain"
        # the empty option's value, so "organization default" was marked selected whatever was stored.
        return [{True: "true", False: "false"}.get(value, "")]

    def value_from_datadict(self, data, files, name):
        return {"true": True, "false": False}.get(data.get(name))


with scopes_disabled():

    class CustomerForm(forms.ModelForm):
        new_attributes = forms.CharField(
            label=_("New attributes"),
            required=False,
            max_length=300,
            help_text=_("Comma-separated; created for the organization and given to this customer."),
        )

        class Meta:
            model = Customer
            fields = FORM_FIELDS
            widgets = {
                "allowed_vehicle_groups": forms.CheckboxSelectMultiple,
                "allowed_stations": forms.CheckboxSelectMultiple,
                "attributes": forms.CheckboxSelectMultiple,
                "invoice_recipient": forms.Textarea(attrs={"rows": 3}),
                "notes": forms.Textarea(attrs={"rows": 3}),
                **{f: PermissionSelect for f in Customer.PERMISSION_FIELDS},
            }

        def __init__(self, *args, organization, **kwargs):
            super().__init__(*args, **kwargs)
            self.organization = organization
            self.instance.organization = organization
            for name, field in self.fields.items():
                if isinstance(field, forms.DateField):
                    field.widget = DateInput()
                if name in Customer.PERMISSION_FIELDS:
                    field.required = False
            main = Customer.objects.filter(
                organization=organization, main_customer__isnull=True, anonymised_at__isnull=True
            )
            if self.instance.pk:
                main = main.exclude(pk=self.instance.pk)
            # A text field for the main customer's number with suggestions, not a <select> of every customer
            # (an organization may have a million of them).
            field = self.fields["main_customer"]
            field.queryset = main
            field.to_field_name = "number"
            field.error_messages["invalid_choice"] = _(
                "There is no main customer with this number (sub-customers cannot be main customers)."
            )
            field.help_text = _("Customer number; type a name or number to look it up.")
            field.widget = forms.TextInput(
                attrs={
                    "list": "main-customer-suggestions",
                    "autocomplete": "off",
                    "inputmode": "search",
                    "hx-get": reverse("customers:main_suggest", kwargs={"org_slug": organization.slug}),
                    "hx-trigger": "input changed delay:250ms",
                    "hx-target": "#main-customer-suggestions",
                    "hx-swap": "innerHTML",
                }
            )
            if self.instance.main_customer_id:
                # The field holds only the number; the name next to it says who that is.
                main_customer = self.instance.main_customer
                field.help_text = _("%(name)s (customer no. %(number)s). Type a name or number to choose another.") % {
                    "name": escape(main_customer.display_name),
                    "number": main_customer.number,
                }
                if not self.is_bound:
                    self.initial["main_customer"] = main_customer.number
            stations = Station.objects.filter(organization=organization)
            self.fields["home_station"].queryset = stations
            self.fields["allowed_stations"].queryset = stations
            self.fields["allowed_vehicle_groups"].queryset = VehicleGroup.objects.filter(organization=organization)
            self.fields["attributes"].queryset = CustomerAttribute.objects.filter(organization=organization)
            self.fields["licence_checked_by"].queryset = User.objects.filter(
                memberships__organization=organization
            ).distinct()

        def clean_language_code(self):
            value = (self.cleaned_data.get("language_code") or "").strip()
            if value and not re.fullmatch(r"[A-Za-z]{2,3}([_-][A-Za-z]{2})?", value):
                raise forms.ValidationError(_("Enter a language code such as de, en or fr_FR."))
            return value

        def tabs(self) -> list[dict]:
            """Fields grouped by tab with error flags; the first tab with errors is opened."""
            result = []
            for key, label, names in TABS:
                fields = [self[n] for n in names]
                result.append(
                    {"key": key, "label": label, "fields": fields, "has_errors": any(self[n].errors for n in names)}
                )
            return result

        def new_attribute_names(self) -> list[str]:
            raw = self.cleaned_data.get("new_attributes") or ""
            return [p.strip() for p in raw.split(",") if p.strip()]


class CardForm(forms.Form):
    number = forms.CharField(label=_("Card number"), max_length=40, required=False)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DateInput, validators=[date_in_window])
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DateInput, validators=[date_in_window])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.initial:  # a new card row: "valid from" shows today (seed 003)
            self.initial = {"valid_from": timezone.localdate()}

    def clean(self):
        data = super().clean()
        if data.get("valid_from") and data.get("valid_until") and data["valid_until"] < data["valid_from"]:
            self.add_error("valid_until", _("The card cannot expire before it becomes valid."))
        return data


class BaseCardFormSet(forms.BaseFormSet):
    def clean(self):
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or (self.can_delete and self._should_delete_form(form)):
                continue
            number = (form.cleaned_data.get("number") or "").strip().upper()
            if number and number in seen:
                form.add_error("number", _("This card is listed twice."))
            seen.add(number)

    def rows(self) -> list[CardRow]:
        rows = []
        for form in self.forms:
            if self._should_delete_form(form) or not form.cleaned_data.get("number"):
                continue
            rows.append(
                CardRow(
                    number=form.cleaned_data["number"],
                    valid_from=form.cleaned_data.get("valid_from") or timezone.localdate(),
                    valid_until=form.cleaned_data.get("valid_until"),
                )
            )
        return rows


CardFormSet = forms.formset_factory(CardForm, formset=BaseCardFormSet, extra=1, can_delete=True)


class CustomerSettingsForm(forms.ModelForm):
    class Meta:
        model = CustomerSettings
        fields = [
            "may_reserve",
            "may_book_online",
            "may_use_portal",
            "may_pay_by_invoice",
            "additional_parallel_bookings",
            "licence_escalation_days",
            "inactivity_months",
            "deletion_routine_enabled",
        ]

    def clean_licence_escalation_days(self):
        value = self.cleaned_data["licence_escalation_days"]
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not parts or not all(p.isdigit() for p in parts):
            raise forms.ValidationError(_("Enter whole numbers of days separated by commas, e.g. 0,14,28."))
        return ",".join(parts)


class AttributeRenameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)

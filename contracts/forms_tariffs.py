"""Forms of the tariff editor, the price calculator and the rental settings (input only; rules in services)."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from rentoffice.models import Station
from vehicles.models import VehicleGroup

from .models import ContractSettings, Extra, Tariff

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _small(field: forms.Field) -> None:
    css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
    if isinstance(field.widget, forms.CheckboxInput):
        css = "form-check-input"
    field.widget.attrs.setdefault("class", css)


with scopes_disabled():

    class TariffForm(forms.ModelForm):
        class Meta:
            model = Tariff
            fields = [
                "name",
                "vehicle_group",
                "station",
                "valid_from",
                "valid_until",
                "price_per_day",
                "price_per_hour",
                "price_per_weekend",
                "price_per_week",
                "price_per_month",
                "included_km_per_day",
                "price_per_extra_km",
                "deposit",
                "prices_include_vat",
                "vat_rate",
            ]
            widgets = {"valid_from": DATE, "valid_until": DATE}
            help_texts = {
                "price_per_hour": _("Only for rentals (or remainders) under 6 hours; never more than a day."),
                "price_per_weekend": _("Fri 12:00 – Mon 09:00, for a rental lying within that window."),
                "price_per_week": _("7 days."),
                "price_per_month": _("30 days; an open-ended long-term rental is priced one month at a time."),
            }

        def __init__(self, *args, organization, stations, **kwargs):
            super().__init__(*args, **kwargs)
            self.instance.organization = organization
            self.fields["vehicle_group"].queryset = VehicleGroup.objects.filter(organization=organization)
            self.fields["station"].queryset = stations
            self.fields["station"].empty_label = _("All stations")

    class ExtraForm(forms.ModelForm):
        class Meta:
            model = Extra
            fields = ["kind", "name", "charge", "price", "max_price", "is_active"]

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for field in self.fields.values():
                _small(field)
            if self.instance.pk is None:
                self.fields["is_active"].initial = True

    class ContractSettingsForm(forms.ModelForm):
        class Meta:
            model = ContractSettings
            fields = ["buffer_minutes", "vehicle_assignment"]
            widgets = {"vehicle_assignment": forms.RadioSelect}


ExtraFormSet = forms.inlineformset_factory(
    Tariff, Extra, form=ExtraForm, extra=0, can_delete=True, min_num=0, validate_min=False
)


class GroupBuffersForm(forms.Form):
    """One optional minutes field per vehicle group (empty: the organization's buffer applies)."""

    def __init__(self, *args, groups, buffers: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = list(groups)
        for group in self.groups:
            self.fields[f"group_{group.pk}"] = forms.IntegerField(
                label=group.name, required=False, min_value=0, max_value=7 * 24 * 60, initial=buffers.get(group.pk)
            )

    def group_buffers(self) -> dict:
        return {group: self.cleaned_data.get(f"group_{group.pk}") for group in self.groups}


class CalculatorForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Pick-up"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    ends_at = forms.DateTimeField(
        label=_("Return"),
        widget=DATETIME,
        input_formats=DATETIME_FORMATS,
        required=False,
        help_text=_("Empty: open end (one month is priced)."),
    )
    km = forms.IntegerField(label=_("Kilometres"), required=False, min_value=0, max_value=1_000_000)

    def __init__(self, *args, extras, **kwargs):
        super().__init__(*args, **kwargs)
        self.extras = list(extras)
        for extra in self.extras:
            self.fields[f"extra_{extra.pk}"] = forms.IntegerField(
                label=extra.name, required=False, min_value=0, max_value=20, initial=0
            )

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The return must be after the pick-up."))
        return data

    def chosen_extras(self) -> list[tuple[Extra, int]]:
        return [
            (e, self.cleaned_data.get(f"extra_{e.pk}") or 0)
            for e in self.extras
            if self.cleaned_data.get(f"extra_{e.pk}")
        ]


def station_choices(membership) -> QuerySet[Station]:
    """Stations a tariff of this member may be bound to (their own)."""
    stations = Station.objects.filter(organization=membership.organization)
    if membership.station_ids is not None:
        stations = stations.filter(pk__in=membership.station_ids)
    return stations.order_by("name")

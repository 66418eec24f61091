"""Forms of the contract pages. They only translate input: every rule (availability, customer
rules, the status pipeline, km plausibility) is the services' and comes back as a ValidationError
that `rentoffice.forms.form_errors_from` puts on the fields."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from customers.models import Customer
from rentoffice.selectors import stations_for
from rentoffice.validators import date_in_window
from vehicles.models import Vehicle
from vehicles.selectors import groups_for

from .models import Contract, Extra, Tariff, VehicleBlock

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


def datetime_field(label, *, required: bool = True, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=DATETIME,
        input_formats=DATETIME_FORMATS,
        validators=[date_in_window],
        help_text=help_text,
    )


def date_field(label, *, required: bool = False) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE, validators=[date_in_window])


class ContractFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("Number, plate, customer"), "autocomplete": "off"}),
    )
    station = forms.ModelChoiceField(label=_("Station"), queryset=None, required=False, empty_label=_("All stations"))
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Contract.Status.choices]
    )
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Any type")), *Contract.Kind.choices])
    period_from = date_field(_("From"))
    period_until = date_field(_("Until"))

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations_for(membership=membership)

    def filters(self) -> dict:
        """The selector's arguments; an invalid value drops only its own filter."""
        self.is_valid()
        data = self.cleaned_data
        start, until = data.get("period_from"), data.get("period_until")
        period = None
        if start or until:
            period = (
                _day_start(start) if start else None,
                _day_start(until + dt.timedelta(days=1)) if until else None,
            )
        return {
            "search": data.get("q") or "",
            "station": data.get("station"),
            "status": data.get("status") or None,
            "kind": data.get("kind") or None,
            "period": period,
        }


def _day_start(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class CustomerPickForm(forms.Form):
    """Booking from the contract list starts by finding the customer."""

    q = forms.CharField(
        label=_("Customer"),
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("Name or customer number"), "autocomplete": "off"}),
    )


class PeriodFieldsMixin:
    period_error = _("The return must lie after the pick-up.")

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", self.period_error)
        return data


with scopes_disabled():

    class BookingForm(PeriodFieldsMixin, forms.Form):
        kind = forms.ChoiceField(
            label=_("Type"),
            choices=Contract.Kind.choices,
            initial=Contract.Kind.RENTAL,
            widget=forms.Select(attrs={"data-contract-kind": ""}),
        )
        pickup_station = forms.ModelChoiceField(label=_("Pick-up station"), queryset=None)
        starts_at = datetime_field(_("Pick-up"))
        return_station = forms.ModelChoiceField(label=_("Return station"), queryset=None)
        ends_at = datetime_field(
            _("Return"), required=False, help_text=_("May stay empty only for a long-term rental (open end).")
        )
        vehicle_group = forms.ModelChoiceField(label=_("Vehicle group"), queryset=None)
        vehicle = forms.ModelChoiceField(
            label=_("Vehicle"),
            queryset=None,
            required=False,
            empty_label=_("Any free vehicle of the group"),
            help_text=_("Only vehicles free at the station for the whole period are offered."),
        )
        tariff = forms.ModelChoiceField(
            label=_("Tariff"),
            queryset=None,
            required=False,
            empty_label=_("The tariff that applies"),
        )
        extras = forms.ModelMultipleChoiceField(
            label=_("Extras"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
        )
        expected_km = forms.IntegerField(label=_("Expected km"), min_value=0, max_value=1_000_000, required=False)
        workshop_order = forms.CharField(label=_("Workshop order"), max_length=60, required=False)
        appointment_at = datetime_field(_("Workshop appointment"), required=False)
        payer = forms.ChoiceField(label=_("Payer"), choices=Contract.Payer.choices, initial=Contract.Payer.CUSTOMER)
        payer_customer_number = forms.IntegerField(
            label=_("Paying customer (number)"),
            min_value=1,
            max_value=2**31 - 1,
            required=False,
            help_text=_("When the dealership pays: its customer number."),
        )
        insurer_name = forms.CharField(label=_("Insurer"), max_length=120, required=False)
        insurer_claim_number = forms.CharField(label=_("Insurer claim number"), max_length=60, required=False)

        COURTESY_FIELDS = (
            "workshop_order",
            "appointment_at",
            "payer",
            "payer_customer_number",
            "insurer_name",
            "insurer_claim_number",
        )

        def __init__(self, *args, membership, available=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.membership = membership
            stations = stations_for(membership=membership, include_inactive=False)
            self.fields["pickup_station"].queryset = stations
            self.fields["return_station"].queryset = stations
            self.fields["vehicle_group"].queryset = groups_for(membership=membership)
            # The vehicles offered are those the availability service found free (None: not asked yet).
            self.fields["vehicle"].queryset = available if available is not None else Vehicle.objects.none()
            # Tariffs and extras of the chosen group only (none before a group is chosen).
            group_id = self._group_id()
            tariffs = Tariff.objects.filter(
                organization=membership.organization, is_active=True, vehicle_group_id=group_id
            ).select_related("station")
            self.fields["tariff"].queryset = tariffs
            self.fields["extras"].queryset = (
                Extra.objects.filter(
                    tariff__organization=membership.organization,
                    tariff__vehicle_group_id=group_id,
                    tariff__is_active=True,
                    is_active=True,
                )
                .select_related("tariff")
                .order_by("tariff__name", "sort_order", "name")
            )
            self.fields["extras"].label_from_instance = lambda e: f"{e.name} ({e.tariff.name})"

        def _group_id(self) -> int | None:
            raw = str(self.data.get(self.add_prefix("vehicle_group"), "")) if self.is_bound else ""
            return int(raw) if raw.isdigit() and len(raw) < 10 else None

        def clean(self):
            data = super().clean()
            kind = data.get("kind")
            if kind and kind != Contract.Kind.LONG_TERM and not data.get("ends_at") and "ends_at" not in self.errors:
                self.add_error("ends_at", _("Enter the return; only a long-term rental may have an open end."))
            number = data.get("payer_customer_number")
            data["payer_customer"] = None
            if number and kind == Contract.Kind.COURTESY:
                payer = Customer.objects.filter(organization=self.membership.organization, number=number).first()
                if payer is None:
                    self.add_error("payer_customer_number", _("There is no customer with this number."))
                data["payer_customer"] = payer
            if kind != Contract.Kind.COURTESY:  # courtesy-car data only belongs to a courtesy car
                for name in self.COURTESY_FIELDS:
                    data[name] = self.fields[name].initial if name == "payer" else None
            return data

        def availability_query(self) -> dict | None:
            """Station, group and period as typed so far, for the availability service (None: incomplete)."""
            values = {}
            for name in ("pickup_station", "vehicle_group", "starts_at", "ends_at"):
                field = self.fields[name]
                try:
                    values[name] = field.clean(
                        field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
                    )
                except ValidationError:
                    return None
            if not values["pickup_station"] or not values["vehicle_group"] or not values["starts_at"]:
                return None
            if values["ends_at"] and values["ends_at"] <= values["starts_at"]:
                return None
            return values

        def service_kwargs(self) -> dict:
            data = self.cleaned_data
            return {
                "kind": data["kind"],
                "vehicle_group": data["vehicle_group"],
                "pickup_station": data["pickup_station"],
                "return_station": data["return_station"],
                "starts_at": data["starts_at"],
                "ends_at": data["ends_at"],
                "vehicle": data.get("vehicle"),
                "tariff": data.get("tariff"),
                "extras": [(extra, 1) for extra in data.get("extras") or []],
                "expected_km": data.get("expected_km"),
                "workshop_order": data.get("workshop_order") or "",
                "appointment_at": data.get("appointment_at"),
                "payer": data.get("payer") or Contract.Payer.CUSTOMER,
                "payer_customer": data.get("payer_customer"),
                "insurer_name": data.get("insurer_name") or "",
                "insurer_claim_number": data.get("insurer_claim_number") or "",
            }

    class PeriodForm(PeriodFieldsMixin, forms.Form):
        starts_at = datetime_field(_("Pick-up"))
        ends_at = datetime_field(_("Return"), required=False)

        def __init__(self, *args, contract: Contract, **kwargs):
            super().__init__(*args, **kwargs)
            self.contract = contract
            if contract.kind != Contract.Kind.LONG_TERM:
                self.fields["ends_at"].required = True
            else:
                self.fields["ends_at"].help_text = _("Leave empty for an open end.")
            if contract.status != Contract.Status.RESERVED:
                # Once the car is out, its pick-up is history: only the return can move.
                self.fields["starts_at"].disabled = True

    class VehicleSwapForm(forms.Form):
        vehicle = forms.ModelChoiceField(label=_("Vehicle"), queryset=None, empty_label=None)

        def __init__(self, *args, available, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["vehicle"].queryset = available
            self.fields["vehicle"].label_from_instance = lambda v: f"{v.plate} · {v.make} {v.model}"

    class TariffForm(forms.Form):
        tariff = forms.ModelChoiceField(label=_("Tariff"), queryset=None, empty_label=None)

        def __init__(self, *args, tariffs, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["tariff"].queryset = tariffs

    class DriverForm(forms.Form):
        customer = forms.ModelChoiceField(
            label=_("Customer"), queryset=None, required=False, widget=forms.RadioSelect, empty_label=None
        )
        name = forms.CharField(label=_("Name"), max_length=200, required=False)
        date_of_birth = date_field(_("Date of birth"))
        licence_number = forms.CharField(label=_("Driving-licence number"), max_length=50, required=False)
        licence_issued_on = date_field(_("Driving licence issued on"))
        licence_expires_on = date_field(_("Driving licence valid until"))

        def __init__(self, *args, candidates, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["customer"].queryset = candidates
            self.fields["customer"].label_from_instance = str

        def clean(self):
            data = super().clean()
            if not data.get("customer") and not data.get("name") and not self.errors:
                raise ValidationError(_("Choose a customer or enter the driver's name."))
            if data.get("customer"):  # a customer brings their own licence data from the card
                for name in ("name", "licence_number"):
                    data[name] = ""
                for name in ("date_of_birth", "licence_issued_on", "licence_expires_on"):
                    data[name] = None
            return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmForm(forms.Form):
    """A confirmation step without fields of its own (remove the vehicle, reload the price)."""

    confirm = forms.BooleanField(widget=forms.HiddenInput, initial=True)


class DriverSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a customer"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("Name or customer number"), "autocomplete": "off"}),
    )


class BlockForm(PeriodFieldsMixin, forms.Form):
    period_error = _("The end must lie after the start.")

    kind = forms.ChoiceField(label=_("Kind"), choices=VehicleBlock.Kind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    starts_at = datetime_field(_("From"))
    ends_at = datetime_field(_("Until"))

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from rentoffice.images import ImageUploadField
from rentoffice.models import Station
from rentoffice.selectors import stations_for
from rentoffice.validators import date_in_window

from .identifiers import plate_normalize, plate_validate, vin_check_digit_ok, vin_normalize
from .models import Damage, DamageStatusChange, Vehicle, VehicleGroup
from .selectors import SORTS, groups_for

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class VehicleFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("Plate, VIN, make or model"), "autocomplete": "off"}),
    )
    station = forms.ModelChoiceField(label=_("Station"), queryset=None, required=False, empty_label=_("All stations"))
    group = forms.ModelChoiceField(label=_("Group"), queryset=None, required=False, empty_label=_("All groups"))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Active")), *Vehicle.Status.choices])
    attention = forms.ChoiceField(
        label=_("Needs attention"),
        required=False,
        choices=[
            ("", _("Any")),
            ("hu_due", _("HU due within 30 days")),
            ("hu_overdue", _("HU overdue")),
            ("damaged", _("Open damages")),
        ],
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[(key, key) for key in SORTS])

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations_for(membership=membership)
        self.fields["group"].queryset = groups_for(membership=membership)

    def filters(self) -> dict:
        self.is_valid()  # an invalid value (e.g. a tampered sort) drops only that filter
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "station": data["station"].pk if data.get("station") else None,
            "group": data["group"].pk if data.get("group") else None,
            "status": data.get("status") or "",
            "attention": data.get("attention") or "",
            "sort": data.get("sort") or "plate",
        }


with scopes_disabled():

    class VehicleForm(forms.ModelForm):
        initial_km = forms.IntegerField(
            label=_("Current km"), min_value=0, initial=0, help_text=_("Starts the km history of the vehicle.")
        )

        class Meta:
            model = Vehicle
            fields = [
                "plate",
                "vin",
                "make",
                "model",
                "variant",
                "group",
                "home_station",
                "current_station",
                "first_registration",
                "fuel_type",
                "transmission",
                "seats",
                "fuel_level",
                "status",
                "status_reason",
                "next_inspection",
                "notes",
            ]
            widgets = {
                "first_registration": DATE,
                "next_inspection": DATE,
                "notes": forms.Textarea(attrs={"rows": 3}),
                "plate": forms.TextInput(attrs={"autocapitalize": "characters", "placeholder": "M-AB 1234"}),
                "vin": forms.TextInput(attrs={"autocapitalize": "characters", "maxlength": 20}),
            }

        def __init__(self, *args, membership, **kwargs):
            super().__init__(*args, **kwargs)
            self.instance.organization = membership.organization
            self.warnings: list[str] = []
            # A vehicle can be handed over to any station of the organization (one-way rentals), but
            # its home is one of the member's own stations (or stays where it is).
            visible = membership.station_ids
            all_stations = Station.objects.filter(organization=membership.organization)
            self.fields["current_station"].queryset = all_stations
            self.fields["home_station"].queryset = (
                all_stations
                if visible is None
                else all_stations.filter(Q(id__in=visible) | Q(id=self.instance.home_station_id or 0))
            )
            self.fields["fuel_level"] = forms.TypedChoiceField(
                label=_("Fuel level"),
                coerce=int,
                initial=8,
                choices=[(i, f"{i}/8") for i in range(8, -1, -1)],
                help_text=Vehicle._meta.get_field("fuel_level").help_text,
            )
            self.fields["group"].queryset = groups_for(membership=membership)
            self.fields["status"].choices = [c for c in Vehicle.Status.choices if c[0] != Vehicle.Status.RETIRED]
            self.fields["vin"].max_length = 20
            self.fields["plate"].help_text = _("German plates are saved as “M-AB 1234”.")
            if self.instance.pk:
                del self.fields["initial_km"]
                if self.instance.is_retired:
                    self.fields["status"].disabled = True
                    self.fields["status"].choices = Vehicle.Status.choices

        def _taken(self, **lookup) -> bool:
            return (
                Vehicle.objects.filter(organization=self.instance.organization, **lookup)
                .exclude(status=Vehicle.Status.RETIRED)
                .exclude(pk=self.instance.pk)
                .exists()
            )

        def clean_plate(self):
            plate = plate_normalize(self.cleaned_data["plate"])
            plate_validate(plate)
            # Checked here too (the constraint is the guarantee) to show the error at the field.
            if self._taken(plate=plate):
                raise forms.ValidationError(_("Another active vehicle already has this number plate."))
            return plate

        def clean_vin(self):
            vin = vin_normalize(self.cleaned_data.get("vin", ""))
            if vin and self._taken(vin=vin):
                raise forms.ValidationError(_("Another active vehicle already has this VIN."))
            if vin and len(vin) == 17 and not vin_check_digit_ok(vin):
                self.warnings.append(
                    str(
                        _(
                            "The VIN's check digit (9th character) does not match. This is normal for many "
                            "European vehicles; please double-check the VIN."
                        )
                    )
                )
            return vin

    class DamageForm(forms.ModelForm):
        photos = ImageUploadField(label=_("Photos"), required=False)

        class Meta:
            model = Damage
            fields = ["view", "x", "y", "area", "severity", "description", "source", "reported_at", "notes"]
            widgets = {
                "view": forms.HiddenInput(),
                "x": forms.HiddenInput(),
                "y": forms.HiddenInput(),
                "description": forms.Textarea(attrs={"rows": 3}),
                "notes": forms.Textarea(attrs={"rows": 2}),
                "reported_at": DATETIME,
            }

        def __init__(self, *args, with_photos: bool = True, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["reported_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
            self.fields["reported_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]
            if not with_photos:
                del self.fields["photos"]

        def clean(self):
            data = super().clean()
            view, x, y = data.get("view"), data.get("x"), data.get("y")
            if (view and (x is None or y is None)) or (not view and (x is not None or y is not None)):
                raise forms.ValidationError(_("Mark the position on the sketch or leave it out completely."))
            return data


class DamageStatusForm(forms.ModelForm):
    class Meta:
        model = DamageStatusChange
        fields = ["status", "date", "note"]
        widgets = {"date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        self.fields["note"].help_text = _("e.g. workshop order, insurance claim number, amount charged.")


class KmReadingForm(forms.Form):
    km = forms.IntegerField(label=_("Km reading"), min_value=0, max_value=9_999_999)
    recorded_at = forms.DateTimeField(
        label=_("Read at"),
        widget=DATETIME,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        validators=[date_in_window],
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    confirm_implausible = forms.BooleanField(
        label=_("I have checked the reading: the jump is correct."), required=False
    )
    override_reason = forms.CharField(
        label=_("Reason for the override"),
        max_length=300,
        required=False,
        help_text=_("Only needed when the reading is lower than the last one (e.g. odometer replaced)."),
    )

    def __init__(self, *args, may_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recorded_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        if not may_override:
            del self.fields["override_reason"]


class RetireForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, help_text=_("e.g. sold, total loss, end of leasing."))


class PhotosForm(forms.Form):
    photos = ImageUploadField(label=_("Photos"))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class ConditionRecordForm(forms.Form):
    km = forms.IntegerField(label=_("Km reading"), min_value=0, max_value=9_999_999, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = ImageUploadField(label=_("Photos"), required=False, max_files=30)
    # The km goes into the km history, so the km service's confirmations apply here too.
    confirm_implausible = KmReadingForm.base_fields["confirm_implausible"]
    override_reason = KmReadingForm.base_fields["override_reason"]

    def __init__(self, *args, may_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_override:
            del self.fields["override_reason"]

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("photos") and not (data.get("note") or "").strip():
            raise forms.ValidationError(_("Add at least one photo or a note."))
        return data


class VehicleGroupForm(forms.ModelForm):
    new_photo = ImageUploadField(label=_("Photo"), required=False, multiple=False)
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)

    class Meta:
        model = VehicleGroup
        fields = ["name", "code", "description", "sort_order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organization = organization
        if not self.instance.photo:
            del self.fields["remove_photo"]

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        taken = VehicleGroup.objects.filter(organization=self.instance.organization, code=code)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another vehicle group already has this code."))
        return code

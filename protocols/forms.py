"""Forms of the check-out / check-in flow: one per register step, plus photos, damages and signatures.

The register forms only translate input: their `cleaned_data` keys are the protocol's column names,
handed as `data` to `protocol_register_save`, which applies the km rules and everything else.
"""

from __future__ import annotations

import base64
import binascii
import io
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled
from PIL import Image, ImageOps

from rentoffice.images import ImageUploadField, process_image
from vehicles.models import Damage

from .models import Protocol, ProtocolPhoto, ProtocolSignature, Register

FUEL_CHOICES = [(i, f"{i}/8") for i in range(8, -1, -1)]
# A drawn signature as PNG is a few dozen kB; anything far larger is not a signature.
SIGNATURE_MAX_CHARS = 2_000_000
_DATA_URL = re.compile(r"^data:image/(png|jpeg|webp);base64,(?P<data>[A-Za-z0-9+/=\s]+)$")

KM_WIDGET = forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off", "min": 0})


class _KmFields(forms.Form):
    km = forms.IntegerField(label=_("km reading"), min_value=0, max_value=9_999_999, widget=KM_WIDGET)
    km_jump_confirmed = forms.BooleanField(
        label=_("The km reading is correct although it is far above the last one"), required=False
    )


class LongTermForm(_KmFields):
    reporter_name = forms.CharField(label=_("Reported by (name)"), max_length=120)
    field_order = ["reporter_name", "km", "km_jump_confirmed"]


class KmFuelForm(_KmFields):
    """km plus the fuel level in eighths, or the battery charge for an electric vehicle."""

    fuel = forms.TypedChoiceField(label=_("Fuel level"), coerce=int, choices=FUEL_CHOICES)
    battery_percent = forms.IntegerField(
        label=_("Battery charge (%)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, electric: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["fuel" if electric else "battery_percent"]


class CleanlinessForm(forms.Form):
    clean_inside = forms.ChoiceField(label=_("Inside"), choices=Protocol.Cleanliness.choices, widget=forms.RadioSelect)
    clean_outside = forms.ChoiceField(
        label=_("Outside"), choices=Protocol.Cleanliness.choices, widget=forms.RadioSelect
    )


class NotesForm(forms.Form):
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))


class ConfirmForm(forms.Form):
    """Registers whose content is saved by their own actions (damages, photos, signatures)."""


REGISTER_FORMS: dict[str, type[forms.Form]] = {
    Register.LONG_TERM: LongTermForm,
    Register.KM_FUEL: KmFuelForm,
    Register.CLEANLINESS: CleanlinessForm,
    Register.NOTES: NotesForm,
}


def register_form(register: str, protocol: Protocol, data=None) -> forms.Form:
    """The step form of a register, filled with the draft's values (or the vehicle's last ones)."""
    form_class = REGISTER_FORMS.get(register, ConfirmForm)
    kwargs = {}
    if form_class is KmFuelForm:
        kwargs["electric"] = protocol.vehicle.fuel_type == protocol.vehicle.Fuel.ELECTRIC
    initial = {name: getattr(protocol, name) for name in form_class.base_fields if hasattr(protocol, name)}
    initial = {name: value for name, value in initial.items() if value not in (None, "")}
    if "km" in form_class.base_fields and initial.get("km") is None:
        initial["km"] = protocol.vehicle.current_km
    if "fuel" in form_class.base_fields and initial.get("fuel") is None:
        initial["fuel"] = protocol.vehicle.fuel_level
    initial.pop("km_jump_confirmed", None)  # confirmed anew for each reading
    return form_class(data, initial=initial, prefix=register, **kwargs)


class PhotoForm(forms.Form):
    """One condition photo of one view; each view's form on the page has its own prefix."""

    photo = ImageUploadField(label=_("Photo"), multiple=False)

    def __init__(self, *args, view: str, **kwargs):
        super().__init__(*args, prefix=f"photo-{view}", **kwargs)
        self.view = view
        field = self.fields["photo"]
        field.label = _("Photo: %(view)s") % {"view": ProtocolPhoto.View(view).label}
        field.widget.attrs.update({"capture": "environment", "data-photo-preview": ""})


with scopes_disabled():

    class DamageAddForm(forms.ModelForm):
        """A new damage found at this moment: the fleet's damage fields, position on the sketch, photos."""

        photos = ImageUploadField(label=_("Photos of the damage"), required=False, max_files=10)

        class Meta:
            model = Damage
            fields = ["view", "x", "y", "area", "severity", "description"]
            widgets = {
                "view": forms.HiddenInput(),
                "x": forms.HiddenInput(),
                "y": forms.HiddenInput(),
                "description": forms.Textarea(attrs={"rows": 3}),
            }

        def __init__(self, *args, **kwargs):
            # No prefix: static/js/vehicle-sketch.js fills the fields named view, x and y.
            super().__init__(*args, **kwargs)
            self.fields["photos"].widget.attrs.update({"data-photo-preview": ""})

        def clean(self):
            data = super().clean()
            view, x, y = data.get("view"), data.get("x"), data.get("y")
            if (view and (x is None or y is None)) or (not view and (x is not None or y is not None)):
                raise forms.ValidationError(_("Mark the position on the sketch or leave it out completely."))
            return data

        def _post_clean(self):
            # The service builds and validates the damage; a model instance of its own is not needed here.
            pass


def _image_from_data_url(value: str):
    match = _DATA_URL.match(value.strip())
    if not match:
        raise ValidationError(_("Please sign in the field above."), code="invalid")
    try:
        content = base64.b64decode(match.group("data"), validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(_("The signature could not be read. Please sign again."), code="invalid") from exc
    processed = process_image(SimpleUploadedFile("signature.png", content))
    with Image.open(io.BytesIO(processed.thumbnail)) as picture:
        # An empty pad is a white picture: nothing darker than paper anywhere.
        if ImageOps.invert(picture.convert("L")).point(lambda v: 255 if v > 40 else 0).getbbox() is None:
            raise ValidationError(_("Please sign in the field above."), code="empty")
    return processed


class SignatureForm(forms.Form):
    """One signature drawn on the pad; the pad's picture travels as a data URL in a hidden field."""

    signer_name = forms.CharField(label=_("Name of the person signing"), max_length=120)
    image = forms.CharField(
        widget=forms.HiddenInput(attrs={"data-signature-value": ""}),
        max_length=SIGNATURE_MAX_CHARS,
        error_messages={"required": _("Please sign in the field above.")},
    )

    def __init__(self, *args, role: str, **kwargs):
        super().__init__(*args, prefix=f"sig-{role}", **kwargs)
        self.role = role
        self.role_label = ProtocolSignature.Role(role).label

    def clean_image(self):
        return _image_from_data_url(self.cleaned_data["image"])

"""Forms of the configuration editors: predefined messages, default texts, brand design."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rentoffice.images import ImageUploadField

from .models import Case, Language


class PredefinedMessageForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mode"))
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    title = forms.CharField(label=_("Title"), max_length=100)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))
    is_default = forms.BooleanField(
        label=_("Default text of new cases"),
        required=False,
        help_text=_("Replaces the current default text of this mode and language."),
    )

    def __init__(self, *args, modes: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = [(mode, Case.Mode(mode).label) for mode in modes]


class DefaultTextsForm(forms.Form):
    """One text per customer language; empty = no default text in that language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, name in Language.choices:
            self.fields[code] = forms.CharField(
                label=name, required=False, widget=forms.Textarea(attrs={"rows": 3, "lang": code})
            )

    def texts(self) -> dict[str, str]:
        return {code: self.cleaned_data[code] for code in Language.values}


class BrandDesignForm(forms.Form):
    colour = forms.CharField(
        label=_("Brand colour"),
        max_length=7,
        required=False,
        help_text=_("As #rrggbb, e.g. #001e50; empty = the neutral look."),
        widget=forms.TextInput(attrs={"placeholder": "#001e50"}),
    )
    logo = ImageUploadField(
        label=_("Brand logo"),
        required=False,
        multiple=False,
        help_text=_("Shown on the customer page instead of the organization's logo. JPEG, PNG, WebP or HEIC."),
    )
    remove_logo = forms.BooleanField(label=_("Remove the brand logo"), required=False)

    def logo_image(self):
        return (self.cleaned_data.get("logo") or [None])[0]

"""Forms of the CRM pages; they only translate input (rules are in services/crm.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Contact, Language
from .services.cases import ContactFields


class ContactSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search contacts"), max_length=100, required=False, help_text=_("Name, e-mail address or phone number")
    )


class ContactForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the customer"), choices=Language.choices)
    salutation = forms.ChoiceField(label=_("Salutation"), choices=Contact.Salutation.choices)
    title = forms.CharField(label=_("Title"), max_length=40, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=30, required=False)

    @classmethod
    def initial_of(cls, contact: Contact) -> dict:
        return {name: getattr(contact, name) for name in cls.base_fields}

    def contact_fields(self) -> ContactFields:
        return ContactFields(**{name: self.cleaned_data[name] for name in self.base_fields})


class OptOutForm(forms.Form):
    email_opt_out = forms.BooleanField(
        label=_("No e-mails"), required=False, help_text=_("The person objected to e-mails (GDPR Art. 21).")
    )
    sms_opt_out = forms.BooleanField(
        label=_("No text messages"),
        required=False,
        help_text=_("The person objected to text messages (GDPR Art. 21)."),
    )


class CustomerLinkForm(forms.Form):
    ACTIONS = (("link", "link"), ("create", "create"), ("unlink", "unlink"))

    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput)
    customer_number = forms.IntegerField(label=_("Customer number"), min_value=1, max_value=10**15, required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == "link" and not data.get("customer_number"):
            self.add_error("customer_number", _("Enter the number of the customer to link."))
        return data


class AnonymiseForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, erase this person's personal data for good."), required=False)

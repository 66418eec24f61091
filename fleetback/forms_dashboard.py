"""The dashboard's search and filter form (several values per filter)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Case
from .selectors import DashboardFilters

# Filters counted as "active" (the search words are not a filter; "show closed" is).
MULTI_FILTERS = ("status", "module", "brand", "author", "sender", "assignee")


def _ids(label):
    return forms.TypedMultipleChoiceField(
        label=label, coerce=int, required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )


class DashboardForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Reference, plate, VIN, phone or name"),
    )
    status = forms.MultipleChoiceField(
        label=_("Status"), choices=Case.Status.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    module = forms.MultipleChoiceField(label=_("Module"), required=False, widget=forms.CheckboxSelectMultiple)
    brand = _ids(_("Brand"))
    author = _ids(_("Author"))
    sender = _ids(_("Sender"))
    assignee = _ids(_("Assignee"))
    closed = forms.BooleanField(label=_("Show closed"), required=False)

    def __init__(self, *args, mode: str, brands: list[tuple[int, str]], users: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = [(m.value, m.label) for m in Case.MODULES[mode]]
        self.fields["brand"].choices = brands
        for name in ("author", "sender", "assignee"):
            self.fields[name].choices = users

    def filters(self) -> DashboardFilters:
        data = self.cleaned_data
        return DashboardFilters(
            search=data["q"],
            statuses=tuple(data["status"]),
            modules=tuple(data["module"]),
            brands=tuple(data["brand"]),
            authors=tuple(data["author"]),
            senders=tuple(data["sender"]),
            assignees=tuple(data["assignee"]),
            show_closed=data["closed"],
        )

    def active_count(self) -> int:
        data = self.cleaned_data
        return sum(1 for name in MULTI_FILTERS if data.get(name)) + (1 if data.get("closed") else 0)

"""The planning board's inputs: what to show (GET) and where a dragged reservation went (POST)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rentoffice.selectors import stations_for
from vehicles.selectors import groups_for

from .selectors_board import VIEWS

# Far enough for any planning; keeps a tampered date from leaving the supported range.
MOVE_DAYS_LIMIT = 366


@dataclass(frozen=True)
class BoardState:
    view: str
    day: dt.date
    station: int | None
    group: int | None

    def query(self, **changes) -> str:
        values = {"view": self.view, "day": self.day.isoformat(), "station": self.station, "group": self.group}
        values.update(changes)
        return "&".join(f"{key}={value}" for key, value in values.items() if value not in (None, ""))


class BoardFilterForm(forms.Form):
    view = forms.ChoiceField(
        label=_("View"), required=False, choices=[("week", _("Week")), ("month", _("Month"))], initial="week"
    )
    day = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    station = forms.ModelChoiceField(label=_("Station"), queryset=None, required=False, empty_label=_("All stations"))
    group = forms.ModelChoiceField(label=_("Group"), queryset=None, required=False, empty_label=_("All groups"))

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations_for(membership=membership, include_inactive=False)
        self.fields["group"].queryset = groups_for(membership=membership)
        for name in ("view", "station", "group"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["day"].widget.attrs["class"] = "form-control form-control-sm"

    def clean_day(self):
        day = self.cleaned_data.get("day")
        if day and not dt.date(2000, 1, 1) <= day <= dt.date(2099, 12, 1):
            raise forms.ValidationError(_("Choose a date between 2000 and 2099."))
        return day

    def state(self) -> BoardState:
        """The board to show; an invalid value falls back to its default, the others still apply."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        view = data.get("view") or "week"
        return BoardState(
            view=view if view in VIEWS else "week",
            day=data.get("day") or timezone.localdate(),
            station=data["station"].pk if data.get("station") else None,
            group=data["group"].pk if data.get("group") else None,
        )


class BoardMoveForm(forms.Form):
    """A reservation dropped on a vehicle's row, `days` later (or earlier) than it was."""

    contract = forms.IntegerField(min_value=1)
    vehicle = forms.IntegerField(min_value=1)
    days = forms.IntegerField(min_value=-MOVE_DAYS_LIMIT, max_value=MOVE_DAYS_LIMIT)

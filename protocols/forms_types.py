"""Forms of the protocol type editor and the protocol settings (the rules live in the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ProtocolKind, ProtocolSettings, ProtocolType, Register

REGISTER_ORDER = list(Register.values)

# What each register asks for, shown in the editor beside its checkbox.
REGISTER_HELP = {
    Register.LONG_TERM: _("Name of the person reporting and the km reading (long-term rentals)."),
    Register.KM_FUEL: _("km reading and fuel level in eighths, or battery charge in percent."),
    Register.CLEANLINESS: _("Cleanliness inside and outside."),
    Register.DAMAGE: _("Damages on the vehicle sketch, with photos; known damages are shown."),
    Register.CONDITION: _("Condition photos by view: front, rear, sides, interior, dashboard."),
    Register.NOTES: _("Free notes."),
    Register.SIGNATURE: _("Signatures of the customer and the staff member, drawn on screen."),
    Register.DISPATCH: _("Summary and submission; always the last register."),
}


class ProtocolTypeForm(forms.Form):
    """Name, kind and flags, and for every register "use" plus its position in the protocol.

    Positions are plain numbers (no drag and drop needed, works with a keyboard and without JS);
    of registers with the same position the one just moved there comes first, the others keep
    their standard order.
    """

    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Records"), choices=ProtocolKind.choices)
    usable_in_portal = forms.BooleanField(
        label=_("Usable in customer interface"),
        required=False,
        help_text=_("Customers may record this protocol themselves in the portal (later)."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    # Carries the register rules' errors (shown above the register table).
    registers = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, protocol_type: ProtocolType, **kwargs):
        self.protocol_type = protocol_type
        chosen = list(protocol_type.registers or [])
        initial = {
            "name": protocol_type.name,
            "kind": protocol_type.kind,
            "usable_in_portal": protocol_type.usable_in_portal,
            "active": protocol_type.active if protocol_type.pk else True,
        }
        for index, register in enumerate(REGISTER_ORDER):
            initial[f"use_{register}"] = register in chosen
            initial[f"pos_{register}"] = chosen.index(register) + 1 if register in chosen else index + 1
        super().__init__(*args, initial=initial, **kwargs)
        for register in REGISTER_ORDER:
            label = Register(register).label
            self.fields[f"use_{register}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"pos_{register}"] = forms.IntegerField(
                label=_("Position of %(register)s") % {"register": label},
                min_value=1,
                max_value=len(REGISTER_ORDER),
                required=False,
            )
        if protocol_type.builtin:
            # Built-in types keep their kind and stay active (the service refuses it as well).
            self.fields["kind"].disabled = True
            self.fields["active"].disabled = True

    def register_rows(self):
        return [
            {
                "key": register,
                "label": Register(register).label,
                "help": REGISTER_HELP[register],
                "use": self[f"use_{register}"],
                "pos": self[f"pos_{register}"],
            }
            for register in REGISTER_ORDER
        ]

    def chosen_registers(self) -> list[str]:
        data = self.cleaned_data
        used = [r for r in REGISTER_ORDER if data.get(f"use_{r}")]

        def position(register: str) -> tuple[int, int, int]:
            # On a tie the register just moved to that position goes first ("move notes to 1").
            standard = REGISTER_ORDER.index(register)
            given = data.get(f"pos_{register}") or standard + 1
            moved = given != self.initial.get(f"pos_{register}")
            return (given, 0 if moved else 1, standard)

        return sorted(used, key=position)

    def apply(self) -> ProtocolType:
        """The type with the form's values, ready for `protocol_type_save`."""
        protocol_type = self.protocol_type
        protocol_type.name = self.cleaned_data["name"]
        protocol_type.kind = self.cleaned_data["kind"]
        protocol_type.usable_in_portal = self.cleaned_data["usable_in_portal"]
        protocol_type.active = self.cleaned_data["active"]
        protocol_type.registers = self.chosen_registers()
        return protocol_type


class ProtocolSettingsForm(forms.Form):
    signatures_required = forms.BooleanField(
        label=_("Signatures of customer and staff required at check-out and check-in"),
        required=False,
        help_text=_("Without both signatures such a protocol cannot be submitted."),
    )

    def apply(self, settings: ProtocolSettings) -> ProtocolSettings:
        settings.signatures_required = self.cleaned_data["signatures_required"]
        return settings

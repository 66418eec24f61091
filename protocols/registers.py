"""The rules of registers: which a type may combine, which a kind needs, which fields each one fills.

One place for them: the type service enforces them, the editor page shows `RULES` next to the form,
and the capture services read `REGISTER_FIELDS` and the field parsers below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Protocol, ProtocolKind, Register

R = Register
K = ProtocolKind

# The model columns each register's step fills. Damage, condition and signature registers hold
# rows of their own (findings, photos, signatures); dispatch is the submit step and fills nothing.
REGISTER_FIELDS: dict[str, tuple[str, ...]] = {
    R.LONG_TERM: ("reporter_name", "km", "km_jump_confirmed"),
    R.KM_FUEL: ("km", "km_jump_confirmed", "fuel", "battery_percent"),
    R.CLEANLINESS: ("clean_inside", "clean_outside"),
    R.DAMAGE: (),
    R.CONDITION: (),
    R.NOTES: ("notes",),
    R.SIGNATURE: (),
    R.DISPATCH: (),
}

# Registers that record a km reading (and write the same `km` column, so a type holds one of them).
KM_REGISTERS = frozenset({R.LONG_TERM, R.KM_FUEL})

# What a kind needs: check-out and check-in go through contracts' services, which need km and fuel.
KIND_REQUIRES: dict[str, frozenset[str]] = {
    K.CHECK_OUT: frozenset({R.KM_FUEL}),
    K.CHECK_IN: frozenset({R.KM_FUEL}),
    K.INTERIM: frozenset(),
}
# Kinds whose signatures the organization setting "signatures required" applies to.
SIGNED_KINDS = frozenset({K.CHECK_OUT, K.CHECK_IN})

NOTES_MAX = 5000

# Shown next to the type editor's form: the same rules `registers_check` enforces.
RULES = (
    gettext_lazy("Dispatch is the last register: it submits the protocol. Every type ends with it."),
    gettext_lazy("Each register appears at most once."),
    gettext_lazy(
        "A type that records the km reading needs the long-term register or the km and fuel register, not both."
    ),
    gettext_lazy("Check-out and check-in types need the km and fuel register: the contract records km and fuel."),
    gettext_lazy(
        "While signatures are required (protocol settings), check-out and check-in types need the signature register."
    ),
    gettext_lazy("The built-in types Übergabe and Rücknahme can be adapted but not deleted."),
)


def register_label(register: str) -> str:
    return str(Register(register).label) if register in Register.values else register


def _labels(registers: Iterable[str]) -> str:
    return ", ".join(register_label(r) for r in registers)


def registers_check(*, kind: str, registers: list[str], signatures_required: bool) -> list[str]:
    """The registers in their order, or a ValidationError on "registers" listing every broken rule."""
    if not isinstance(registers, list) or any(not isinstance(r, str) for r in registers):
        raise ValidationError({"registers": _("Choose the registers from the list.")})
    errors: list[str] = []
    unknown = [r for r in registers if r not in Register.values]
    if unknown:
        errors.append(_("Unknown registers: %(names)s.") % {"names": ", ".join(unknown)})
    duplicates = sorted({r for r in registers if registers.count(r) > 1})
    if duplicates:
        errors.append(_("Each register appears only once: %(names)s.") % {"names": _labels(duplicates)})
    if R.DISPATCH not in registers or registers[-1] != R.DISPATCH:
        errors.append(_("Dispatch must be the last register: it submits the protocol."))
    if len([r for r in registers if r != R.DISPATCH]) == 0:
        errors.append(_("Choose at least one register besides dispatch."))
    if set(registers) >= KM_REGISTERS:
        errors.append(
            _("Choose either the long-term register or the km and fuel register: both record the km reading.")
        )
    missing = KIND_REQUIRES.get(kind, frozenset()) - set(registers)
    if missing:
        errors.append(
            _("A %(kind)s type needs the register %(names)s.")
            % {"kind": ProtocolKind(kind).label if kind in ProtocolKind.values else kind, "names": _labels(missing)}
        )
    if signatures_required and kind in SIGNED_KINDS and R.SIGNATURE not in registers:
        errors.append(
            _("Signatures are required for check-out and check-in (protocol settings): add the signature register.")
        )
    if errors:
        raise ValidationError({"registers": errors})
    return registers


# --- parsing one register's input (form cleaned_data or raw strings from a script or the portal) ---


def _int(value: Any) -> int | None:
    """An int from an int or a string of digits; None for empty; ValueError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ValueError


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes")
    return bool(value)


def _text(value: Any, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError
    value = value.strip()
    if len(value) > limit:
        raise ValueError
    return value


def _km(data: Mapping[str, Any], errors: dict[str, str]) -> int | None:
    try:
        km = _int(data.get("km"))
    except ValueError:
        km = None
    if km is None or km < 0:
        errors["km"] = _("Enter the km reading as a whole number.")
        km = None
    elif km > 9_999_999:
        errors["km"] = _("Enter a km reading below 10 million.")
        km = None
    return km


def _bounded(data: Mapping[str, Any], field: str, top: int, errors: dict[str, str], message: str) -> int | None:
    try:
        value = _int(data.get(field))
    except ValueError:
        errors[field] = message
        return None
    if value is not None and not 0 <= value <= top:
        errors[field] = message
        return None
    return value


def _parse_long_term(data: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    try:
        name = _text(data.get("reporter_name"), 120)
    except ValueError:
        name = ""
        errors["reporter_name"] = _("Enter a name of at most 120 characters.")
    if not name and "reporter_name" not in errors:
        errors["reporter_name"] = _("Enter the name of the person reporting.")
    return {
        "reporter_name": name,
        "km": _km(data, errors),
        "km_jump_confirmed": _bool(data.get("km_jump_confirmed")),
    }


def _parse_km_fuel(data: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    fuel = _bounded(data, "fuel", 8, errors, _("Enter the fuel level in eighths, from 0 (empty) to 8 (full)."))
    battery = _bounded(data, "battery_percent", 100, errors, _("Enter the battery charge in percent, from 0 to 100."))
    if fuel is None and battery is None and "fuel" not in errors and "battery_percent" not in errors:
        errors["fuel"] = _("Enter the fuel level (or the battery charge of an electric vehicle).")
    return {
        "km": _km(data, errors),
        "km_jump_confirmed": _bool(data.get("km_jump_confirmed")),
        "fuel": fuel,
        "battery_percent": battery,
    }


def _parse_cleanliness(data: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    values = {}
    for field in ("clean_inside", "clean_outside"):
        value = data.get(field)
        if value not in Protocol.Cleanliness.values:
            errors[field] = _("Choose how clean the vehicle is.")
            value = ""
        values[field] = value
    return values


def _parse_notes(data: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    try:
        return {"notes": _text(data.get("notes"), NOTES_MAX)}
    except ValueError:
        errors["notes"] = _("Keep the notes under %(limit)s characters.") % {"limit": NOTES_MAX}
        return {"notes": ""}


PARSERS = {
    R.LONG_TERM: _parse_long_term,
    R.KM_FUEL: _parse_km_fuel,
    R.CLEANLINESS: _parse_cleanliness,
    R.NOTES: _parse_notes,
}


def register_values(register: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The columns one register's step writes, parsed from `data`; a ValidationError per field otherwise."""
    if not isinstance(data, Mapping):
        raise ValidationError(_("The register's data could not be read."))
    parser = PARSERS.get(register)
    if parser is None:
        return {}
    errors: dict[str, str] = {}
    values = parser(data, errors)
    if errors:
        raise ValidationError(errors)
    return values


def fuel_eighths(protocol: Protocol) -> int | None:
    """The fuel level the contract records: eighths as entered, or an electric vehicle's battery in eighths."""
    if protocol.fuel is not None:
        return protocol.fuel
    if protocol.battery_percent is not None:
        return round(protocol.battery_percent * 8 / 100)
    return None

"""The register rules of protocols/registers.py, which the type service and the editor use."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from protocols.models import Protocol, ProtocolKind, Register
from protocols.registers import fuel_eighths, register_values, registers_check

R = Register
K = ProtocolKind
STANDARD = [R.KM_FUEL, R.CLEANLINESS, R.DAMAGE, R.CONDITION, R.NOTES, R.SIGNATURE, R.DISPATCH]


def errors(kind, registers, signatures_required=True) -> list[str]:
    with translation.override("en"):
        try:
            registers_check(kind=kind, registers=registers, signatures_required=signatures_required)
        except ValidationError as exc:
            return exc.message_dict["registers"]
    return []


def test_the_standard_registers_pass_for_check_out_and_check_in():
    assert errors(K.CHECK_OUT, STANDARD) == []
    assert errors(K.CHECK_IN, STANDARD) == []


def test_dispatch_must_be_present_and_last():
    assert any("Dispatch must be the last" in e for e in errors(K.CHECK_OUT, STANDARD[:-1]))
    moved = [R.DISPATCH, *STANDARD[:-1]]
    assert any("Dispatch must be the last" in e for e in errors(K.CHECK_OUT, moved))


def test_no_register_twice():
    assert any("only once" in e and "Notes" in e for e in errors(K.INTERIM, [R.NOTES, R.NOTES, R.DISPATCH]))


def test_a_type_recording_km_holds_one_km_register():
    assert any("both record the km" in e for e in errors(K.INTERIM, [R.LONG_TERM, R.KM_FUEL, R.DISPATCH]))
    assert errors(K.INTERIM, [R.LONG_TERM, R.NOTES, R.DISPATCH]) == []


def test_check_out_and_check_in_need_km_and_fuel():
    without = [R.LONG_TERM, R.SIGNATURE, R.DISPATCH]
    assert any("needs the register km and fuel" in e for e in errors(K.CHECK_OUT, without))
    assert any("needs the register km and fuel" in e for e in errors(K.CHECK_IN, without))
    assert errors(K.INTERIM, [R.DAMAGE, R.DISPATCH]) == []


def test_signature_register_needed_while_signatures_are_required():
    unsigned = [R.KM_FUEL, R.DISPATCH]
    assert any("Signatures are required" in e for e in errors(K.CHECK_OUT, unsigned))
    assert errors(K.CHECK_OUT, unsigned, signatures_required=False) == []
    assert errors(K.INTERIM, [R.NOTES, R.DISPATCH]) == []


def test_dispatch_alone_and_unknown_registers_are_refused():
    assert any("at least one register" in e for e in errors(K.INTERIM, [R.DISPATCH]))
    assert any("Unknown registers: gps" in e for e in errors(K.INTERIM, ["gps", R.DISPATCH]))
    assert errors(K.INTERIM, "notes") == ["Choose the registers from the list."]


def test_every_broken_rule_is_listed_at_once():
    assert len(errors(K.CHECK_OUT, [R.DISPATCH, R.NOTES, R.NOTES])) == 4


def test_register_values_parse_strings_and_refuse_bad_input_per_field():
    assert register_values(R.KM_FUEL, {"km": " 1200 ", "fuel": "3", "km_jump_confirmed": "on"}) == {
        "km": 1200,
        "km_jump_confirmed": True,
        "fuel": 3,
        "battery_percent": None,
    }
    assert register_values(R.DAMAGE, {"anything": 1}) == {}
    with pytest.raises(ValidationError) as exc:
        register_values(R.LONG_TERM, {"reporter_name": "  ", "km": -5})
    assert set(exc.value.message_dict) == {"reporter_name", "km"}
    with pytest.raises(ValidationError):
        register_values(R.NOTES, "not a mapping")


@pytest.mark.parametrize(("fuel", "battery", "eighths"), [(5, None, 5), (None, 100, 8), (None, 0, 0), (None, 49, 4)])
def test_fuel_for_the_contract_comes_from_eighths_or_the_battery(fuel, battery, eighths):
    assert fuel_eighths(Protocol(fuel=fuel, battery_percent=battery)) == eighths

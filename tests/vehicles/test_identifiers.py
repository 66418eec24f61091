import pytest
from django.core.exceptions import ValidationError

from vehicles.identifiers import plate_compact, plate_normalize, vin_check_digit_ok, vin_normalize, vin_validate


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("m-ab 1234", "M-AB 1234"),
        ("M AB 1234", "M-AB 1234"),
        ("  m - ab   1234 ", "M-AB 1234"),
        ("M–AB 1234", "M-AB 1234"),
        ("B-MW 7e", "B-MW 7E"),
        ("hh-no 401h", "HH-NO 401H"),
        ("ö-ko 1", "Ö-KO 1"),
        ("mab1234", "MAB1234"),  # without separators the district cannot be told apart: kept as typed
        ("w 12345 x", "W 12345 X"),  # foreign plate: only upper-cased, single spaces
    ],
)
def test_plate_normalisation(typed, stored):
    assert plate_normalize(typed) == stored


def test_plate_compact_lets_search_ignore_separators():
    assert plate_compact("M-AB 1234") == plate_compact("mab1234") == "mab1234"


def test_vin_checks():
    vin_validate("WVWZZZ1KZAW000001")
    with pytest.raises(ValidationError, match="17"):
        vin_validate("WVWZZZ1KZAW00001")
    with pytest.raises(ValidationError, match="I, O"):
        vin_validate("WVWZZZ1KZAW00000O")
    assert vin_normalize(" wvw zzz1kz-aw000001 ") == "WVWZZZ1KZAW000001"


def test_vin_check_digit_is_only_informative():
    assert vin_check_digit_ok("1M8GDM9AXKP042788")  # the textbook example
    assert not vin_check_digit_ok("1M8GDM9A1KP042788")

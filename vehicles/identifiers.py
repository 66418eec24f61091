"""Number plates and vehicle identification numbers: normalisation and checks."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_DASHES = re.compile(r"[\u2010-\u2015\u2212_]")
_GERMAN_PLATE = re.compile(r"^([A-ZÄÖÜ]{1,3})\s*[- ]\s*([A-Z]{1,2})\s*[- ]?\s*(\d{1,4})\s*([EH]?)$")
_PLATE_CHARS = re.compile(r"^[A-Z0-9ÄÖÜ][A-Z0-9ÄÖÜ \-]*$")

VIN_LENGTH = 17
_VIN_CHARS = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_VIN_VALUES = dict(
    zip("ABCDEFGHJKLMNPRSTUVWXYZ", [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9], strict=True)
)
_VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]


def plate_normalize(value: str) -> str:
    """Canonical spelling of a plate: upper case, German plates as "M-AB 1234" (E/H suffix kept).

    Plates that do not look German (foreign, or typed without any separator, where district and
    letters cannot be told apart) are kept upper-cased with single spaces.
    """
    text = _DASHES.sub("-", (value or "").upper()).strip()
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s*-\s*", "-", text)
    match = _GERMAN_PLATE.match(text)
    if match:
        district, letters, digits, suffix = match.groups()
        return f"{district}-{letters} {digits}{suffix}"
    return text


def plate_compact(value: str) -> str:
    """Letters and digits only, lower case: what search compares, so "mab1234" finds "M-AB 1234"."""
    return re.sub(r"[^0-9a-zäöü]", "", (value or "").lower())


def plate_validate(value: str) -> None:
    if not value or len(value) < 2 or len(value) > 15 or not _PLATE_CHARS.match(value):
        raise ValidationError(
            _("Enter a valid number plate (letters, digits, spaces and hyphens, e.g. “M-AB 1234”)."), code="plate"
        )


def vin_normalize(value: str) -> str:
    return re.sub(r"[\s\-]", "", (value or "").upper())


def vin_validate(value: str) -> None:
    """17 characters of A–Z and 0–9 without I, O and Q (ISO 3779)."""
    if len(value) != VIN_LENGTH:
        raise ValidationError(
            _("A VIN has exactly 17 characters (this one has %(count)d).") % {"count": len(value)}, code="vin_length"
        )
    if not _VIN_CHARS.match(value):
        raise ValidationError(_("A VIN contains only letters and digits, never I, O or Q."), code="vin_chars")


def vin_check_digit_ok(value: str) -> bool:
    """The check digit at position 9 (mandatory in North America only, so a mismatch merely warns)."""
    if not _VIN_CHARS.match(value or ""):
        return False
    total = sum((int(c) if c.isdigit() else _VIN_VALUES[c]) * w for c, w in zip(value, _VIN_WEIGHTS, strict=True))
    expected = total % 11
    return value[8] == ("X" if expected == 10 else str(expected))

"""Customer search: one folded, denormalised `search_text` column with a trigram GIN index.

Text is folded the same way on write (service layer) and for the query (here), so "Müller",
"mueller" and "MÜLLER" all meet at "mueller"; accents are stripped (é → e).
"""

from __future__ import annotations

import re
import unicodedata

UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l"})


def fold(value: str) -> str:
    value = (value or "").lower().translate(UMLAUTS)
    value = unicodedata.normalize("NFKD", value)
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", value).strip()


SORT_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ı": "i"})
SORT_SEPARATOR = "\x01"  # below every letter and digit, so "Muller" sorts before "Mullerova"


def sort_key(*parts: str) -> str:
    """German dictionary order (DIN 5007-1: ä = a, ö = o, ü = u, ß = ss, accents ignored, case
    ignored) as a plain string that sorts correctly byte by byte: the database has no ICU collation
    (docs/customers.md, "Sorting names")."""
    folded = []
    for part in parts:
        value = unicodedata.normalize("NFKD", (part or "").strip().lower().translate(SORT_FOLD))
        folded.append("".join(ch for ch in value if not unicodedata.combining(ch)))
    return SORT_SEPARATOR.join(folded)


def digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def phone_national(value: str) -> str:
    """The German national digits of a number typed internationally ("+49 89 12…" / "0049 89 12…" →
    "08912…"), so either way of typing finds the other; "" for anything else. Only +49: the
    organizations are German, and other countries' trunk prefixes differ."""
    value = (value or "").strip()
    number = digits(value)
    if value.startswith("+49"):
        return "0" + number[2:]
    if number.startswith("0049"):
        return "0" + number[4:]
    return ""


def build_search_text(customer, card_numbers: list[str] | tuple[str, ...] = ()) -> str:
    """Everything searchable about a customer, folded, separated by '|' so terms do not run together."""
    parts = [
        str(customer.number or ""),
        customer.first_name,
        customer.last_name,
        f"{customer.first_name} {customer.last_name}",
        f"{customer.last_name} {customer.first_name}",
        customer.company,
        customer.email,
        customer.email_invoices,
        customer.email_bookings,
        customer.phone,
        customer.mobile,
        digits(customer.phone),
        digits(customer.mobile),
        phone_national(customer.phone),
        phone_national(customer.mobile),
        *card_numbers,
    ]
    return "|" + "|".join(fold(p) for p in parts if p and p.strip()) + "|"

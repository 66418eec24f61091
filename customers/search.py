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


def digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


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
        *card_numbers,
    ]
    return "|" + "|".join(fold(p) for p in parts if p and p.strip()) + "|"

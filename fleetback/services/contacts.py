"""One contact per person: a case's contact is matched to the organization's existing contacts, so
the CRM shows a person's case history and their GDPR objections follow them to new cases."""

from __future__ import annotations

import re

from django.db.models import F, Func, Q, QuerySet, Value

from ..models import Contact

# Digits compared from the end: enough to tell mobile numbers apart, whatever prefix was typed.
PHONE_TAIL = 9


class Digits(Func):
    """The digits of a text column (phone numbers are stored as typed)."""

    function = "regexp_replace"
    output_field = Contact._meta.get_field("phone")

    def __init__(self, expression, **extra):
        super().__init__(expression, Value(r"[^0-9]"), Value(""), Value("g"), **extra)


def phone_key(value: str) -> str:
    """A phone number as international digits: "+49 151 …", "0049151…" and "0151…" are the same
    (a national number is taken as German, the organizations' country)."""
    value = (value or "").strip()
    digits = re.sub(r"\D", "", value)
    if not digits:
        return ""
    if value.startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        return "49" + digits[1:]
    return digits


def with_phone_tail(qs: QuerySet, *fields: str) -> tuple[QuerySet, list[str]]:
    """The queryset annotated with the digits of each phone field (names returned for filters)."""
    names = []
    for name in fields:
        alias = f"{name}_digits"
        qs = qs.annotate(**{alias: Digits(F(name))})
        names.append(alias)
    return qs, names


def contact_match(*, organization_id: int, last_name: str, email: str = "", phone: str = "") -> Contact | None:
    """The existing contact who is this person: same last name and the same e-mail address or
    mobile number. Anonymised contacts are never matched (their person asked to be forgotten)."""
    last_name, email, key = last_name.strip(), email.strip(), phone_key(phone)
    if not last_name or not (email or len(key) >= PHONE_TAIL):
        return None
    qs: QuerySet = Contact.objects.filter(
        organization_id=organization_id, anonymised_at__isnull=True, last_name__iexact=last_name
    )
    condition = Q(email__iexact=email) if email else Q(pk__in=[])
    if len(key) >= PHONE_TAIL:
        qs, (digits,) = with_phone_tail(qs, "phone")
        condition |= Q(**{f"{digits}__endswith": key[-PHONE_TAIL:]})
    for contact in qs.filter(condition).order_by("-pk")[:20]:
        if (email and contact.email.lower() == email.lower()) or (key and phone_key(contact.phone) == key):
            return contact
    return None


def contact_link_customer_auto(contact: Contact) -> None:
    """Link the contact to the customers app's customer when exactly one customer is clearly the
    same person (last name and e-mail or mobile number). Ambiguous cases are left to the CRM page."""
    if contact.customer_id is not None or contact.is_anonymised:
        return
    from ..selectors_crm import customers_matching

    strong = [c for c in customers_matching(contact=contact) if getattr(c, "match_strength", "") == "strong"]
    if len(strong) == 1:
        contact.customer = strong[0]
        contact.save(update_fields=["customer"])

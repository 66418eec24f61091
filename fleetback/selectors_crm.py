"""Reads of the CRM: contacts, scoped to the member through the cases they may see.

A contact is organization-wide, but a member sees it only through a case of theirs (dealership and
mode): station staff and sales see the people of their own cases, nobody else's. Contacts left
without any case are seen by members of all dealerships and both modes only.
"""

from __future__ import annotations

import re

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from customers.models import Customer
from rentoffice.models import Membership

from .models import Case, Contact, Recipient
from .selectors import cases_visible
from .services.contacts import PHONE_TAIL, phone_key, with_phone_tail
from .services.rights import SALES_ONLY

PHONE_QUERY = re.compile(r"^[\d\s+()/.-]+$")


def _unrestricted(membership: Membership, station_filter: int | None) -> bool:
    return membership.station_ids is None and not membership.has_perm(SALES_ONLY) and not station_filter


def contacts_visible(*, membership: Membership, station_filter: int | None = None) -> QuerySet[Contact]:
    cases = cases_visible(membership=membership, station_filter=station_filter)
    seen = Exists(cases.filter(contact=OuterRef("pk"))) | Exists(
        Recipient.objects.filter(case__in=cases, contact=OuterRef("pk"))
    )
    if _unrestricted(membership, station_filter):
        seen |= ~Exists(Case.objects.filter(contact=OuterRef("pk"))) & ~Exists(
            Recipient.objects.filter(contact=OuterRef("pk"))
        )
    return Contact.objects.filter(seen, organization=membership.organization_id)


def _search(qs: QuerySet[Contact], query: str) -> QuerySet[Contact]:
    query = query.strip()[:100]
    if not query:
        return qs
    digits = re.sub(r"\D", "", query)
    if PHONE_QUERY.match(query) and len(digits) >= 4:
        qs, (phone,) = with_phone_tail(qs, "phone")
        key = phone_key(query)
        if len(key) >= PHONE_TAIL:
            return qs.filter(**{f"{phone}__endswith": key[-PHONE_TAIL:]})
        return qs.filter(**{f"{phone}__contains": digits.lstrip("0") or digits})
    for word in query.split()[:5]:
        qs = qs.filter(
            Q(last_name__icontains=word)
            | Q(first_name__icontains=word)
            | Q(email__icontains=word)
            | Q(title__icontains=word)
        )
    return qs


def contacts_search(
    *, membership: Membership, query: str = "", station_filter: int | None = None, limit: int = 50
) -> list[Contact]:
    """Contacts by name, e-mail or phone, each with the number and latest date of its visible cases."""
    cases = cases_visible(membership=membership, station_filter=station_filter)
    per_contact = cases.filter(contact=OuterRef("pk")).order_by().values("contact")
    qs = (
        _search(contacts_visible(membership=membership, station_filter=station_filter), query)
        .annotate(
            case_count=Subquery(per_contact.annotate(n=Count("pk")).values("n")),
            last_case_at=Subquery(per_contact.annotate(at=Max("created_at")).values("at")),
        )
        .select_related("customer")
        .order_by("last_name", "first_name", "pk")
    )
    return list(qs[:limit])


def contact_get(*, membership: Membership, pk: int) -> Contact:
    contact = contacts_visible(membership=membership).select_related("customer").filter(pk=pk).first()
    if contact is None:
        raise Http404
    return contact


def cases_of_contact(*, membership: Membership, contact: Contact) -> list[Case]:
    """The contact's case history the member may see, newest first: cases about them and cases
    sent to them as a further recipient (`as_recipient`)."""
    cases = list(
        cases_visible(membership=membership)
        .filter(Q(contact=contact) | Q(pk__in=Recipient.objects.filter(contact=contact).values("case_id")))
        .select_related("station", "brand")
        .order_by("-created_at", "-pk")
    )
    for case in cases:
        case.as_recipient = case.contact_id != contact.pk  # type: ignore[attr-defined]
    return cases


def contact_case_ids(*, contact: Contact) -> set[int]:
    """Every case the contact appears on, whoever looks (GDPR requests cover all of them)."""
    own = set(Case.objects.filter(organization=contact.organization_id, contact=contact).values_list("pk", flat=True))
    sent = set(
        Recipient.objects.filter(organization=contact.organization_id, contact=contact).values_list(
            "case_id", flat=True
        )
    )
    return own | sent


def customers_matching(*, contact: Contact, limit: int = 10) -> list[Customer]:
    """Customers of the customers app who may be this contact. `match_strength` is "strong" for the
    same last name and the same e-mail or mobile number, "weak" for an equal name or an equal
    address alone (shown as a suggestion, never linked automatically)."""
    email, key = contact.email.strip(), phone_key(contact.phone)
    qs: QuerySet = Customer.objects.filter(organization=contact.organization_id, anonymised_at__isnull=True)
    condition = Q(pk__in=[])
    if email:
        condition |= Q(email__iexact=email) | Q(email_bookings__iexact=email) | Q(email_invoices__iexact=email)
    if len(key) >= PHONE_TAIL:
        qs, (mobile, phone) = with_phone_tail(qs, "mobile", "phone")
        condition |= Q(**{f"{mobile}__endswith": key[-PHONE_TAIL:]}) | Q(**{f"{phone}__endswith": key[-PHONE_TAIL:]})
    if contact.first_name.strip() and contact.last_name.strip():
        condition |= Q(last_name__iexact=contact.last_name.strip(), first_name__iexact=contact.first_name.strip())
    found = list(qs.filter(condition).order_by("number")[:limit])
    for customer in found:
        same_name = customer.last_name.strip().lower() == contact.last_name.strip().lower()
        same_email = bool(email) and email.lower() in {
            a.lower() for a in (customer.email, customer.email_bookings, customer.email_invoices)
        }
        same_phone = bool(key) and key in {phone_key(customer.mobile), phone_key(customer.phone)}
        customer.match_strength = (  # type: ignore[attr-defined]
            "strong" if same_name and (same_email or same_phone) else "weak"
        )
    return found

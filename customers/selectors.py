"""Reads of the customers app, scoped to the actor's organization.

Customers are organization-wide: station staff see every customer of their organization (a
customer may have a home station, but it does not restrict visibility). See docs/customers.md.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    DateField,
    DurationField,
    Exists,
    F,
    Field,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django_scopes import scopes_disabled

from rentoffice.models import Membership, Organization

from .models import (
    AccessCard,
    Customer,
    CustomerAccount,
    CustomerAttribute,
    CustomerDocument,
    CustomerSettings,
    DocumentTemplate,
    EmailTemplate,
)
from .search import digits, fold, phone_national

SEARCH_LIMIT = 20
SEARCH_CANDIDATES = 500
MAX_QUERY_LENGTH = 200


def clean_query(value: str | None) -> str:
    """A search term as the database can take it: no NUL characters (PostgreSQL refuses them), bounded."""
    return (value or "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]


class _MonthsInterval(Func):
    template = "make_interval(months => %(expressions)s::integer)"
    output_field = DurationField()


def licence_due_expression():
    """SQL twin of `Customer.licence_check_due_on`: last check plus the interval in months; a customer
    never checked is due from creation on."""
    return Coalesce(
        Cast(F("licence_checked_at") + _MonthsInterval("licence_check_interval_months"), DateField()),
        Cast("created_at", DateField()),
    )


def licence_overdue(qs: QuerySet[Customer], *, today: dt.date) -> QuerySet[Customer]:
    """Customers whose periodic licence check is due on or before `today`."""
    return (
        qs.filter(licence_check_interval_months__gt=0)  # as the Python rule: 0 means no periodic check
        .annotate(licence_due_on=licence_due_expression())
        .filter(licence_due_on__lte=today)
    )


def customers_for(*, membership: Membership) -> QuerySet[Customer]:
    return Customer.objects.filter(organization=membership.organization, anonymised_at__isnull=True)


def customer_get(*, membership: Membership, pk: int) -> Customer:
    customer = (
        Customer.objects.filter(organization=membership.organization, pk=pk)
        # The organization is the member's (no join); the home station is a form value (its id). The
        # main customer and the licence checker load when shown: joining two more 70-column rows cost
        # ~10,000 Python calls on every card, most customers have neither (docs/performance.md).
        .prefetch_related(
            "attributes",
            "allowed_vehicle_groups",
            "allowed_stations",
            Prefetch("access_cards", queryset=AccessCard.objects.order_by("number")),
        )
        .first()
    )
    if customer is None:
        raise Http404
    customer.organization = membership.organization
    return customer


def customer_record_get(*, membership: Membership, pk: int) -> Customer:
    """The customer alone, scoped like `customer_get`: what the card's lazily loaded panels and the
    activity/message pages need (record kinds). The card's relations (six more queries and ~10 ms of
    query building) are left to `customer_get`."""
    customer = Customer.objects.filter(organization=membership.organization, pk=pk).first()
    if customer is None:
        raise Http404
    customer.organization = membership.organization
    return customer


def pending_invitations(*, organization: Organization) -> QuerySet[CustomerAccount]:
    """Portal accesses whose invitation has not been taken up (no password set yet)."""
    return CustomerAccount.objects.filter(
        organization=organization,
        is_active=True,
        customer__anonymised_at__isnull=True,
    ).filter(Q(password="") | Q(password__startswith="!"))  # noqa: S106  ("!" marks an unusable password)


def customer_list(
    *,
    membership: Membership,
    query: str = "",
    group: str = "",
    blocked: str = "",
    licence: str = "",
    portal: str = "",
    today: dt.date | None = None,
) -> QuerySet[Customer]:
    qs = customers_for(membership=membership).select_related("main_customer")
    if portal == "pending":
        qs = qs.filter(
            Exists(pending_invitations(organization=membership.organization).filter(customer=OuterRef("pk")))
        )
    if licence == "overdue":
        from django.utils import timezone

        qs = licence_overdue(qs, today=today or timezone.localdate())
    if query:
        qs = _apply_search(qs, query)
    elif licence == "overdue":
        qs = qs.order_by("licence_due_on", "sort_name", "number")
    else:
        qs = qs.order_by("sort_name", "number")
    if group:
        qs = qs.filter(customer_group=group)
    if blocked == "1":
        qs = qs.filter(is_blocked=True)
    elif blocked == "0":
        qs = qs.filter(is_blocked=False)
    return qs


def with_attribute_names(customers: list[Customer]) -> list[Customer]:
    """Gives each customer of a list page `attribute_names` (sorted) with one query.

    Replaces prefetch_related("attributes") there: the prefetch builds a scoped related manager and a
    filtered queryset per row (~50 per page), which cost more CPU than the list's whole query.
    """
    names: dict[int, list[str]] = {c.pk: [] for c in customers}
    if names:
        rows = (
            Customer.attributes.through.objects.filter(customer_id__in=names)
            .order_by("customerattribute__name", "customerattribute_id")
            .values_list("customer_id", "customerattribute__name")
        )
        for customer_id, name in rows:
            names[customer_id].append(name)
    for customer in customers:
        customer.attribute_names = names[customer.pk]
    return customers


def _apply_search(qs: QuerySet[Customer], query: str) -> QuerySet[Customer]:
    term = fold(query)
    if not term:
        return qs.none()
    condition = Q(search_text__contains=term)
    number_digits = digits(query)
    phone_like = bool(re.fullmatch(r"[\d\s+()/-]+", query.strip())) and len(number_digits) >= 3
    if phone_like and number_digits != term:
        condition |= Q(search_text__contains=number_digits)
    national = phone_national(query) if phone_like else ""
    if len(national) >= 3:  # "+49 89 …" finds "089 …" (stored numbers have their national form too)
        condition |= Q(search_text__contains=national)
    whens = []
    if number_digits and number_digits == term and len(number_digits) < 19:
        whens.append(When(number=int(number_digits), then=Value(0)))
    whens += [
        When(search_text__contains=f"|{term}|", then=Value(1)),
        When(search_text__contains=f"|{term}", then=Value(2)),
    ]
    rank = Case(*whens, default=Value(3), output_field=IntegerField())
    # Rank only a bounded set of candidates: a broad term ("@example.com") matches most of a million
    # rows, and sorting all of them would cost far more than the user's next keystroke narrowing it.
    # The ids are fetched eagerly: an OR of the trigram subquery and the number lookup would make
    # PostgreSQL fall back to a sequential scan.
    candidates = list(qs.filter(condition).order_by().values_list("pk", flat=True)[:SEARCH_CANDIDATES])
    if number_digits and number_digits == term and len(number_digits) < 19:
        candidates += list(qs.filter(number=int(number_digits)).values_list("pk", flat=True)[:1])
    return qs.filter(pk__in=candidates).annotate(rank=rank).order_by("rank", "sort_name", "number")


@dataclass
class SearchScope:
    organizations: list[Organization]
    all_organizations: bool


def search_organizations(*, membership: Membership, all_organizations: bool) -> SearchScope:
    """TEN-03: with "all organizations" ticked, every organization where the user holds customers.view."""
    if not all_organizations:
        return SearchScope([membership.organization], False)
    with scopes_disabled():
        others = Membership.objects.filter(
            user_id=membership.user_id, is_active=True, organization__is_active=True
        ).select_related("organization", "role")
        orgs = [m.organization for m in others if m.has_perm("customers.view")]
    return SearchScope(orgs or [membership.organization], True)


def customer_search(
    *, membership: Membership, query: str, all_organizations: bool = False, limit: int = SEARCH_LIMIT
) -> list[Customer]:
    scope = search_organizations(membership=membership, all_organizations=all_organizations)
    with scopes_disabled():  # organizations are filtered explicitly just below
        qs: QuerySet[Customer] = Customer.objects.filter(
            organization__in=scope.organizations, anonymised_at__isnull=True
        )
        qs = _apply_search(qs, query).select_related("organization")
        return list(qs[:limit])


def main_customer_suggest(*, membership: Membership, query: str, exclude_pk: int | None = None, limit: int = 10):
    """Candidates for the card's main-customer field: customers that are not sub-customers themselves,
    companies first (a main customer is usually one), then the search ranking."""
    qs = customers_for(membership=membership).filter(main_customer__isnull=True)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    company_first = Case(When(kind=Customer.Kind.LEGAL_ENTITY, then=Value(0)), default=Value(1))
    ranked = _apply_search(qs, query)
    return list(ranked.order_by(company_first, *ranked.query.order_by)[:limit])


def multi_org_available(*, membership: Membership) -> bool:
    """Offer "all organizations" only when the user may view customers in more than one of them."""
    return len(search_organizations(membership=membership, all_organizations=True).organizations) > 1


@dataclass
class DashboardStats:
    customers: int
    blocked: int
    licence_overdue: int
    invitations_pending: int


def dashboard_stats(*, membership: Membership, today: dt.date) -> DashboardStats:
    """The customers panel on the dashboard: four counts, whatever the number of customers."""
    # Separate counts, each answered from its own (partial) index; one combined aggregate would have to
    # read every customer row (a quarter of a second at a million customers).
    qs = customers_for(membership=membership)
    return DashboardStats(
        customers=qs.count(),
        blocked=qs.filter(is_blocked=True).count(),
        licence_overdue=licence_overdue(qs, today=today).count(),
        invitations_pending=pending_invitations(organization=membership.organization).count(),
    )


def settings_for(*, organization: Organization) -> CustomerSettings:
    with scopes_disabled():
        found = CustomerSettings.objects.filter(organization=organization).first()
    return found or CustomerSettings(organization=organization)


def effective_permissions(*, customer: Customer, defaults: CustomerSettings) -> list[tuple[str, object, bool, bool]]:
    """(field, label, value, is_default) for each customer permission, inherited from the main customer
    and then from the organization's defaults."""
    result: list[tuple[str, object, bool, bool]] = []
    for field in Customer.PERMISSION_FIELDS:
        value = getattr(customer, field)
        inherited = value is None
        if value is None and customer.main_customer_id:
            value = getattr(customer.main_customer, field)
        if value is None:
            value = getattr(defaults, field)
        model_field = Customer._meta.get_field(field)
        assert isinstance(model_field, Field)  # noqa: S101  invariant: the permission fields are columns of Customer
        result.append((field, model_field.verbose_name, value, inherited))
    return result


def access_cards_suggest(*, membership: Membership, query: str, limit: int = 10) -> QuerySet[AccessCard]:
    if len(query.strip()) < 3:
        return AccessCard.objects.none()
    return (
        AccessCard.objects.filter(organization=membership.organization, number__icontains=query.strip())
        .select_related("customer")
        .order_by(F("customer").asc(nulls_first=True), "number")[:limit]
    )


def attributes_for(*, membership: Membership) -> QuerySet[CustomerAttribute]:
    return CustomerAttribute.objects.filter(organization=membership.organization)


def documents_for(*, customer: Customer) -> QuerySet[CustomerDocument]:
    return CustomerDocument.objects.filter(organization=customer.organization_id, customer=customer).select_related(
        "uploaded_by"
    )


def document_get(*, membership: Membership, customer: Customer, pk: int) -> CustomerDocument:
    doc = documents_for(customer=customer).filter(organization=membership.organization, pk=pk).first()
    if doc is None:
        raise Http404
    return doc


def document_templates_for(*, membership: Membership) -> QuerySet[DocumentTemplate]:
    return DocumentTemplate.objects.filter(organization=membership.organization)


def document_template_get(*, membership: Membership, pk: int) -> DocumentTemplate:
    found = document_templates_for(membership=membership).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def email_templates_for(*, membership: Membership) -> QuerySet[EmailTemplate]:
    return EmailTemplate.objects.filter(organization=membership.organization)


def accounts_for(*, customer: Customer) -> QuerySet[CustomerAccount]:
    return CustomerAccount.objects.filter(organization=customer.organization_id, customer=customer)


def account_get(*, membership: Membership, customer: Customer, pk: int) -> CustomerAccount:
    found = accounts_for(customer=customer).filter(organization=membership.organization, pk=pk).first()
    if found is None:
        raise Http404
    return found


def email_template_get(*, membership: Membership, pk: int) -> EmailTemplate:
    found = email_templates_for(membership=membership).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def attributes_with_counts(*, membership: Membership) -> QuerySet[CustomerAttribute]:
    """The organization's attributes, each with `customer_count` (one query however many there are)."""
    return attributes_for(membership=membership).annotate(customer_count=Count("customers")).order_by("name")


def attribute_get(*, membership: Membership, pk: int) -> CustomerAttribute:
    found = attributes_for(membership=membership).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found

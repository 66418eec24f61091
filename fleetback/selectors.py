"""Reads of dealer cases, scoped to the member: organization, dealerships (stations) and mode."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from rentoffice.models import Brand, Membership, User
from rentoffice.tenancy import scope_to_stations

from .models import Case, Checklist, ChecklistItem, PredefinedMessage, Recipient, WorkItem
from .services.rights import modes_for


def cases_visible(*, membership: Membership, station_filter: int | None = None) -> QuerySet[Case]:
    qs = Case.objects.filter(organization=membership.organization_id, mode__in=modes_for(membership))
    return scope_to_stations(qs, membership, station_filter=station_filter)


def case_get(*, membership: Membership, pk: int) -> Case:
    case = (
        cases_visible(membership=membership)
        .select_related("organization", "station", "brand", "contact", "author", "assignee")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    return case


@dataclass(frozen=True)
class DashboardFilters:
    """What the dashboard narrows a mode's cases to; empty tuples mean "any"."""

    search: str = ""
    statuses: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()
    brands: tuple[int, ...] = ()
    authors: tuple[int, ...] = ()
    senders: tuple[int, ...] = ()
    assignees: tuple[int, ...] = ()
    show_closed: bool = False


def search_words(search: str) -> list[str]:
    """The words of a search as the search column holds them (see migration 0002_fbdash_dashboard)."""
    return [word.replace("ß", "ss").upper() for word in search.split()[:5]]


def cases_for_list(
    *,
    membership: Membership,
    mode: str,
    filters: DashboardFilters = DashboardFilters(),
    station_filter: int | None = None,
) -> QuerySet[Case]:
    """A mode's cases for the dashboard, newest first: every search word must occur in the case's
    search column (trigram index); several values of one filter mean any of them. Closed cases
    only with "show closed" or when the status filter asks for them."""
    qs = cases_visible(membership=membership, station_filter=station_filter).filter(mode=mode)
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    elif not filters.show_closed:
        qs = qs.exclude(status=Case.Status.CLOSED)
    for field, values in (
        ("module__in", filters.modules),
        ("brand_id__in", filters.brands),
        ("author_id__in", filters.authors),
        ("sent_by_id__in", filters.senders),
        ("assignee_id__in", filters.assignees),
    ):
        if values:
            qs = qs.filter(**{field: values})
    for word in search_words(filters.search):
        condition = Q(search_text__contains=word)
        if word.isdigit() and len(word) < 10:
            condition |= Q(number=int(word))  # "000123" finds case 123
        qs = qs.filter(condition)
    # Only what a row shows: messages and the search column would be read 50 times for nothing.
    return (
        qs.select_related("station", "brand", "contact", "assignee").only(*LIST_COLUMNS).order_by("-created_at", "-id")
    )


LIST_COLUMNS = (
    "organization_id",
    "number",
    "reference",
    "plate",
    "make_model",
    "mode",
    "module",
    "status",
    "customer_waiting",
    "created_at",
    "station__name",
    "brand__name",
    "contact__title",
    "contact__first_name",
    "contact__last_name",
    "assignee__full_name",
    "assignee__email",
)


def case_statuses(*, membership: Membership, ids: list[int]) -> list[Case]:
    """Current status of these cases (the dashboard's polling); ids the member cannot see are left out."""
    return list(cases_visible(membership=membership).filter(pk__in=ids).only("pk", "status", "organization_id"))


def dashboard_users(*, membership: Membership) -> list[tuple[int, str]]:
    """(id, name) of the organization's users, for the author, sender and assignee filters."""
    return [
        (user.pk, user.full_name or user.email)
        for user in User.objects.filter(memberships__organization_id=membership.organization_id)
        .distinct()
        .order_by("full_name", "email")
        .only("pk", "full_name", "email")
    ]


def items_of(case: Case) -> list[WorkItem]:
    return list(WorkItem.objects.filter(case=case).order_by("position", "pk"))


def recipients_of(case: Case) -> list[Recipient]:
    return list(Recipient.objects.filter(case=case).select_related("contact").order_by("sent_at", "pk"))


def events_of(case: Case) -> list:
    return list(case.events.select_related("by_user", "by_recipient__contact").order_by("-at", "-pk"))


def recipient_get(*, membership: Membership, case: Case, pk: int) -> Recipient:
    recipient = Recipient.objects.filter(case=case, pk=pk).select_related("contact", "case").first()
    if recipient is None:
        raise Http404
    return recipient


def item_get(*, case: Case, pk: int) -> WorkItem:
    item = WorkItem.objects.filter(case=case, pk=pk).first()
    if item is None:
        raise Http404
    return item


def brands_for(*, membership: Membership) -> QuerySet[Brand]:
    qs = Brand.objects.filter(organization=membership.organization_id).select_related("station")
    return scope_to_stations(qs, membership).order_by("station__name", "position")


def assignees_for(*, membership: Membership) -> QuerySet[User]:
    return User.objects.filter(
        memberships__organization_id=membership.organization_id, memberships__is_active=True
    ).order_by("full_name", "email")


def checklist_items_for(*, membership: Membership, brand: Brand) -> list:
    checklist = Checklist.objects.filter(organization=membership.organization_id, brand=brand).first()
    return list(checklist.items.all()) if checklist else []


def checklist_items_of_brands(*, membership: Membership, brands: QuerySet[Brand]) -> QuerySet[ChecklistItem]:
    """Checklist items the case editor offers: those of the member's visible brands."""
    return ChecklistItem.objects.filter(
        organization=membership.organization_id, checklist__brand__in=brands
    ).select_related("checklist__brand")


def checklist_items_by_brand(*, membership: Membership) -> dict[int, list]:
    found: dict[int, list] = {}
    for checklist in Checklist.objects.filter(organization=membership.organization_id).prefetch_related("items"):
        found[checklist.brand_id] = list(checklist.items.all())
    return found


def predefined_messages_for(*, membership: Membership, mode: str) -> QuerySet[PredefinedMessage]:
    return PredefinedMessage.objects.filter(organization=membership.organization_id, mode=mode)


def brand_get(*, membership: Membership, pk: int) -> Brand:
    brand = brands_for(membership=membership).filter(pk=pk).first()
    if brand is None:
        raise Http404
    return brand


def predefined_messages_all(*, membership: Membership) -> QuerySet[PredefinedMessage]:
    """Every predefined message of the modes the member works in (the editor's list)."""
    return PredefinedMessage.objects.filter(
        organization=membership.organization_id, mode__in=modes_for(membership)
    ).order_by("mode", "language", "-is_default", "title", "pk")


def predefined_message_get(*, membership: Membership, pk: int) -> PredefinedMessage:
    message = predefined_messages_all(membership=membership).filter(pk=pk).first()
    if message is None:
        raise Http404
    return message

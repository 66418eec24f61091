"""Reads of the core, scoped to the actor."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from .models import Membership, OpeningException, OpeningHours, OutboundMessage, Region, Role, Station
from .permissions import RESTRICTIONS
from .tenancy import scope_to_stations


def stations_for(
    *, membership: Membership, include_inactive: bool = True, station_filter: int | None = None
) -> QuerySet[Station]:
    qs = Station.objects.filter(organization=membership.organization).select_related("region")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return scope_to_stations(qs, membership, field="id", station_filter=station_filter)


def station_get(*, membership: Membership, station_id: int) -> Station:
    station = (
        stations_for(membership=membership)
        .prefetch_related(
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
            Prefetch("opening_exceptions", queryset=OpeningException.objects.order_by("date")),
        )
        .filter(pk=station_id)
        .first()
    )
    if station is None:
        raise Http404
    return station


def regions_for(*, membership: Membership) -> QuerySet[Region]:
    return Region.objects.filter(organization=membership.organization)


def region_get(*, membership: Membership, region_id: int) -> Region:
    region = regions_for(membership=membership).filter(pk=region_id).first()
    if region is None:
        raise Http404
    return region


def roles_for(*, membership: Membership) -> QuerySet[Role]:
    return Role.objects.filter(organization=membership.organization)


def role_get(*, membership: Membership, role_id: int) -> Role:
    role = roles_for(membership=membership).filter(pk=role_id).first()
    if role is None:
        raise Http404
    return role


def grantable_role_ids(*, membership: Membership) -> list[int]:
    """Roles this member may hand out or edit: none with a permission they do not hold themselves."""
    return [
        role.pk
        for role in Role.objects.filter(organization=membership.organization).only("pk", "permissions")
        if membership.permission_set >= set(role.permissions) - RESTRICTIONS
    ]


def memberships_for(*, membership: Membership) -> QuerySet[Membership]:
    """Memberships the actor may manage: only roles they could grant, only within their stations."""
    qs = Membership.objects.filter(
        organization=membership.organization, role_id__in=grantable_role_ids(membership=membership)
    )
    ids = membership.station_ids
    if ids is not None:
        qs = qs.filter(scope=Membership.Scope.STATIONS).exclude(
            stations__in=Station.objects.filter(organization=membership.organization).exclude(pk__in=ids)
        )
    return (
        qs.select_related("user", "role")
        .prefetch_related("stations", "regions")
        .order_by("user__full_name", "user__email")
    )


def membership_get(*, membership: Membership, membership_id: int) -> Membership:
    found = memberships_for(membership=membership).filter(pk=membership_id).first()
    if found is None:
        raise Http404
    return found


def activity_for_object(*, obj, limit: int | None = None) -> QuerySet[LogEntry]:
    qs = (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk))
        .select_related("actor", "content_type")
        .order_by("-timestamp")
    )
    return qs[:limit] if limit else qs


def messages_for_object(*, obj, limit: int | None = None) -> QuerySet[OutboundMessage]:
    qs = OutboundMessage.objects.filter(
        related_type=ContentType.objects.get_for_model(obj), related_id=str(obj.pk)
    ).order_by("-created_at")
    return qs[:limit] if limit else qs


def message_get(*, membership: Membership, pk: int) -> tuple[OutboundMessage, object]:
    """A message and the record it belongs to, for a member who may see that record; else 404.

    A message is as private as its record: the record's own selector (registered as a record
    kind) decides, so station scope and every other rule of that record apply unchanged. Messages
    without a record (or of a kind nobody registered) are shown to nobody.
    """
    from . import record_kinds

    message = (
        OutboundMessage.objects.filter(organization=membership.organization, pk=pk)
        .select_related("related_type")
        .first()
    )
    if message is None or message.related_type is None:
        raise Http404
    model = message.related_type.model_class()
    if model is None or not message.related_id.isdigit():
        raise Http404
    kind = record_kinds.kind_of(model)
    if kind is None:
        raise Http404
    related = record_kinds.get(kind, membership=membership, pk=int(message.related_id))
    if not isinstance(related, model):
        raise Http404
    # The record's own permission, as on its activity and messages pages.
    if not record_kinds.may_view(kind, membership=membership, obj=related):
        raise PermissionDenied
    return message, related


def organization_get(*, membership: Membership, pk: int):
    """The member's own organization as a record (activity, messages); any other id is not found."""
    if pk != membership.organization_id:
        raise Http404
    return membership.organization

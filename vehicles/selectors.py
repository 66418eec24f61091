"""Reads of the fleet, scoped to the actor's organization and stations.

A vehicle belongs to the stations it is tied to: a station-scoped member sees it when its home
station **or** its current station is one of theirs (docs/vehicles.md). Damages, condition records,
km readings and photos are visible exactly when their vehicle is.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from rentoffice.models import Membership
from rentoffice.tenancy import scope_to_stations
from rentoffice.validators import window_q

from .identifiers import plate_compact
from .models import (
    ConditionPhoto,
    ConditionRecord,
    Damage,
    DamagePhoto,
    DamageStatusChange,
    KmReading,
    Vehicle,
    VehicleGroup,
    VehiclePhoto,
)

SORTS = {
    "plate": ("plate", "id"),
    "-plate": ("-plate", "-id"),
    "make": ("make", "model", "plate", "id"),
    "-make": ("-make", "-model", "-plate", "-id"),
    "km": ("current_km", "id"),
    "-km": ("-current_km", "-id"),
    "inspection": ("next_inspection", "id"),
    "-inspection": ("-next_inspection", "-id"),
    "status": ("status", "plate", "id"),
    "-status": ("-status", "-plate", "-id"),
    "group": ("group__sort_order", "group__name", "plate", "id"),
    "-group": ("-group__sort_order", "-group__name", "-plate", "-id"),
    "station": ("current_station__name", "plate", "id"),
    "-station": ("-current_station__name", "-plate", "-id"),
}
KM_HISTORY_ON_PAGE = 25
CONDITION_RECORDS_ON_PAGE = 10
HU_DUE_WITHIN_DAYS = 30


def _scoped(qs: QuerySet, membership: Membership, prefix: str = "", station_filter: int | None = None) -> QuerySet:
    """A vehicle belongs to the stations of its home and of where it currently is."""
    return scope_to_stations(
        qs, membership, field=(f"{prefix}current_station", f"{prefix}home_station"), station_filter=station_filter
    )


def groups_for(*, membership: Membership) -> QuerySet[VehicleGroup]:
    return VehicleGroup.objects.filter(organization=membership.organization)


def group_get(*, membership: Membership, pk: int) -> VehicleGroup:
    group = groups_for(membership=membership).filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


def group_vehicle_count(*, group: VehicleGroup) -> int:
    """All vehicles of the group, retired ones included (they keep their group)."""
    return Vehicle.objects.filter(group_id=group.pk).count()


def vehicles_for(*, membership: Membership, station_filter: int | None = None) -> QuerySet[Vehicle]:
    return _scoped(
        Vehicle.objects.filter(organization=membership.organization), membership, station_filter=station_filter
    )


def vehicle_search(
    *,
    membership: Membership,
    station_filter: int | None = None,
    q: str = "",
    station: int | None = None,
    group: int | None = None,
    status: str = "",
    attention: str = "",
    sort: str = "plate",
) -> QuerySet[Vehicle]:
    """The vehicle list: every word of `q` must occur in plate, VIN, make, model or variant.

    Words are matched against the trigram-indexed `search_text` (LIKE '%word%'), so partial
    matches stay fast on large fleets. Without a status filter retired vehicles are left out.
    """
    qs = vehicles_for(membership=membership, station_filter=station_filter)
    for word in q.lower().split()[:6]:
        compact = plate_compact(word)
        condition = Q(search_text__contains=word)
        if compact and compact != word:
            condition |= Q(search_text__contains=compact)
        qs = qs.filter(condition)
    if station:
        qs = qs.filter(Q(current_station_id=station) | Q(home_station_id=station))
    if group:
        qs = qs.filter(group_id=group)
    qs = qs.filter(status=status) if status else qs.exclude(status=Vehicle.Status.RETIRED)
    today = timezone.localdate()
    if attention == "hu_due":  # due within the next 30 days, overdue ones included
        qs = qs.filter(next_inspection__lte=today + dt.timedelta(days=HU_DUE_WITHIN_DAYS))
    elif attention == "hu_overdue":
        qs = qs.filter(next_inspection__lt=today)
    elif attention == "damaged":
        qs = qs.filter(Exists(_open_damages().filter(vehicle=OuterRef("pk"))))
    return qs.select_related("group", "current_station", "home_station").order_by(*SORTS.get(sort, SORTS["plate"]))


def vehicle_get(*, membership: Membership, pk: int) -> Vehicle:
    vehicle = (
        vehicles_for(membership=membership)
        .select_related("group", "current_station", "home_station", "organization")
        .filter(pk=pk)
        .first()
    )
    if vehicle is None:
        raise Http404
    return vehicle


def vehicle_damages(*, vehicle: Vehicle) -> QuerySet[Damage]:
    return (
        Damage.objects.filter(window_q("reported_at"), vehicle=vehicle)
        .select_related("reported_by")
        .prefetch_related(Prefetch("photos", queryset=DamagePhoto.objects.order_by("uploaded_at", "id")))
        .order_by("reported_at", "id")
    )


def vehicle_condition_records(
    *, vehicle: Vehicle, limit: int | None = CONDITION_RECORDS_ON_PAGE
) -> list[ConditionRecord] | QuerySet[ConditionRecord]:
    """Newest first; a list of at most `limit` records, or the whole queryset (for paging) without a limit."""
    qs = (
        ConditionRecord.objects.filter(window_q("recorded_at"), vehicle=vehicle)
        .select_related("recorded_by")
        .prefetch_related(Prefetch("photos", queryset=ConditionPhoto.objects.order_by("uploaded_at", "id")))
        .order_by("-recorded_at", "-id")
    )
    return list(qs[:limit]) if limit else qs


def vehicle_km_history(*, vehicle: Vehicle, limit: int | None = KM_HISTORY_ON_PAGE) -> QuerySet[KmReading]:
    # A row outside the date window (written past the validators) cannot be read back by psycopg2;
    # leaving it out keeps the vehicle's pages up.
    qs = (
        KmReading.objects.filter(window_q("recorded_at"), vehicle=vehicle)
        .select_related("recorded_by")
        .order_by("-recorded_at", "-id")
    )
    return qs[:limit] if limit else qs


def vehicle_photos(*, vehicle: Vehicle) -> QuerySet[VehiclePhoto]:
    return VehiclePhoto.objects.filter(vehicle=vehicle).order_by("uploaded_at", "id")


def _open_damages() -> QuerySet[Damage]:
    return Damage.objects.exclude(status__in=Damage.CLOSED_STATUSES)


def damages_for(*, membership: Membership, station_filter: int | None = None) -> QuerySet[Damage]:
    return _scoped(
        Damage.objects.filter(organization=membership.organization),
        membership,
        "vehicle__",
        station_filter=station_filter,
    )


def fleet_overview(*, membership: Membership, station_filter: int | None = None, hu_listed: int = 5) -> dict:
    """Figures for the dashboard: active vehicles by status, HU due soon, open damages (3 queries)."""
    today = timezone.localdate()
    due_by = today + dt.timedelta(days=HU_DUE_WITHIN_DAYS)
    active = vehicles_for(membership=membership, station_filter=station_filter).exclude(status=Vehicle.Status.RETIRED)
    figures = active.aggregate(
        total=Count("pk"),
        hu_due=Count("pk", filter=Q(next_inspection__lte=due_by)),
        hu_overdue=Count("pk", filter=Q(next_inspection__lt=today)),
        **{
            f"status_{value}": Count("pk", filter=Q(status=value))
            for value in Vehicle.Status.values
            if value != Vehicle.Status.RETIRED
        },
    )
    by_status = [
        (value, label, figures[f"status_{value}"])
        for value, label in Vehicle.Status.choices
        if value != Vehicle.Status.RETIRED
    ]
    hu_soon = list(
        active.filter(next_inspection__lte=due_by)
        .only("pk", "plate", "make", "model", "next_inspection")
        .order_by("next_inspection", "plate")[:hu_listed]
    )
    open_damages = (
        damages_for(membership=membership, station_filter=station_filter)
        .exclude(status__in=Damage.CLOSED_STATUSES)
        .exclude(vehicle__status=Vehicle.Status.RETIRED)
        .count()
    )
    return {
        "total": figures["total"],
        "by_status": by_status,
        "hu_due": figures["hu_due"],
        "hu_overdue": figures["hu_overdue"],
        "hu_soon": hu_soon,
        "hu_days": HU_DUE_WITHIN_DAYS,
        "today": today,
        "open_damages": open_damages,
    }


def damage_get(*, membership: Membership, pk: int) -> Damage:
    damage = (
        damages_for(membership=membership)
        .filter(window_q("reported_at"))
        .select_related("vehicle", "vehicle__current_station", "vehicle__group", "reported_by")
        .prefetch_related(
            Prefetch("photos", queryset=DamagePhoto.objects.order_by("uploaded_at", "id")),
            Prefetch("status_changes", queryset=DamageStatusChange.objects.select_related("changed_by")),
        )
        .filter(pk=pk)
        .first()
    )
    if damage is None:
        raise Http404
    return damage


def condition_record_get(*, membership: Membership, pk: int) -> ConditionRecord:
    record = (
        _scoped(
            ConditionRecord.objects.filter(window_q("recorded_at"), organization=membership.organization),
            membership,
            "vehicle__",
        )
        .select_related("vehicle", "recorded_by")
        .prefetch_related(Prefetch("photos", queryset=ConditionPhoto.objects.order_by("uploaded_at", "id")))
        .filter(pk=pk)
        .first()
    )
    if record is None:
        raise Http404
    return record


PHOTO_KINDS: dict[str, tuple[type[VehiclePhoto | DamagePhoto | ConditionPhoto], str, tuple[str, ...]]] = {
    # kind: (model, path to the vehicle for the station scope, rows to load with the photo)
    "vehicle": (VehiclePhoto, "vehicle__", ("vehicle",)),
    "damage": (DamagePhoto, "damage__vehicle__", ("damage", "damage__vehicle")),
    "condition": (ConditionPhoto, "record__vehicle__", ("record", "record__vehicle")),
}


def photo_get(*, membership: Membership, kind: str, pk: int, with_owner: bool = False):
    """A stored photo of any fleet kind, only if the viewer may see its vehicle.

    `with_owner` also loads the record the photo belongs to and its vehicle (pages about the photo).
    """
    if kind not in PHOTO_KINDS:
        raise Http404
    model, prefix, owner = PHOTO_KINDS[kind]
    qs = _scoped(model.objects.filter(organization=membership.organization), membership, prefix)
    if with_owner:
        qs = qs.select_related(*owner)
    photo = qs.filter(pk=pk).first()
    if photo is None:
        raise Http404
    return photo

"""Reads of the fleet, scoped to the actor's organization and stations.

A vehicle belongs to the stations it is tied to: a station-scoped member sees it when its home
station **or** its current station is one of theirs (docs/vehicles.md). Damages, condition records,
km readings and photos are visible exactly when their vehicle is.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from rentoffice.models import Membership
from rentoffice.tenancy import visible_station_ids

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
    "station": ("current_station__name", "plate", "id"),
    "-station": ("-current_station__name", "-plate", "-id"),
}
KM_HISTORY_ON_PAGE = 25


def _station_q(ids, prefix: str = "") -> Q:
    return Q(**{f"{prefix}current_station__in": ids}) | Q(**{f"{prefix}home_station__in": ids})


def _scoped(qs: QuerySet, membership: Membership, prefix: str = "", station_filter: int | None = None) -> QuerySet:
    ids = visible_station_ids(membership, station_filter)
    if ids is None:
        return qs
    return qs.filter(_station_q(ids, prefix))


def groups_for(*, membership: Membership) -> QuerySet[VehicleGroup]:
    return VehicleGroup.objects.filter(organization=membership.organization)


def group_get(*, membership: Membership, pk: int) -> VehicleGroup:
    group = groups_for(membership=membership).filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


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
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=Vehicle.Status.RETIRED)
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
        Damage.objects.filter(vehicle=vehicle)
        .select_related("reported_by")
        .prefetch_related(Prefetch("photos", queryset=DamagePhoto.objects.order_by("uploaded_at", "id")))
        .order_by("reported_at", "id")
    )


def vehicle_condition_records(*, vehicle: Vehicle, limit: int = 10) -> list[ConditionRecord]:
    return list(
        ConditionRecord.objects.filter(vehicle=vehicle)
        .select_related("recorded_by")
        .prefetch_related(Prefetch("photos", queryset=ConditionPhoto.objects.order_by("uploaded_at", "id")))
        .order_by("-recorded_at", "-id")[:limit]
    )


def vehicle_km_history(*, vehicle: Vehicle, limit: int | None = KM_HISTORY_ON_PAGE) -> QuerySet[KmReading]:
    qs = KmReading.objects.filter(vehicle=vehicle).select_related("recorded_by").order_by("-recorded_at", "-id")
    return qs[:limit] if limit else qs


def vehicle_photos(*, vehicle: Vehicle) -> QuerySet[VehiclePhoto]:
    return VehiclePhoto.objects.filter(vehicle=vehicle).order_by("uploaded_at", "id")


def damages_for(*, membership: Membership) -> QuerySet[Damage]:
    return _scoped(Damage.objects.filter(organization=membership.organization), membership, "vehicle__")


def damage_get(*, membership: Membership, pk: int) -> Damage:
    damage = (
        damages_for(membership=membership)
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
        _scoped(ConditionRecord.objects.filter(organization=membership.organization), membership, "vehicle__")
        .select_related("vehicle", "recorded_by")
        .prefetch_related(Prefetch("photos", queryset=ConditionPhoto.objects.order_by("uploaded_at", "id")))
        .filter(pk=pk)
        .first()
    )
    if record is None:
        raise Http404
    return record


PHOTO_KINDS = {
    "vehicle": (VehiclePhoto, "vehicle__"),
    "damage": (DamagePhoto, "damage__vehicle__"),
    "condition": (ConditionPhoto, "record__vehicle__"),
}


def photo_get(*, membership: Membership, kind: str, pk: int):
    """A stored photo of any fleet kind, only if the viewer may see its vehicle."""
    if kind not in PHOTO_KINDS:
        raise Http404
    model, prefix = PHOTO_KINDS[kind]
    photo = _scoped(model.objects.filter(organization=membership.organization), membership, prefix).filter(pk=pk).first()
    if photo is None:
        raise Http404
    return photo

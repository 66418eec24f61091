"""Reads of tariffs, extras and the rental settings."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from rentoffice.models import Membership, Organization, Station
from rentoffice.tenancy import scope_to_stations
from vehicles.models import VehicleGroup

from .models import ContractSettings, Extra, GroupBuffer, Tariff


def tariff_applicable(*, vehicle_group: VehicleGroup, station: Station | None, at: datetime | date) -> Tariff | None:
    """The active tariff of the group valid on that day; a tariff of the station wins over one for all.

    `at` is a pick-up time (its local date counts) or a date. Among several candidates of the same
    kind (the editor refuses overlaps, older data may have them) the latest `valid_from` wins.
    """
    day = timezone.localdate(at) if isinstance(at, datetime) else at
    candidates = Tariff.objects.filter(
        organization_id=vehicle_group.organization_id,
        vehicle_group=vehicle_group,
        is_active=True,
        valid_from__lte=day,
    ).exclude(valid_until__lt=day)
    if station is None:
        candidates = candidates.filter(station__isnull=True)
    else:
        candidates = candidates.filter(Q(station=station) | Q(station__isnull=True))
    return candidates.order_by(F("station").asc(nulls_last=True), "-valid_from", "-pk").first()


def tariffs_for(*, membership: Membership, station_filter: int | None = None) -> QuerySet[Tariff]:
    """Tariffs the member may see: all-stations tariffs and those of the member's stations."""
    qs = Tariff.objects.filter(organization=membership.organization)
    return scope_to_stations(qs, membership, station_filter=station_filter, allow_unassigned=True)


def tariff_list(
    *, membership: Membership, station_filter: int | None = None, show_inactive: bool = False
) -> QuerySet[Tariff]:
    """The tariff list, grouped by vehicle group (the model's ordering), newest validity first."""
    qs = tariffs_for(membership=membership, station_filter=station_filter)
    if not show_inactive:
        qs = qs.filter(is_active=True)
    return qs.select_related("vehicle_group", "station").order_by(
        "vehicle_group__sort_order", "vehicle_group__name", "vehicle_group_id", "station__name", "-valid_from", "name"
    )


def tariff_get(*, membership: Membership, pk: int) -> Tariff:
    tariff = tariffs_for(membership=membership).select_related("vehicle_group", "station").filter(pk=pk).first()
    if tariff is None:
        raise Http404
    return tariff


def tariff_extras(*, tariff: Tariff, active_only: bool = False) -> QuerySet[Extra]:
    qs = Extra.objects.filter(tariff=tariff)
    return qs.filter(is_active=True) if active_only else qs


def contract_settings_for(*, organization: Organization) -> ContractSettings:
    """The organization's rental settings; the defaults (unsaved) until someone saves them."""
    found = ContractSettings.objects.filter(organization=organization).first()
    return found or ContractSettings(organization=organization)


def group_buffers_for(*, organization: Organization) -> dict[int, int]:
    """Buffer minutes per vehicle group id, for the groups that override the organization's."""
    return dict(GroupBuffer.objects.filter(organization=organization).values_list("vehicle_group_id", "buffer_minutes"))

"""The organization's rental settings and buffers (created lazily with their defaults)."""

from __future__ import annotations

import datetime as dt

from django_scopes import scopes_disabled

from rentoffice.models import Organization
from vehicles.models import VehicleGroup

from ..models import ContractSettings, GroupBuffer


def contract_settings_for(*, organization: Organization) -> ContractSettings:
    """The organization's settings row; created with the defaults on first use.

    `ignore_conflicts` makes two first bookings racing each other both end up with the same row.
    """
    with scopes_disabled():
        found = ContractSettings.objects.filter(organization_id=organization.pk).first()
        if found is None:
            ContractSettings.objects.bulk_create([ContractSettings(organization=organization)], ignore_conflicts=True)
            found = ContractSettings.objects.get(organization_id=organization.pk)
    return found


def buffer_for(
    *, organization: Organization, vehicle_group: VehicleGroup | int | None, settings: ContractSettings | None = None
) -> dt.timedelta:
    """The group's own buffer, else the organization's (ContractSettings.buffer_minutes, default 60)."""
    group_id = vehicle_group.pk if isinstance(vehicle_group, VehicleGroup) else vehicle_group
    if group_id is not None:
        with scopes_disabled():
            minutes = (
                GroupBuffer.objects.filter(organization_id=organization.pk, vehicle_group_id=group_id)
                .values_list("buffer_minutes", flat=True)
                .first()
            )
        if minutes is not None:
            return dt.timedelta(minutes=minutes)
    settings = settings or contract_settings_for(organization=organization)
    return dt.timedelta(minutes=settings.buffer_minutes)

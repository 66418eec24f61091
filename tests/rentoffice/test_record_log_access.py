"""A record's activity and messages pages are no more open than the record itself.

Members whose role holds "activity.view"/"messages.view" but not the record's own permission get
403 on the record's log, exactly as on the record's page; members who may open the record see it.
"""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from rentoffice import record_kinds
from rentoffice.models import Membership, Role
from tests.conftest import client_for, make_member
from tests.vehicles.conftest import make_vehicle

pytestmark = pytest.mark.django_db


def _log_urls(org, kind, pk):
    return [
        reverse(name, kwargs={"org_slug": org.slug, "kind": kind, "pk": pk})
        for name in ("activity_all", "messages_all")
    ]


@pytest.fixture
def records(org_a, admin_a, region_a, station_a1):
    from vehicles.models import VehicleGroup

    with scopes_disabled():
        group = VehicleGroup.objects.create(organization=org_a, name="Kleinwagen", code="KW")
        vehicle = make_vehicle(org_a, station_a1, group)
        return {
            "membership": Membership.objects.get(user=admin_a, organization=org_a).pk,
            "role": Role.objects.filter(organization=org_a).first().pk,
            "organization": org_a.pk,
            "region": region_a.pk,
            "station": station_a1.pk,
            "vehicle": vehicle.pk,
        }


def test_station_staff_may_not_read_the_logs_of_admin_records(org_a, records, station_a1):
    """Station staff hold activity.view and messages.view, but not users/organization/stations.manage."""
    with scopes_disabled():
        staff = make_member(org_a, "staff1@a.example", stations=[station_a1])
        own_membership = Membership.objects.get(user=staff, organization=org_a).pk
    client = client_for(staff)
    for kind, pk in [
        *((k, records[k]) for k in ("role", "organization", "region", "station")),
        ("membership", own_membership),
    ]:
        for url in _log_urls(org_a, kind, pk):
            assert client.get(url).status_code == 403, url
    for url in _log_urls(org_a, "vehicle", records["vehicle"]):
        assert client.get(url).status_code == 200, url  # their own station's vehicle


def test_back_office_may_not_read_vehicle_logs(org_a, records):
    """Back office holds activity.view and messages.view but not vehicles.view."""
    with scopes_disabled():
        client = client_for(make_member(org_a, "backoffice@a.example", role_key="back_office"))
        for url in _log_urls(org_a, "vehicle", records["vehicle"]):
            assert client.get(url).status_code == 403, url


def test_admin_reads_every_log(org_a, records, client_admin_a):
    for kind, pk in records.items():
        for url in _log_urls(org_a, kind, pk):
            assert client_admin_a.get(url).status_code == 200, url


def test_every_record_kind_declares_who_may_see_it():
    assert set(record_kinds._kinds) >= {
        "station",
        "membership",
        "region",
        "role",
        "organization",
        "customer",
        "vehicle",
        "damage",
        "condition_record",
        "vehicle_group",
    }
    assert all(kind.permission for kind in record_kinds._kinds.values())

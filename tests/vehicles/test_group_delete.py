"""Deleting a vehicle group: only when no vehicle (retired ones included) belongs to it."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from tests.actors import membership_of
from tests.conftest import in_scope
from vehicles.models import VehicleGroup
from vehicles.services import vehicle_retire

from .conftest import grant, jpeg_upload, make_vehicle, revoke

pytestmark = pytest.mark.django_db


def url(name, org, **kwargs):
    return reverse(f"vehicles:{name}", kwargs={"org_slug": org.slug, **kwargs})


@in_scope()
def test_an_unused_group_is_deleted_after_confirmation_and_its_files_after_commit(
    client_admin_a, org_a, group_a, django_capture_on_commit_callbacks
):
    client_admin_a.cookies["django_language"] = "en"
    data = {"name": "Kleinwagen", "code": "KLEIN", "sort_order": 1}
    with django_capture_on_commit_callbacks(execute=True):
        client_admin_a.post(url("group_edit", org_a, pk=group_a.pk), {**data, "new_photo": jpeg_upload()})
    group_a.refresh_from_db()
    names = [group_a.photo.name, group_a.photo_thumbnail.name]
    assert all(default_storage.exists(name) for name in names)
    page = client_admin_a.get(url("group_delete", org_a, pk=group_a.pk)).content.decode()
    assert "confirm-group-delete" in page and "Kleinwagen" in page
    assert VehicleGroup.objects.filter(pk=group_a.pk).exists()  # GET only asks
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_admin_a.post(url("group_delete", org_a, pk=group_a.pk), follow=True)
    assert not VehicleGroup.objects.filter(pk=group_a.pk).exists()
    assert all(default_storage.exists(name) for name in names)  # still there until the commit
    for callback in callbacks:
        callback()
    assert not any(default_storage.exists(name) for name in names)
    assert response.redirect_chain[-1][0] == url("group_list", org_a)
    assert "The vehicle group has been deleted." in response.content.decode()


@in_scope()
def test_a_group_with_vehicles_even_retired_ones_is_refused(client_admin_a, org_a, station_a1, group_a, admin_a):
    client_admin_a.cookies["django_language"] = "en"
    active = make_vehicle(org_a, station_a1, group_a)
    retired = make_vehicle(org_a, station_a1, group_a)
    vehicle_retire(vehicle=retired, reason="verkauft", actor=membership_of(admin_a, retired))
    page = client_admin_a.get(url("group_delete", org_a, pk=group_a.pk)).content.decode()
    assert "2 vehicles still belong to this group" in page and "confirm-group-delete" not in page
    response = client_admin_a.post(url("group_delete", org_a, pk=group_a.pk), follow=True)
    assert (
        "2 vehicles still belong to this group (retired vehicles count too). Move them to another group first."
        in response.content.decode()
    )
    assert VehicleGroup.objects.filter(pk=group_a.pk).exists()
    # Only the retired one left: still refused, with the count.
    other = VehicleGroup.objects.create(organization=org_a, name="Transporter", code="TRANS")
    active.group = other
    active.save()
    response = client_admin_a.post(url("group_delete", org_a, pk=group_a.pk), follow=True)
    assert "1 vehicle still belongs to this group" in response.content.decode()
    assert VehicleGroup.objects.filter(pk=group_a.pk).exists()


def test_german_refusal(client_admin_a, org_a, station_a1, group_a):
    make_vehicle(org_a, station_a1, group_a)
    client_admin_a.cookies["django_language"] = "de"
    response = client_admin_a.post(url("group_delete", org_a, pk=group_a.pk), follow=True)
    assert "1 Fahrzeug gehört noch zu dieser Gruppe" in response.content.decode()


@in_scope()
def test_station_staff_without_the_permission_get_403_and_outsiders_404(
    client_staff_a1, client_admin_b, org_a, org_b, group_a, staff_a1, admin_b
):
    revoke(staff_a1, org_a, "vehicles.groups")
    assert client_staff_a1.get(url("group_delete", org_a, pk=group_a.pk)).status_code == 403
    assert client_staff_a1.post(url("group_delete", org_a, pk=group_a.pk)).status_code == 403
    grant(admin_b, org_b, "vehicles.groups")
    for org in (org_a, org_b):
        assert client_admin_b.get(url("group_delete", org, pk=group_a.pk)).status_code == 404
        assert client_admin_b.post(url("group_delete", org, pk=group_a.pk)).status_code == 404
    assert VehicleGroup.objects.filter(pk=group_a.pk).exists()

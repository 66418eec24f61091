"""Vehicle groups are looked up by fleet staff but managed only with the permission vehicles.groups."""

import pytest
from django.urls import reverse

from tests.conftest import client_for, in_scope, make_member
from vehicles.models import VehicleGroup

from .conftest import grant, jpeg_upload, revoke

pytestmark = pytest.mark.django_db


def url(name, org, **kwargs):
    return reverse(f"vehicles:{name}", kwargs={"org_slug": org.slug, **kwargs})


@in_scope()
def test_station_staff_see_groups_but_cannot_manage_them(client_staff_a1, org_a, group_a, staff_a1):
    revoke(staff_a1, org_a, "vehicles.groups")
    page = client_staff_a1.get(url("group_list", org_a)).content.decode()
    assert "Kleinwagen" in page
    assert url("group_create", org_a) not in page
    assert url("group_edit", org_a, pk=group_a.pk) not in page
    assert client_staff_a1.get(url("group_create", org_a)).status_code == 403
    assert client_staff_a1.get(url("group_edit", org_a, pk=group_a.pk)).status_code == 403
    response = client_staff_a1.post(
        url("group_edit", org_a, pk=group_a.pk), {"name": "Umbenannt", "code": "KLEIN", "sort_order": 1}
    )
    assert response.status_code == 403
    response = client_staff_a1.post(url("group_create", org_a), {"name": "Neu", "code": "NEU", "sort_order": 1})
    assert response.status_code == 403
    group_a.refresh_from_db()
    assert group_a.name == "Kleinwagen"
    assert not VehicleGroup.objects.filter(code="NEU").exists()
    # The side navigation leaves the entry out for them.
    dashboard = client_staff_a1.get(reverse("org_dashboard", kwargs={"org_slug": org_a.slug})).content.decode()
    assert url("group_list", org_a) not in dashboard
    assert url("list", org_a) in dashboard


@in_scope()
def test_the_permission_lets_a_role_manage_groups(client_staff_a1, org_a, group_a, staff_a1):
    grant(staff_a1, org_a, "vehicles.groups")
    page = client_staff_a1.get(url("group_list", org_a)).content.decode()
    assert url("group_create", org_a) in page and url("group_edit", org_a, pk=group_a.pk) in page
    dashboard = client_staff_a1.get(reverse("org_dashboard", kwargs={"org_slug": org_a.slug})).content.decode()
    assert url("group_list", org_a) in dashboard
    response = client_staff_a1.post(
        url("group_edit", org_a, pk=group_a.pk),
        {"name": "Kleinwagen plus", "code": "klein", "sort_order": 1, "new_photo": jpeg_upload()},
    )
    assert response.status_code == 302
    group_a.refresh_from_db()
    assert group_a.name == "Kleinwagen plus" and group_a.photo
    response = client_staff_a1.post(
        url("group_create", org_a), {"name": "Transporter", "code": "trans", "sort_order": 3}
    )
    assert response.status_code == 302
    assert VehicleGroup.objects.get(organization=org_a, code="TRANS").name == "Transporter"


def test_a_group_manager_without_fleet_access_sees_the_groups(org_a, group_a):
    """Dealer managers hold vehicles.groups but not vehicles.view: the group pages must still open."""
    manager = make_member(org_a, "manager@a.example", role_key="dealer_manager")
    grant(manager, org_a, "vehicles.groups")
    revoke(manager, org_a, "vehicles.view")
    client = client_for(manager)
    page = client.get(url("group_list", org_a)).content.decode()
    assert "Kleinwagen" in page
    assert url("list", org_a) + f"?group={group_a.pk}" not in page  # no link into the vehicle list they cannot open
    assert client.get(url("group_edit", org_a, pk=group_a.pk)).status_code == 200
    assert client.get(url("list", org_a)).status_code == 403


def test_members_without_any_fleet_permission_get_403(org_a, group_a):
    technician = make_member(org_a, "tech@a.example", role_key="technician")
    client = client_for(technician)
    assert client.get(url("group_list", org_a)).status_code == 403
    assert client.get(url("group_photo", org_a, pk=group_a.pk)).status_code == 403


def test_outsiders_cannot_touch_groups(client_admin_b, org_a, org_b, group_a, admin_b):
    grant(admin_b, org_b, "vehicles.groups")
    for org in (org_a, org_b):
        assert client_admin_b.get(url("group_edit", org, pk=group_a.pk)).status_code == 404
        assert (
            client_admin_b.post(
                url("group_edit", org, pk=group_a.pk), {"name": "X", "code": "X", "sort_order": 1}
            ).status_code
            == 404
        )
    group_a.refresh_from_db()
    assert group_a.name == "Kleinwagen"


def test_replacing_and_removing_the_group_photo_cleans_up_the_files(
    client_staff_a1, org_a, group_a, staff_a1, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    grant(staff_a1, org_a, "vehicles.groups")
    edit = url("group_edit", org_a, pk=group_a.pk)
    data = {"name": "Kleinwagen", "code": "KLEIN", "sort_order": 1}
    with django_capture_on_commit_callbacks(execute=True):
        client_staff_a1.post(edit, {**data, "new_photo": jpeg_upload()})
    group_a.refresh_from_db()
    first = [group_a.photo.name, group_a.photo_thumbnail.name]
    with django_capture_on_commit_callbacks(execute=True):
        client_staff_a1.post(edit, {**data, "new_photo": jpeg_upload(color=(1, 2, 3))})
    group_a.refresh_from_db()
    assert group_a.photo and group_a.photo.name not in first
    assert not any(default_storage.exists(name) for name in first)
    second = [group_a.photo.name, group_a.photo_thumbnail.name]
    # A refused save (code left empty) keeps the photo.
    with django_capture_on_commit_callbacks(execute=True):
        response = client_staff_a1.post(edit, {**data, "code": "", "remove_photo": "on"})
    assert response.status_code == 200
    assert all(default_storage.exists(name) for name in second)
    with django_capture_on_commit_callbacks(execute=True):
        client_staff_a1.post(edit, {**data, "remove_photo": "on"})
    group_a.refresh_from_db()
    assert not group_a.photo and not group_a.photo_thumbnail
    assert not any(default_storage.exists(name) for name in second)
    assert client_staff_a1.get(url("group_photo", org_a, pk=group_a.pk)).status_code == 404

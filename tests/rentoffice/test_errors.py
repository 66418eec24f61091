import pytest
from django.test import Client
from django.urls import reverse

from rentoffice.views.errors import server_error
from tests.conftest import in_scope

pytestmark = pytest.mark.django_db


def test_expired_form_gets_a_friendly_page_in_the_layout(admin_a):
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("login"), {"username": "admin@a.example", "password": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Form expired" in body and "navbar" in body


def test_server_error_page_needs_no_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(None)
    assert response.status_code == 500
    assert "Rentoffice" in response.content.decode()


@in_scope()
def test_regions_are_left_to_members_covering_all_stations(org_a, station_a1, region_a):
    from rentoffice.models import Role
    from tests.conftest import client_for, make_member

    lead = make_member(org_a, "lead@a.example", stations=[station_a1])
    role = Role.objects.get(organization=org_a, key="station_staff")
    role.permissions = sorted({*role.permissions, "stations.manage"})
    role.save()
    client = client_for(lead)
    assert client.get(reverse("region_list", kwargs={"org_slug": org_a.slug})).status_code == 403
    url = reverse("region_edit", kwargs={"org_slug": org_a.slug, "pk": region_a.pk})
    assert client.post(url, {"name": "Umbenannt"}).status_code == 403
    region_a.refresh_from_db()
    assert region_a.name == "Süd"


@in_scope()
def test_station_lead_grant_must_lie_within_the_members_scope(client_admin_a, org_a, staff_a1, station_a1, station_a2):
    from rentoffice.models import Membership, Role
    from rentoffice.services import stations_managed_by

    m = Membership.objects.get(user=staff_a1, organization=org_a)
    data = {
        "role": Role.objects.get(organization=org_a, key="station_staff").pk,
        "scope": "stations",
        "stations": [station_a1.pk],
        "is_active": "on",
        "managed_stations": [station_a2.pk],
    }
    response = client_admin_a.post(reverse("membership_edit", kwargs={"org_slug": org_a.slug, "pk": m.pk}), data)
    assert response.status_code == 200
    assert "A2 Augsburg" in response.content.decode()
    assert stations_managed_by(membership=m) == []

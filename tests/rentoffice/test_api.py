"""The API entry: DRF authentication first (JSON 401, no login redirect), then the same membership
resolver as the back office (404 for outsiders and unknown organizations alike, 403 without the
view's permission)."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def me(slug: str) -> str:
    return reverse("api:me", kwargs={"org_slug": slug})


def test_without_a_session_the_api_answers_401_json_not_a_login_redirect(org_a):
    for slug in (org_a.slug, "no-such-organization"):  # the same answer: nothing to learn about slugs
        response = Client().get(me(slug))
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"]
        assert "WWW-Authenticate" in response


def test_member_gets_organization_and_membership(client_staff_a1, org_a, station_a1):
    response = client_staff_a1.get(me(org_a.slug))
    assert response.status_code == 200
    body = response.json()
    assert body["organization"] == {"slug": "org-a", "name": "Autohaus A"}
    assert body["membership"]["user"]["email"] == "staff1@a.example"
    assert body["membership"]["role"]["key"] == "station_staff"
    assert body["membership"]["station_ids"] == [station_a1.pk]
    assert "customers.view" in body["membership"]["permissions"]


def test_outsiders_and_unknown_organizations_get_404_json(client_admin_b, org_a, org_b):
    for slug in (org_a.slug, "no-such-organization"):
        response = client_admin_b.get(me(slug))
        assert response.status_code == 404
        assert response.json()["detail"]
    assert client_admin_b.get(me(org_b.slug)).status_code == 200


def test_a_deactivated_organization_is_404(client_admin_a, org_a):
    org_a.is_active = False
    org_a.save()
    assert client_admin_a.get(me(org_a.slug)).status_code == 404


def test_a_member_without_the_views_permission_gets_403_json(client_staff_a1, org_a):
    response = client_staff_a1.get(reverse("api:stations", kwargs={"org_slug": org_a.slug}))
    assert response.status_code == 403
    assert response.json()["detail"]


def test_the_view_runs_in_the_organizations_scope_and_sees_only_its_rows(
    client_admin_a, client_admin_b, org_a, org_b, station_a1, station_a2, station_b1
):
    # The selector queries scoped models: without the scope the middleware opens this would raise.
    response = client_admin_a.get(reverse("api:stations", kwargs={"org_slug": org_a.slug}))
    assert response.status_code == 200
    assert {row["code"] for row in response.json()["results"]} == {"A1", "A2"}
    assert client_admin_b.get(reverse("api:stations", kwargs={"org_slug": org_a.slug})).status_code == 404

"""Reviewer's additions: foreign ids in POST bodies of the membership and station forms, and the
invitation e-mail's link followed end to end."""

import re

import pytest
from django.urls import reverse
from django_scopes import scope

from rentoffice.models import Membership, OutboundMessage, Region, Role, Station, User
from tests.conftest import client_for, in_scope

pytestmark = pytest.mark.django_db


def _url(name, org, **kwargs):
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


@in_scope()
def test_membership_edit_refuses_ids_of_another_organization(
    client_admin_a, org_a, org_b, staff_a1, station_a1, station_b1
):
    region_b = Region.objects.create(organization=org_b, name="Nord-B")
    m = Membership.objects.get(user=staff_a1, organization=org_a)
    with scope(organization=org_b):
        foreign_role = Role.objects.get(key="administrator")
    base = {"role": m.role_id, "scope": "stations", "stations": [station_a1.pk], "is_active": "on"}
    for changes, field in (
        ({"role": foreign_role.pk, "scope": "all"}, "role"),
        ({"stations": [station_b1.pk]}, "stations"),
        ({"scope": "regions", "regions": [region_b.pk]}, "regions"),
        ({"managed_stations": [station_b1.pk]}, "managed_stations"),
        ({"role": "abc", "scope": "nonsense"}, "role"),
    ):
        response = client_admin_a.post(_url("membership_edit", org_a, pk=m.pk), {**base, **changes})
        assert response.status_code == 200, changes
        assert field in response.context["form"].errors, changes
        m.refresh_from_db()
        assert m.role.key == "station_staff" and m.scope == "stations"
        assert list(m.stations.all()) == [station_a1]


@in_scope()
def test_station_form_refuses_a_region_of_another_organization(client_admin_a, org_a, org_b):
    region_b = Region.objects.create(organization=org_b, name="Nord-B")
    empty = {"hours-TOTAL_FORMS": 0, "hours-INITIAL_FORMS": 0, "exc-TOTAL_FORMS": 0, "exc-INITIAL_FORMS": 0}
    response = client_admin_a.post(
        _url("station_create", org_a), {"name": "X", "code": "X1", "region": region_b.pk, **empty}
    )
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not Station.objects.filter(code="X1").exists()


@in_scope()
def test_invitation_link_from_the_outbox_sets_the_password_once(client_admin_a, org_a, station_a1, station_a2):
    role = Role.objects.get(organization=org_a, key="station_staff")
    response = client_admin_a.post(
        _url("user_invite", org_a),
        {
            "email": "Lea@A.example",
            "full_name": "Lea Neu",
            "language": "de",
            "role": role.pk,
            "scope": "stations",
            "stations": [station_a2.pk],
        },
    )
    assert response.status_code == 302
    body = OutboundMessage.objects.get(recipient="lea@a.example", template="staff_invitation").body_text
    link = re.search(r"https?://[^/\s]+(/password/reset/\S+/)", body).group(1)

    from django.test import Client

    anonymous = Client()
    form_page = anonymous.get(link, follow=True)
    assert "new_password1" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    weak = anonymous.post(set_url, {"new_password1": "kurz", "new_password2": "kurz"})
    assert weak.status_code == 200 and weak.context["form"].errors
    done = anonymous.post(set_url, {"new_password1": "Lea-Passw0rt!", "new_password2": "Lea-Passw0rt!"})
    assert done.status_code == 302
    # Single use: the same link no longer offers the form.
    assert "new_password1" not in Client().get(link, follow=True).content.decode()

    client = Client()
    assert client.post(reverse("login"), {"username": "lea@a.example", "password": "Lea-Passw0rt!"}).status_code == 302
    dashboard = client.get(_url("org_dashboard", org_a))
    assert dashboard.status_code == 200
    assert list(dashboard.context["visible_stations"]) == [station_a2]
    assert client.get(_url("station_edit", org_a, pk=station_a1.pk)).status_code in (403, 404)
    assert User.objects.get(email="lea@a.example").has_usable_password()


def test_station_filter_ignores_a_station_of_another_organization(org_a, org_b, admin_a, station_a1, station_b1):
    client = client_for(admin_a)
    client.post(_url("set_station_filter", org_a), {"station": station_b1.pk})
    assert client.session.get("station_filter", {}).get(org_a.slug) is None

import pytest
from django.urls import reverse

from rentoffice.models import Station
from tests.conftest import in_scope, make_member

pytestmark = pytest.mark.django_db


def test_member_sees_organization_pages(client_admin_a, org_a, station_a1):
    response = client_admin_a.get(reverse("station_list", kwargs={"org_slug": org_a.slug}))
    assert response.status_code == 200
    assert "A1 München" in response.content.decode()


def test_outsider_gets_404_for_the_whole_organization(client_admin_b, org_a, station_a1):
    for name, kwargs in [("org_dashboard", {}), ("station_list", {}), ("station_edit", {"pk": station_a1.pk})]:
        response = client_admin_b.get(reverse(name, kwargs={"org_slug": org_a.slug, **kwargs}))
        assert response.status_code == 404, name


def test_outsider_cannot_reach_foreign_station_through_own_organization(client_admin_b, org_b, station_a1):
    url = reverse("station_edit", kwargs={"org_slug": org_b.slug, "pk": station_a1.pk})
    assert client_admin_b.get(url).status_code == 404


def test_anonymous_is_sent_to_login(client, org_a):
    response = client.get(reverse("org_dashboard", kwargs={"org_slug": org_a.slug}))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_role_without_permission_gets_403(client_staff_a1, org_a):
    response = client_staff_a1.get(reverse("organization_settings", kwargs={"org_slug": org_a.slug}))
    assert response.status_code == 403


def test_unscoped_query_raises_outside_a_scope(org_a, station_a1):
    from django_scopes import scope
    from django_scopes.exceptions import ScopeError

    # scopes enabled, but no organization chosen: a forgotten filter must fail loudly
    with scope(), pytest.raises(ScopeError):
        list(Station.objects.all())
    with scope(organization=org_a):
        assert list(Station.objects.all()) == [station_a1]


@in_scope()
def test_station_scope_narrows_station_list(org_a, station_a1, station_a2):
    from rentoffice.models import Membership
    from rentoffice.selectors import stations_for

    user = make_member(org_a, "x@a.example", stations=[station_a1])
    membership = Membership.objects.get(user=user, organization=org_a)
    assert list(stations_for(membership=membership)) == [station_a1]


@in_scope()
def test_region_scope_covers_the_regions_stations(org_a, region_a, station_a1, station_a2):
    from rentoffice.models import Membership

    user = make_member(org_a, "r@a.example", scope=Membership.Scope.REGIONS)
    membership = Membership.objects.get(user=user, organization=org_a)
    membership.regions.set([region_a])
    assert membership.station_ids == frozenset({station_a1.pk})

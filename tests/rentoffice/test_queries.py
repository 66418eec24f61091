"""Query counts of the admin pages stay bounded and do not grow with the number of rows."""

import datetime as dt
import itertools

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rentoffice.models import Membership, OpeningException, OpeningHours, Region, Role, Station
from rentoffice.outbox import message_queue
from tests.conftest import in_scope, make_member

pytestmark = pytest.mark.django_db

N = 4
MAX_QUERIES = 15
_counter = itertools.count()


def url(name: str, org, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


def count_queries(client, path: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries), response.content.decode()


def assert_flat(client, path: str, add_rows, django_assert_max_num_queries, max_queries: int = MAX_QUERIES) -> None:
    """Render with N rows, then with 3N rows: the number of queries must be the same and bounded."""
    add_rows(N)
    client.get(path)  # warm caches (content types, sessions) so both measurements see the same work
    with django_assert_max_num_queries(max_queries):
        small, _ = count_queries(client, path)
    last = add_rows(2 * N)
    with django_assert_max_num_queries(max_queries):
        large, page = count_queries(client, path)
    if last:  # the rows added last are really on the page
        assert last in page, f"{last!r} not shown on {path}"
    assert small == large, f"{path}: {small} queries with {N} rows, {large} with {3 * N}"


def _stations(org, n: int) -> list[Station]:
    stations = []
    for _ in range(n):
        i = next(_counter)
        region = Region.objects.create(organization=org, name=f"Region {i}")
        stations.append(Station.objects.create(organization=org, region=region, name=f"Station {i}", code=f"S{i}"))
    return stations


def test_station_list(client_admin_a, org_a, django_assert_max_num_queries):
    assert_flat(
        client_admin_a,
        url("station_list", org_a),
        lambda n: _stations(org_a, n)[-1].region.name,
        django_assert_max_num_queries,
    )


def test_region_list(client_admin_a, org_a, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            region = Region.objects.create(organization=org_a, name=f"Region {next(_counter)}")
        return region.name

    assert_flat(client_admin_a, url("region_list", org_a), add, django_assert_max_num_queries)


def test_role_list(client_admin_a, org_a, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            i = next(_counter)
            Role.objects.create(organization=org_a, key=f"role-{i}", name=f"Role {i}", permissions=["vehicles.view"])
        return f"Role {i}"

    assert_flat(client_admin_a, url("role_list", org_a), add, django_assert_max_num_queries)


@in_scope()
def test_user_list(client_admin_a, org_a, django_assert_max_num_queries):
    def add(n):
        for k in range(n):
            i = next(_counter)
            stations = _stations(org_a, 2)
            if k % 2:
                user = make_member(org_a, f"user{i}@a.example", stations=stations)
            else:
                user = make_member(org_a, f"user{i}@a.example", scope=Membership.Scope.REGIONS)
                Membership.objects.get(user=user, organization=org_a).regions.set([s.region for s in stations])
        return stations[-1].name if k % 2 else stations[-1].region.name

    assert_flat(client_admin_a, url("user_list", org_a), add, django_assert_max_num_queries)


@in_scope()
def test_station_edit_page(client_admin_a, org_a, station_a1, django_assert_max_num_queries):
    # Names in activity entries cost one query per related model shown (not per entry); start without
    # the fixture's "created" entry (organization + region) so both measurements show the same models.
    LogEntry.objects.get_for_object(station_a1).delete()

    def add(n):
        for _ in range(n):
            i = next(_counter)
            OpeningHours.objects.create(station=station_a1, weekday=i % 7, opens=dt.time(i % 12), closes=dt.time(23))
            OpeningException.objects.create(station=station_a1, date=dt.date(2027, 1, 1) + dt.timedelta(days=i))
            station_a1.city = f"City {i}"  # an activity entry each, naming a region (looked up in bulk)
            station_a1.region = Region.objects.create(organization=org_a, name=f"Region {i}")
            station_a1.save()
            message_queue(
                organization=org_a,
                recipient=f"x{i}@a.example",
                template="x",
                context={},
                subject="Hello",
                body_text="Hi",
                related=station_a1,
            )
        return f"x{i}@a.example"

    # + opening hours, exceptions, regions for the select, activity, names in activity, messages
    assert_flat(
        client_admin_a, url("station_edit", org_a, pk=station_a1.pk), add, django_assert_max_num_queries, max_queries=18
    )


def test_dashboard_for_admin(client_admin_a, org_a, django_assert_max_num_queries):
    assert_flat(
        client_admin_a,
        url("org_dashboard", org_a),
        lambda n: _stations(org_a, n)[-1].name,
        django_assert_max_num_queries,
    )


@in_scope()
def test_dashboard_for_region_scoped_member(org_a, django_assert_max_num_queries):
    from tests.conftest import client_for

    user = make_member(org_a, "regional@a.example", scope=Membership.Scope.REGIONS)
    membership = Membership.objects.get(user=user, organization=org_a)

    def add(n):
        stations = _stations(org_a, n)
        membership.regions.add(*[s.region for s in stations])
        return stations[-1].name

    assert_flat(client_for(user), url("org_dashboard", org_a), add, django_assert_max_num_queries)


def test_dashboard_for_member_of_many_organizations(admin_a, org_a, django_assert_max_num_queries):
    from rentoffice.services import organization_create
    from tests.conftest import client_for

    def add(n):
        for _ in range(n):
            i = next(_counter)
            organization_create(
                name=f"Org {i}",
                slug=f"org-{i}",
                operator_code=f"ORG{i}",
                admin_email="admin@a.example",
                admin_name="Admin",
            )
        return f"Org {i}"

    assert_flat(client_for(admin_a), url("org_dashboard", org_a), add, django_assert_max_num_queries)

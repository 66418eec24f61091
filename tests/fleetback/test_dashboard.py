"""The dashboard per mode: keyword search, several values per filter kept in the session with the
count of active filters, "show closed", status polling, dealership switch, constant query count."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from fleetback.models import Case, Contact
from fleetback.services import cases as case_services
from fleetback.services import sending
from tests.actors import admin_of, membership_of
from tests.conftest import client_for, make_member

from .helpers import brand_of, make_case

pytestmark = pytest.mark.django_db


def refs(client, url, params=None) -> list[str]:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return sorted(c.reference for c in response.context["cases"])


@pytest.fixture
def url(org_a):
    return reverse("fleetback:list_after_sales", args=[org_a.slug])


@pytest.fixture
def colleague_a(org_a):
    return make_member(org_a, "kollege@a.example", "back_office")


def test_search_finds_every_keyword(client_admin_a, org_a, station_a1, url):
    with scope(organization=org_a):
        alpha = make_case(
            org=org_a,
            station=station_a1,
            reference="RO-4711",
            plate="M-XY 1234",
            vin="WVWZZZ1JZXW000017",
            make_model="VW Golf",
            phone="+49 151 9876543",
        )
        make_case(
            org=org_a,
            station=station_a1,
            reference="RO-0815",
            plate="A-B 1",
            email="b@example.com",
            phone="+4917012345",
        )
        contact = Contact.objects.get(pk=alpha.contact_id)
        contact.first_name, contact.last_name = "Jürgen", "Weißmüller"
        contact.save()  # a later edit (the CRM's) reaches the search column through the trigger
    assert refs(client_admin_a, url, {"q": "ro-4711"}) == ["RO-4711"]
    assert refs(client_admin_a, url, {"q": "m-xy 1234"}) == ["RO-4711"]  # two words, both match
    assert refs(client_admin_a, url, {"q": "mxy1234"}) == []
    assert refs(client_admin_a, url, {"q": "M-XY1234"}) == ["RO-4711"]  # the plate without its space
    assert refs(client_admin_a, url, {"q": "zxw000017"}) == ["RO-4711"]
    assert refs(client_admin_a, url, {"q": "1519876543"}) == ["RO-4711"]  # phone without spaces
    assert refs(client_admin_a, url, {"q": "jürgen"}) == ["RO-4711"]
    assert refs(client_admin_a, url, {"q": "weissmüller"}) == ["RO-4711"]  # ß and ss are the same
    assert refs(client_admin_a, url, {"q": "golf"}) == ["RO-4711"]
    assert refs(client_admin_a, url, {"q": f"{alpha.number:06d}"}) == ["RO-4711"]
    assert refs(client_admin_a, url, {"q": "Kundin"}) == ["RO-0815"]  # the old name is gone
    assert refs(client_admin_a, url, {"q": "ro golf"}) == ["RO-4711"]
    assert refs(client_admin_a, url, {"q": "nobody"}) == []


def test_filters_take_several_values_and_count_as_active(client_admin_a, org_a, station_a1, admin_a, colleague_a, url):
    with scope(organization=org_a):
        brand_of(station_a1, "Audi")
        mech = make_case(org=org_a, station=station_a1, reference="MECH", assignee=colleague_a)
        make_case(org=org_a, station=station_a1, reference="BODY", module="body", brand="Audi")
        make_case(org=org_a, station=station_a1, reference="WARR", module="warranty")
        by_colleague = make_case(
            org=org_a, station=station_a1, reference="BYCOLL", actor=membership_of(colleague_a, org_a)
        )
        sending.case_send(actor=membership_of(colleague_a, org_a), case=mech, channel="link", base_url="https://x/")
        audi = brand_of(station_a1, "Audi")
        vw = brand_of(station_a1, "VW")
    assert refs(client_admin_a, url, {"module": ["mechanics", "body"]}) == ["BODY", "BYCOLL", "MECH"]
    assert refs(client_admin_a, url, {"brand": [audi.pk]}) == ["BODY"]
    assert refs(client_admin_a, url, {"brand": [audi.pk, vw.pk]}) == ["BODY", "BYCOLL", "MECH", "WARR"]
    assert refs(client_admin_a, url, {"author": [colleague_a.pk]}) == ["BYCOLL"]
    assert refs(client_admin_a, url, {"author": [colleague_a.pk, admin_a.pk]}) == ["BODY", "BYCOLL", "MECH", "WARR"]
    assert refs(client_admin_a, url, {"sender": [colleague_a.pk]}) == ["MECH"]
    assert refs(client_admin_a, url, {"sender": [admin_a.pk]}) == []
    assert refs(client_admin_a, url, {"assignee": [colleague_a.pk]}) == ["MECH"]
    assert refs(client_admin_a, url, {"status": ["sent", "awaiting"]}) == ["BODY", "BYCOLL", "MECH", "WARR"]
    assert refs(client_admin_a, url, {"status": ["sent"], "module": ["mechanics", "body"]}) == ["MECH"]
    assert by_colleague.author_id == colleague_a.pk

    page = client_admin_a.get(url, {"status": ["sent"], "module": ["mechanics", "body"], "brand": [vw.pk]})
    assert page.context["active_filters"] == 3
    assert re.search(r'data-testid="active-filters">\s*3 aktiv', page.content.decode())
    assert client_admin_a.get(url, {"q": "mech"}).context["active_filters"] == 0  # search words are no filter
    assert client_admin_a.get(url, {"closed": "on"}).context["active_filters"] == 1


def test_filters_are_kept_in_the_session_per_mode(client_admin_a, org_a, station_a1, url):
    with scope(organization=org_a):
        make_case(org=org_a, station=station_a1, reference="MECH")
        make_case(org=org_a, station=station_a1, reference="BODY", module="body")
        make_case(org=org_a, station=station_a1, reference="SALE", mode="sales", module="direct")
    sales_url = reverse("fleetback:list_sales", args=[org_a.slug])
    assert refs(client_admin_a, url, {"filter": "1", "module": ["body"], "q": "bo"}) == ["BODY"]
    # Coming back without parameters (menu, back from a case) shows the same selection.
    again = client_admin_a.get(url)
    assert sorted(c.reference for c in again.context["cases"]) == ["BODY"]
    assert again.context["form"]["q"].value() == "bo" and again.context["active_filters"] == 1
    assert refs(client_admin_a, sales_url) == ["SALE"]  # each mode keeps its own
    # Another session (another browser) starts without filters.
    assert refs(client_for(_admin(org_a)), url) == ["BODY", "MECH"]
    # Clearing every filter in the form is a choice, kept as well.
    assert refs(client_admin_a, url, {"filter": "1"}) == ["BODY", "MECH"]
    assert refs(client_admin_a, url) == ["BODY", "MECH"]
    refs(client_admin_a, url, {"filter": "1", "module": ["mechanics"]})
    reset = client_admin_a.get(url, {"reset": "1"})
    assert reset.status_code == 302 and reset.url == url
    assert refs(client_admin_a, url) == ["BODY", "MECH"]


def _admin(org):
    with scopes_disabled():
        return admin_of(org).user


def test_closed_cases_only_with_show_closed(client_admin_a, org_a, station_a1, url):
    with scope(organization=org_a):
        make_case(org=org_a, station=station_a1, reference="OPEN")
        closed = make_case(org=org_a, station=station_a1, reference="DONE")
        case_services.case_close(actor=admin_of(org_a), case=closed)
    assert refs(client_admin_a, url) == ["OPEN"]
    assert refs(client_admin_a, url, {"closed": "on"}) == ["DONE", "OPEN"]
    assert refs(client_admin_a, url, {"status": ["closed"]}) == ["DONE"]
    assert refs(client_admin_a, url, {"q": "done"}) == []
    assert refs(client_admin_a, url, {"q": "done", "closed": "on"}) == ["DONE"]


def test_bad_filter_values_are_field_errors_not_kept(client_admin_a, org_a, org_b, station_a1, station_b1, url):
    with scope(organization=org_a):
        make_case(org=org_a, station=station_a1, reference="MECH")
    with scope(organization=org_b):
        foreign_brand = brand_of(station_b1, "Ford")
    for params in (
        {"brand": [foreign_brand.pk]},
        {"brand": ["x"]},
        {"author": ["999999999"]},
        {"status": ["nonsense"]},
        {"module": ["used_car"]},  # a sales module on the after-sales dashboard
        {"q": "x" * 201},
    ):
        response = client_admin_a.get(url, {"filter": "1", **params})
        assert response.status_code == 200
        assert response.context["form"].errors, params
        assert response.context["cases"] == []
    # Nothing invalid was stored: the plain page shows every open case.
    assert refs(client_admin_a, url) == ["MECH"]


def test_status_fragment_swaps_the_badges_of_visible_cases_only(
    client_admin_a, org_a, org_b, station_a1, station_b1, url
):
    with scope(organization=org_a):
        case = make_case(org=org_a, station=station_a1, reference="MECH")
    with scope(organization=org_b):
        foreign = make_case(org=org_b, station=station_b1, reference="FOREIGN")
    page = client_admin_a.get(url).content.decode()
    poll = re.search(r'hx-get="([^"]+)"\s+hx-trigger="every 30s"\s+hx-swap="none"', page)
    assert poll, "the page polls the statuses"
    assert f'id="case-status-{case.pk}"' in page
    with scope(organization=org_a):
        sending.case_send(actor=admin_of(org_a), case=case, channel="link", base_url="https://x/")
    fragment = client_admin_a.get(poll.group(1).replace("&amp;", "&")).content.decode()
    assert f'id="case-status-{case.pk}"' in fragment and 'hx-swap-oob="true"' in fragment
    assert "Gesendet" in fragment and "text-bg-primary" in fragment
    statuses_url = reverse("fleetback:statuses", args=[org_a.slug])
    other = client_admin_a.get(statuses_url, {"ids": f"{foreign.pk},abc,,{case.pk}"}).content.decode()
    assert f"case-status-{foreign.pk}" not in other and f"case-status-{case.pk}" in other


def test_dealership_switch_narrows_to_one_dealership(client_admin_a, org_a, station_a1, station_a2, url):
    with scope(organization=org_a):
        make_case(org=org_a, station=station_a1, reference="MUC")
        make_case(org=org_a, station=station_a2, reference="AUG")
    page = client_admin_a.get(url).content.decode()
    assert 'data-testid="dealership-switch"' in page
    assert refs(client_admin_a, url) == ["AUG", "MUC"]
    switch = client_admin_a.post(
        reverse("set_station_filter", args=[org_a.slug]), {"station": station_a2.pk, "next": url}
    )
    assert switch.status_code == 302 and switch.url == url
    assert refs(client_admin_a, url) == ["AUG"]
    client_admin_a.post(reverse("set_station_filter", args=[org_a.slug]), {"station": "", "next": url})
    assert refs(client_admin_a, url) == ["AUG", "MUC"]


def test_member_of_one_dealership_sees_no_switch_and_only_its_cases(org_a, station_a1, station_a2, url):
    office = make_member(org_a, "office1@a.example", "back_office", stations=[station_a1])
    with scope(organization=org_a):
        make_case(org=org_a, station=station_a1, reference="MUC")
        make_case(org=org_a, station=station_a2, reference="AUG")
    client = client_for(office)
    page = client.get(url)
    assert 'data-testid="dealership-switch"' not in page.content.decode()
    assert sorted(c.reference for c in page.context["cases"]) == ["MUC"]


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_rows(client_admin_a, org_a, station_a1, station_a2, colleague_a, url):
    with scope(organization=org_a):
        make_case(org=org_a, station=station_a1, reference="RO-0", assignee=colleague_a)
    params = {"status": ["awaiting", "sent"], "module": ["mechanics"], "q": "ro"}
    _queries(client_admin_a, url, params)  # the first request stores the filters in the session
    few = _queries(client_admin_a, url, params)
    with scope(organization=org_a):
        brand_of(station_a2, "Škoda")
        for n in range(1, 12):
            case = make_case(
                org=org_a,
                station=station_a1 if n % 2 else station_a2,
                brand="VW" if n % 2 else "Škoda",
                reference=f"RO-{n}",
                assignee=colleague_a,
                email=f"k{n}@example.com",
            )
            if n % 3 == 0:
                sending.case_send(actor=admin_of(org_a), case=case, channel="link", base_url="https://x/")
    assert len(client_admin_a.get(url, params).context["cases"]) == 12
    assert _queries(client_admin_a, url, params) == few
    with scope(organization=org_a):
        assert Case.objects.filter(sent_by__isnull=False).count() == 3


def test_a_stored_filter_that_no_longer_exists_is_dropped_quietly(client_admin_a, org_a, station_a1, url):
    with scope(organization=org_a):
        make_case(org=org_a, station=station_a1, reference="MECH")
        audi = brand_of(station_a1, "Audi")
    assert refs(client_admin_a, url, {"filter": "1", "brand": [audi.pk]}) == []
    from rentoffice.services import station_brands_set

    with scope(organization=org_a):
        station_brands_set(station=station_a1, names=["VW"])  # Audi removed (no case used it)
    page = client_admin_a.get(url)
    assert not page.context["form"].errors and page.context["active_filters"] == 0
    assert sorted(c.reference for c in page.context["cases"]) == ["MECH"]
    assert f"{org_a.slug}:after_sales" not in client_admin_a.session.get("fleetback_dashboard", {})

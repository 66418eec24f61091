"""The fleet panel on the dashboard and the list filters it links to."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.actors import admin_of
from tests.conftest import client_for, in_scope, make_member
from vehicles.models import Damage, Vehicle
from vehicles.services import damage_create, damage_status_set, vehicle_retire

from .conftest import make_vehicle

pytestmark = pytest.mark.django_db


def dashboard(org):
    return reverse("org_dashboard", kwargs={"org_slug": org.slug})


def list_url(org):
    return reverse("vehicles:list", kwargs={"org_slug": org.slug})


def _panel(html: str) -> str:
    match = re.search(r'data-testid="fleet-panel".*?</div>', html, re.S)
    assert match, "no fleet panel"
    return match.group(0)


def _figure(panel: str, testid: str) -> int:
    match = re.search(rf'data-testid="{testid}".*?(\d+)</span>\s*</a>', panel, re.S)
    assert match, testid
    return int(match.group(1))


@pytest.fixture
def fleet(org_a, station_a1, station_a2, group_a):
    today = timezone.localdate()
    vehicles = {
        "due": make_vehicle(org_a, station_a1, group_a, plate="M-HU 1", next_inspection=today + dt.timedelta(days=10)),
        "overdue": make_vehicle(
            org_a, station_a1, group_a, plate="M-HU 2", next_inspection=today - dt.timedelta(days=3), status="workshop"
        ),
        "later": make_vehicle(
            org_a, station_a1, group_a, plate="M-HU 3", next_inspection=today + dt.timedelta(days=90), status="rented"
        ),
        "elsewhere": make_vehicle(
            org_a, station_a2, group_a, plate="A-HU 4", next_inspection=today + dt.timedelta(days=5)
        ),
        "retired": make_vehicle(org_a, station_a1, group_a, plate="M-HU 5", next_inspection=today),
    }
    damage_create(
        vehicle=vehicles["due"], actor=admin_of(vehicles["due"]), damage=Damage(area="left", description="Kratzer")
    )
    repaired = damage_create(
        vehicle=vehicles["due"], actor=admin_of(vehicles["due"]), damage=Damage(area="rear", description="Delle")
    )
    damage_status_set(damage=repaired, actor=admin_of(repaired), status=Damage.Status.REPAIRED)
    damage_create(
        vehicle=vehicles["elsewhere"],
        actor=admin_of(vehicles["elsewhere"]),
        damage=Damage(area="front", description="Beule"),
    )
    damage_create(
        vehicle=vehicles["retired"],
        actor=admin_of(vehicles["retired"]),
        damage=Damage(area="front", description="Totalschaden"),
    )
    vehicle_retire(vehicle=vehicles["retired"], actor=admin_of(vehicles["retired"]), reason="verkauft")
    return vehicles


def test_panel_shows_the_fleet_of_the_users_stations(client_staff_a1, client_admin_a, org_a, fleet):
    client_staff_a1.cookies["django_language"] = "en"
    panel = _panel(client_staff_a1.get(dashboard(org_a)).content.decode())
    assert _figure(panel, "fleet-total") == 3  # A1's active vehicles; the retired one and A2's are left out
    assert _figure(panel, "fleet-status-available") == 1
    assert _figure(panel, "fleet-status-rented") == 1
    assert _figure(panel, "fleet-status-workshop") == 1
    assert _figure(panel, "fleet-hu-due") == 2  # due in 10 days and overdue; not in 90 days
    assert _figure(panel, "fleet-hu-overdue") == 1
    assert _figure(panel, "fleet-open-damages") == 1  # not the repaired one, not A2's, not the retired car's
    assert "M-HU 1" in panel and "M-HU 2" in panel and "M-HU 3" not in panel and "A-HU 4" not in panel
    assert "General inspection due within 30 days" in panel  # "HU" is German shorthand

    admin_panel = _panel(client_admin_a.get(dashboard(org_a)).content.decode())
    assert _figure(admin_panel, "fleet-total") == 4
    assert _figure(admin_panel, "fleet-hu-due") == 3
    assert _figure(admin_panel, "fleet-open-damages") == 2


def test_panel_follows_the_top_bar_station(client_admin_a, org_a, station_a2, fleet):
    client_admin_a.post(reverse("set_station_filter", kwargs={"org_slug": org_a.slug}), {"station": station_a2.pk})
    panel = _panel(client_admin_a.get(dashboard(org_a)).content.decode())
    assert _figure(panel, "fleet-total") == 1
    assert _figure(panel, "fleet-open-damages") == 1
    assert "A-HU 4" in panel and "M-HU 1" not in panel


def test_panel_links_lead_to_the_filtered_list(client_staff_a1, org_a, fleet):
    html = client_staff_a1.get(dashboard(org_a)).content.decode()
    links = dict(re.findall(r'href="([^"]+)"\s+data-testid="(fleet-[a-z-]+)"', _panel(html)))
    links = {testid: href.replace("&amp;", "&") for href, testid in links.items()}
    expected = {
        "fleet-hu-due": {"M-HU 1", "M-HU 2"},
        "fleet-hu-overdue": {"M-HU 2"},
        "fleet-open-damages": {"M-HU 1"},
        "fleet-status-workshop": {"M-HU 2"},
    }
    for testid, plates in expected.items():
        assert links[testid].startswith(list_url(org_a) + "?"), testid
        page = client_staff_a1.get(links[testid]).content.decode()
        shown = set(re.findall(r"(?:M|A)-HU \d", page))
        assert shown == plates, (testid, shown)


def test_panel_needs_fleet_access(org_a, fleet):
    technician = make_member(org_a, "tech@a.example", role_key="technician")
    html = client_for(technician).get(dashboard(org_a)).content.decode()
    assert 'data-testid="fleet-panel"' not in html


@in_scope()
def test_panel_queries_do_not_grow(client_staff_a1, org_a, station_a1, group_a, django_assert_max_num_queries):
    def add(n):
        for i in range(n):
            vehicle = make_vehicle(
                org_a, station_a1, group_a, next_inspection=timezone.localdate() + dt.timedelta(days=i % 40)
            )
            damage_create(vehicle=vehicle, actor=admin_of(vehicle), damage=Damage(area="left", description="Kratzer"))

    def count() -> int:
        client_staff_a1.get(dashboard(org_a))
        with CaptureQueriesContext(connection) as ctx:
            client_staff_a1.get(dashboard(org_a))
        return len(ctx.captured_queries)

    add(3)
    few = count()
    add(9)
    with django_assert_max_num_queries(few):
        response = client_staff_a1.get(dashboard(org_a))
    assert Vehicle.objects.count() == 12
    assert _figure(_panel(response.content.decode()), "fleet-total") == 12


def test_list_attention_filters(client_admin_a, org_a, fleet):
    def plates(**params):
        page = client_admin_a.get(list_url(org_a), params).content.decode()
        return set(re.findall(r"(?:M|A)-HU \d", page))

    assert plates(attention="hu_due") == {"M-HU 1", "M-HU 2", "A-HU 4"}
    assert plates(attention="hu_overdue") == {"M-HU 2"}
    assert plates(attention="damaged") == {"M-HU 1", "A-HU 4"}
    assert plates(attention="damaged", status="retired") == {"M-HU 5"}
    assert plates(attention="nonsense") == {"M-HU 1", "M-HU 2", "M-HU 3", "A-HU 4"}

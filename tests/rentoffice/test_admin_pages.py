"""Admin pages of an organization: settings, regions, stations, users, roles, switcher, scope, health."""

import datetime as dt
import re

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from rentoffice.models import (
    Membership,
    OpeningException,
    OpeningHours,
    Organization,
    OutboundMessage,
    Region,
    Role,
    Station,
    User,
)
from tests.conftest import client_for, in_scope, make_member

pytestmark = pytest.mark.django_db


def url(name: str, org, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def role(org, key: str) -> Role:
    with scope(organization=org):
        return Role.objects.get(key=key)


def membership(user, org) -> Membership:
    with scope(organization=org):
        return Membership.objects.get(user=user)


def section(html: str, testid: str) -> str:
    """The inner HTML of the first element carrying data-testid=<testid> (up to its closing tag)."""
    match = re.search(rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no element with data-testid={testid}"
    return match.group(2)


# --- organization settings ------------------------------------------------------------------------


def settings_data(**overrides) -> dict:
    data = {
        "name": "Autohaus A GmbH",
        "operator_code": "ORGA",
        "street": "Hauptstr. 1",
        "postal_code": "80331",
        "city": "München",
        "country": "DE",
        "vat_id": "",
        "tax_number": "",
        "default_language": "de",
        "invoice_number_prefix": "RE-",
        "contract_number_prefix": "MV-",
        "contact_email": "info@a.example",
        "office_email": "",
        "stripe_publishable_key": "pk_test_123",
        "stripe_secret_key": "",
        "stripe_webhook_secret": "",
    }
    data.update(overrides)
    return data


def raw_column(org, column: str) -> str:
    with connection.cursor() as cursor:
        # The column name is the test's own constant; the value is a parameter.
        cursor.execute(f"SELECT {column} FROM rentoffice_organization WHERE id = %s", [org.pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_organization_settings_save_and_secret_key_is_encrypted(client_admin_a, org_a):
    secret = "sk_test_SECRET_51Hxyz"
    response = client_admin_a.post(url("organization_settings", org_a), settings_data(stripe_secret_key=secret))
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.name == "Autohaus A GmbH"
    assert org_a.city == "München"
    assert org_a.stripe_secret_key == secret
    stored = raw_column(org_a, "stripe_secret_key")
    assert stored and stored != secret and secret not in stored

    page = english(client_admin_a).get(url("organization_settings", org_a)).content.decode()
    assert secret not in page
    assert "A Stripe secret key is stored." in page

    # Saving again with the field left empty keeps the stored key.
    response = client_admin_a.post(url("organization_settings", org_a), settings_data(city="Augsburg"))
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.city == "Augsburg"
    assert org_a.stripe_secret_key == secret

    # The activity log never records the secret.
    for entry in LogEntry.objects.filter(object_pk=str(org_a.pk)):
        assert secret not in str(entry.changes)


def test_organization_settings_invalid_input_shows_errors(client_admin_a, org_a, org_b):
    response = english(client_admin_a).post(
        url("organization_settings", org_a), settings_data(operator_code="ORGB", contact_email="nope")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "operator_code" in form.errors
    assert "contact_email" in form.errors
    org_a.refresh_from_db()
    assert org_a.operator_code == "ORGA"


# --- regions --------------------------------------------------------------------------------------


@in_scope()
def test_regions_create_edit_delete(client_admin_a, org_a, station_a1, region_a):
    client = english(client_admin_a)
    response = client.post(url("region_list", org_a), {"name": "Nord"})
    assert response.status_code == 302
    nord = Region.objects.get(organization=org_a, name="Nord")
    assert "Nord" in client.get(url("region_list", org_a)).content.decode()

    response = client.post(url("region_edit", org_a, pk=nord.pk), {"name": "Nordost"})
    assert response.status_code == 302
    nord.refresh_from_db()
    assert nord.name == "Nordost"

    # Deleting a region keeps its stations.
    response = client.post(url("region_edit", org_a, pk=region_a.pk), {"name": region_a.name, "delete": "1"})
    assert response.status_code == 302
    assert not Region.objects.filter(pk=region_a.pk).exists()
    station_a1.refresh_from_db()
    assert station_a1.region is None


@in_scope()
def test_duplicate_region_name_is_a_form_error(client_admin_a, org_a, region_a, org_b):
    Region.objects.create(organization=org_b, name="Nord")
    client = english(client_admin_a)
    response = client.post(url("region_list", org_a), {"name": region_a.name})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert Region.objects.filter(organization=org_a).count() == 1
    # The same name in another organization is fine.
    assert client.post(url("region_list", org_a), {"name": "Nord"}).status_code == 302
    other = Region.objects.create(organization=org_a, name="West")
    response = client.post(url("region_edit", org_a, pk=other.pk), {"name": region_a.name})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors


# --- stations and opening hours -------------------------------------------------------------------


def station_data(hours=(), exceptions=(), **overrides) -> dict:
    data = {
        "name": "C3 Köln",
        "code": "C3",
        "region": "",
        "street": "Domplatz 1",
        "postal_code": "50667",
        "city": "Köln",
        "phone": "",
        "email": "c3@a.example",
        "brands": "",
        "is_active": "on",
        "hours-TOTAL_FORMS": str(len(hours)),
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
        "exc-TOTAL_FORMS": str(len(exceptions)),
        "exc-INITIAL_FORMS": "0",
        "exc-MIN_NUM_FORMS": "0",
        "exc-MAX_NUM_FORMS": "1000",
    }
    for i, (weekday, opens, closes) in enumerate(hours):
        data.update({f"hours-{i}-weekday": str(weekday), f"hours-{i}-opens": opens, f"hours-{i}-closes": closes})
    for i, exc in enumerate(exceptions):
        for key, value in exc.items():
            data[f"exc-{i}-{key}"] = value
    data.update(overrides)
    return data


@in_scope()
def test_station_create_with_opening_hours_and_exception(client_admin_a, org_a, region_a):
    data = station_data(
        hours=[(0, "08:00", "12:00"), (0, "13:00", "18:00"), (5, "09:00", "12:00")],
        exceptions=[{"date": "2026-12-24", "closed": "on", "note": "Heiligabend"}],
        region=str(region_a.pk),
    )
    response = client_admin_a.post(url("station_create", org_a), data)
    assert response.status_code == 302
    station = Station.objects.get(organization=org_a, code="C3")
    assert response.url == url("station_edit", org_a, pk=station.pk)
    assert station.region == region_a
    hours = [(h.weekday, h.opens, h.closes) for h in station.opening_hours.order_by("weekday", "opens")]
    assert hours == [
        (0, dt.time(8), dt.time(12)),
        (0, dt.time(13), dt.time(18)),
        (5, dt.time(9), dt.time(12)),
    ]
    exc = station.opening_exceptions.get()
    assert (exc.date, exc.closed, exc.opens, exc.closes, exc.note) == (
        dt.date(2026, 12, 24),
        True,
        None,
        None,
        "Heiligabend",
    )

    # The edit page shows what was saved, and saving it unchanged keeps it.
    page = client_admin_a.get(response.url).content.decode()
    assert page.count('data-testid="hours-row"') == 3 + 1  # three rows + the empty template row
    assert 'value="13:00"' in page
    assert 'value="2026-12-24"' in page
    edit = station_data(
        hours=[(0, "08:00", "12:00"), (0, "13:00", "18:00")],
        exceptions=[{"date": "2026-12-24", "closed": "on"}],
        **{"hours-INITIAL_FORMS": "2", "exc-INITIAL_FORMS": "1"},
    )
    edit["hours-1-DELETE"] = "on"
    assert client_admin_a.post(response.url, edit).status_code == 302
    assert [(h.weekday, h.opens) for h in station.opening_hours.all()] == [(0, dt.time(8))]


@in_scope()
def test_overlapping_intervals_are_refused_and_nothing_is_saved(client_admin_a, org_a):
    data = station_data(hours=[(0, "08:00", "12:00"), (0, "11:00", "18:00")])
    response = english(client_admin_a).post(url("station_create", org_a), data)
    assert response.status_code == 200
    assert "This interval overlaps another one on the same day." in response.content.decode()
    assert not Station.objects.filter(code="C3").exists()
    assert not OpeningHours.objects.exists()


def test_overlap_check_on_edit_keeps_existing_hours(client_admin_a, org_a, station_a1):
    OpeningHours.objects.create(station=station_a1, weekday=2, opens=dt.time(8), closes=dt.time(17))
    data = station_data(hours=[(2, "08:00", "12:00"), (2, "09:00", "10:00")], name=station_a1.name, code="A1")
    response = client_admin_a.post(url("station_edit", org_a, pk=station_a1.pk), data)
    assert response.status_code == 200
    assert [(h.opens, h.closes) for h in station_a1.opening_hours.all()] == [(dt.time(8), dt.time(17))]


def test_same_times_on_different_days_do_not_overlap(client_admin_a, org_a):
    data = station_data(hours=[(0, "08:00", "18:00"), (1, "08:00", "18:00")])
    assert client_admin_a.post(url("station_create", org_a), data).status_code == 302
    assert OpeningHours.objects.count() == 2


@in_scope()
def test_closing_before_opening_is_refused(client_admin_a, org_a):
    client = english(client_admin_a)
    response = client.post(url("station_create", org_a), station_data(hours=[(1, "18:00", "08:00")]))
    assert response.status_code == 200
    assert "Closing time must be after opening time." in response.content.decode()
    response = client.post(
        url("station_create", org_a),
        station_data(exceptions=[{"date": "2026-12-31", "opens": "14:00", "closes": "10:00"}]),
    )
    assert response.status_code == 200
    assert "Closing time must be after opening time." in response.content.decode()
    assert not Station.objects.filter(code="C3").exists()
    assert not OpeningException.objects.exists()


@in_scope()
def test_duplicate_station_code_is_a_form_error(client_admin_a, org_a, station_a1, station_b1):
    client = english(client_admin_a)
    response = client.post(url("station_create", org_a), station_data(code="A1"))
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert Station.objects.filter(organization=org_a).count() == 1
    # A code used by another organization is fine.
    assert client.post(url("station_create", org_a), station_data(code="B1")).status_code == 302


# --- users and memberships ------------------------------------------------------------------------


def invite_data(org, **overrides) -> dict:
    data = {
        "email": "neu@a.example",
        "full_name": "Nora Neu",
        "language": "en",
        "role": str(role(org, "station_staff").pk),
        "scope": "stations",
        "stations": [],
    }
    data.update(overrides)
    return data


@in_scope()
def test_invite_creates_user_membership_and_queues_invitation(client_admin_a, org_a, station_a1, station_a2):
    response = client_admin_a.post(url("user_invite", org_a), invite_data(org_a, stations=[station_a1.pk]))
    assert response.status_code == 302
    user = User.objects.get(email="neu@a.example")
    assert user.full_name == "Nora Neu"
    assert user.language == "en"
    assert not user.has_usable_password()
    m = membership(user, org_a)
    assert m.role.key == "station_staff"
    assert m.scope == Membership.Scope.STATIONS
    assert list(m.stations.all()) == [station_a1]
    message = OutboundMessage.objects.get(template="staff_invitation")
    assert message.recipient == "neu@a.example"
    assert message.organization == org_a
    assert message.related == m
    assert "/password/reset/" in message.body_text
    assert "Nora Neu" in client_admin_a.get(url("user_list", org_a)).content.decode()


@in_scope()
def test_invite_existing_member_is_a_form_error(client_admin_a, org_a, staff_a1):
    response = english(client_admin_a).post(
        url("user_invite", org_a), invite_data(org_a, email="STAFF1@a.example", scope="all")
    )
    assert response.status_code == 200
    assert "This person is already a member of the organization." in response.content.decode()
    assert Membership.objects.filter(user=staff_a1).count() == 1
    assert not OutboundMessage.objects.exists()


@in_scope()
def test_invite_user_of_another_organization_adds_membership(client_admin_a, org_a, admin_b):
    response = client_admin_a.post(url("user_invite", org_a), invite_data(org_a, email="admin@b.example", scope="all"))
    assert response.status_code == 302
    assert membership(admin_b, org_a).role.key == "station_staff"
    assert OutboundMessage.objects.get().template == "staff_membership_added"


@in_scope()
def test_invite_requires_stations_for_station_scope_and_refuses_foreign_ones(client_admin_a, org_a, station_b1):
    client = english(client_admin_a)
    response = client.post(url("user_invite", org_a), invite_data(org_a))
    assert "stations" in response.context["form"].errors
    response = client.post(url("user_invite", org_a), invite_data(org_a, stations=[station_b1.pk]))
    assert "stations" in response.context["form"].errors
    assert not User.objects.filter(email="neu@a.example").exists()


@in_scope()
def test_membership_edit_changes_role_and_scope(client_admin_a, org_a, staff_a1, station_a1, station_a2):
    m = membership(staff_a1, org_a)
    data = {"role": role(org_a, "auditor").pk, "scope": "stations", "stations": [station_a2.pk], "is_active": "on"}
    response = client_admin_a.post(url("membership_edit", org_a, pk=m.pk), data)
    assert response.status_code == 302
    m = membership(staff_a1, org_a)
    assert m.role.key == "auditor"
    assert list(m.stations.all()) == [station_a2]

    data = {"role": role(org_a, "administrator").pk, "scope": "all", "is_active": "on"}
    assert client_admin_a.post(url("membership_edit", org_a, pk=m.pk), data).status_code == 302
    m = membership(staff_a1, org_a)
    assert m.role.key == "administrator"
    assert m.scope == Membership.Scope.ALL
    assert not m.stations.exists()

    # Deactivated: the organization is gone for them (404).
    data = {"role": role(org_a, "administrator").pk, "scope": "all"}
    assert client_admin_a.post(url("membership_edit", org_a, pk=m.pk), data).status_code == 302
    assert client_for(staff_a1).get(url("org_dashboard", org_a)).status_code == 404


@in_scope()
def test_admin_cannot_remove_their_own_user_management(client_admin_a, org_a, admin_a):
    own = membership(admin_a, org_a)
    client = english(client_admin_a)
    for data in (
        {"role": role(org_a, "station_staff").pk, "scope": "all", "is_active": "on"},
        {"role": role(org_a, "administrator").pk, "scope": "all"},  # deactivating oneself
    ):
        response = client.post(url("membership_edit", org_a, pk=own.pk), data)
        assert response.status_code == 200
        assert "You cannot remove your own administration rights." in response.content.decode()
    own = membership(admin_a, org_a)
    assert own.role.key == "administrator" and own.is_active

    admin_role = role(org_a, "administrator")
    response = client.post(
        url("role_edit", org_a, pk=admin_role.pk), {"name": "Administrator", "permissions": ["stations.manage"]}
    )
    assert response.status_code == 200
    assert "You cannot remove user management from your own role." in response.content.decode()
    admin_role.refresh_from_db()
    assert "users.manage" in admin_role.permissions


@in_scope()
def test_role_change_takes_effect_immediately(client_admin_a, client_staff_a1, org_a, station_a1, station_a2):
    staff_role = role(org_a, "station_staff")
    assert client_staff_a1.get(url("station_list", org_a)).status_code == 403
    page = client_staff_a1.get(url("org_dashboard", org_a)).content.decode()
    assert url("station_list", org_a) not in page

    permissions = [*staff_role.permissions, "stations.manage"]
    response = client_admin_a.post(
        url("role_edit", org_a, pk=staff_role.pk), {"name": "Staff", "permissions": permissions}
    )
    assert response.status_code == 302
    staff_role.refresh_from_db()
    assert staff_role.name == "Staff" and "stations.manage" in staff_role.permissions

    response = client_staff_a1.get(url("station_list", org_a))
    assert response.status_code == 200
    page = response.content.decode()
    assert "A1 München" in page
    assert "A2 Augsburg" not in page  # still only their own station
    assert client_staff_a1.get(url("station_edit", org_a, pk=station_a2.pk)).status_code == 404
    assert url("station_list", org_a) in client_staff_a1.get(url("org_dashboard", org_a)).content.decode()

    permissions.remove("stations.manage")
    client_admin_a.post(url("role_edit", org_a, pk=staff_role.pk), {"name": "Staff", "permissions": permissions})
    assert client_staff_a1.get(url("station_list", org_a)).status_code == 403


@in_scope()
def test_role_edit_ignores_unknown_permissions(client_admin_a, org_a):
    auditor = role(org_a, "auditor")
    response = client_admin_a.post(
        url("role_edit", org_a, pk=auditor.pk), {"name": "Auditor", "permissions": ["vehicles.view", "root.all"]}
    )
    assert response.status_code == 200
    assert "permissions" in response.context["form"].errors
    auditor.refresh_from_db()
    assert "root.all" not in auditor.permissions


# --- organization switcher ------------------------------------------------------------------------


def test_member_of_two_organizations_sees_both_in_switcher(admin_a, org_a, org_b):
    make_member(org_b, "admin@a.example", role_key="administrator")
    client = client_for(admin_a)
    page = client.get(url("org_dashboard", org_a)).content.decode()
    switcher = re.search(r'aria-labelledby="org-switcher">(.*?)</ul>', page, re.S).group(1)
    assert 'href="/o/org-a/"' in switcher and "Autohaus A" in switcher
    assert 'href="/o/org-b/"' in switcher and "Autohaus B" in switcher
    response = client.get(url("org_dashboard", org_b))
    assert response.status_code == 200
    assert "Autohaus B" in response.content.decode()
    assert client.get(url("station_list", org_b)).status_code == 200
    # Home now leads to the organization used last.
    assert client.get(reverse("home")).url == url("org_dashboard", org_b)


def test_single_membership_switcher_lists_only_own_organization(client_admin_b, org_a, org_b):
    page = client_admin_b.get(url("org_dashboard", org_b)).content.decode()
    assert "Autohaus A" not in page
    assert "/o/org-a/" not in page


# --- outsiders ------------------------------------------------------------------------------------


@in_scope()
def test_outsider_gets_404_everywhere_and_changes_nothing(client_admin_b, org_a, org_b, region_a, station_a1, staff_a1):
    staff_m = membership(staff_a1, org_a)
    admin_role = role(org_a, "administrator")
    b_admin_role = role(org_b, "administrator")
    pages = [
        ("org_dashboard", {}),
        ("organization_settings", {}),
        ("region_list", {}),
        ("region_edit", {"pk": region_a.pk}),
        ("station_list", {}),
        ("station_create", {}),
        ("station_edit", {"pk": station_a1.pk}),
        ("user_list", {}),
        ("user_invite", {}),
        ("membership_edit", {"pk": staff_m.pk}),
        ("role_list", {}),
        ("role_edit", {"pk": admin_role.pk}),
        ("activity_all", {"kind": "station", "pk": station_a1.pk}),
        ("messages_all", {"kind": "station", "pk": station_a1.pk}),
    ]
    for name, kwargs in pages:
        assert client_admin_b.get(url(name, org_a, **kwargs)).status_code == 404, name

    posts = [
        (url("organization_settings", org_a), settings_data(name="Hacked", operator_code="HACK")),
        (url("region_list", org_a), {"name": "Hacked"}),
        (url("region_edit", org_a, pk=region_a.pk), {"name": "Hacked"}),
        (url("region_edit", org_a, pk=region_a.pk), {"name": "x", "delete": "1"}),
        (url("station_create", org_a), station_data(name="Hacked", code="HX")),
        (url("station_edit", org_a, pk=station_a1.pk), station_data(name="Hacked", code="A1")),
        (url("user_invite", org_a), invite_data(org_a, email="evil@b.example", scope="all")),
        (url("membership_edit", org_a, pk=staff_m.pk), {"role": admin_role.pk, "scope": "all", "is_active": "on"}),
        (url("role_edit", org_a, pk=admin_role.pk), {"name": "Hacked", "permissions": []}),
        (url("set_station_filter", org_a), {"station": station_a1.pk}),
        # Through the outsider's own organization, with org A's ids:
        (url("region_edit", org_b, pk=region_a.pk), {"name": "Hacked"}),
        (url("station_edit", org_b, pk=station_a1.pk), station_data(name="Hacked", code="A1")),
        (url("membership_edit", org_b, pk=staff_m.pk), {"role": b_admin_role.pk, "scope": "all", "is_active": "on"}),
        (url("role_edit", org_b, pk=admin_role.pk), {"name": "Hacked", "permissions": []}),
    ]
    for target, data in posts:
        assert client_admin_b.post(target, data).status_code == 404, target
    assert client_admin_b.get(url("activity_all", org_b, kind="station", pk=station_a1.pk)).status_code == 404

    org_a.refresh_from_db()
    assert org_a.name == "Autohaus A"
    region_a.refresh_from_db()
    assert region_a.name == "Süd"
    assert list(Region.objects.filter(organization=org_a)) == [region_a]
    station_a1.refresh_from_db()
    assert station_a1.name == "A1 München"
    assert not Station.objects.filter(name="Hacked").exists()
    staff_m = membership(staff_a1, org_a)
    assert staff_m.role.key == "station_staff" and staff_m.scope == Membership.Scope.STATIONS
    admin_role.refresh_from_db()
    assert admin_role.name == "Administrator" and "users.manage" in admin_role.permissions
    assert not User.objects.filter(email="evil@b.example").exists()
    assert not OutboundMessage.objects.exists()
    assert Organization.objects.filter(operator_code="HACK").count() == 0


@in_scope()
def test_staff_of_another_station_gets_404_on_a_station(client_staff_a2, org_a, station_a1, station_a2):
    staff_role = role(org_a, "station_staff")
    staff_role.permissions = [*staff_role.permissions, "stations.manage"]
    staff_role.save()
    assert client_staff_a2.get(url("station_edit", org_a, pk=station_a2.pk)).status_code == 200
    assert client_staff_a2.get(url("station_edit", org_a, pk=station_a1.pk)).status_code == 404
    response = client_staff_a2.post(url("station_edit", org_a, pk=station_a1.pk), station_data(name="X", code="A1"))
    assert response.status_code == 404
    assert client_staff_a2.get(url("activity_all", org_a, kind="station", pk=station_a1.pk)).status_code == 404
    station_a1.refresh_from_db()
    assert station_a1.name == "A1 München"


# --- station scope and filter ---------------------------------------------------------------------


def test_station_staff_dashboard_shows_only_their_station(client_staff_a1, org_a, station_a1, station_a2):
    page = client_staff_a1.get(url("org_dashboard", org_a)).content.decode()
    scope = section(page, "station-scope")
    assert "A1 München" in scope
    assert "A2 Augsburg" not in scope
    assert "A2 Augsburg" not in page  # not offered in the station selector either


def test_admin_dashboard_shows_all_stations_and_selector(client_admin_a, org_a, station_a1, station_a2, station_b1):
    page = client_admin_a.get(url("org_dashboard", org_a)).content.decode()
    scope = section(page, "station-scope")
    assert "A1 München" in scope and "A2 Augsburg" in scope
    assert "B1 Hamburg" not in page
    selector = re.search(r'<select id="station-filter".*?</select>', page, re.S).group(0)
    assert "A1 München" in selector and "A2 Augsburg" in selector


def test_station_filter_narrows_and_stays_within_membership(
    client_admin_a, admin_a, org_a, station_a1, station_a2, station_b1
):
    dashboard = url("org_dashboard", org_a)
    response = client_admin_a.post(url("set_station_filter", org_a), {"station": station_a2.pk, "next": dashboard})
    assert response.status_code == 302 and response.url == dashboard
    page = client_admin_a.get(dashboard).content.decode()
    scope = section(page, "station-scope")
    assert "A2 Augsburg" in scope and "A1 München" not in scope
    assert re.search(rf'<option value="{station_a2.pk}"\s+selected', page)

    # A station of another organization is not accepted: the filter is cleared instead.
    client_admin_a.post(url("set_station_filter", org_a), {"station": station_b1.pk})
    scope = section(client_admin_a.get(dashboard).content.decode(), "station-scope")
    assert "A1 München" in scope and "A2 Augsburg" in scope
    assert "B1 Hamburg" not in scope

    # "All my stations" clears it too.
    client_admin_a.post(url("set_station_filter", org_a), {"station": station_a1.pk})
    client_admin_a.post(url("set_station_filter", org_a), {"station": ""})
    scope = section(client_admin_a.get(dashboard).content.decode(), "station-scope")
    assert "A1 München" in scope and "A2 Augsburg" in scope


def test_station_staff_cannot_filter_to_a_station_outside_their_membership(
    client_staff_a1, org_a, station_a1, station_a2
):
    client_staff_a1.post(url("set_station_filter", org_a), {"station": station_a2.pk})
    assert org_a.slug not in client_staff_a1.session.get("station_filter", {})
    scope = section(client_staff_a1.get(url("org_dashboard", org_a)).content.decode(), "station-scope")
    assert "A1 München" in scope and "A2 Augsburg" not in scope


@in_scope()
def test_station_filter_is_dropped_when_the_membership_no_longer_covers_it(
    client_admin_a, admin_a, org_a, station_a1, station_a2
):
    client_admin_a.post(url("set_station_filter", org_a), {"station": station_a2.pk})
    m = membership(admin_a, org_a)
    m.scope = Membership.Scope.STATIONS
    m.save()
    m.stations.set([station_a1])
    scope = section(client_admin_a.get(url("org_dashboard", org_a)).content.decode(), "station-scope")
    assert "A1 München" in scope and "A2 Augsburg" not in scope


# --- health ---------------------------------------------------------------------------------------


def test_healthz_reports_database_and_broker(client, settings):
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


def test_healthz_is_503_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] != "ok"


# --- activity -------------------------------------------------------------------------------------


def test_station_edit_is_recorded_and_shown_in_activity(client_admin_a, client_admin_b, org_a, admin_a, station_a1):
    client = english(client_admin_a)
    response = client.post(
        url("station_edit", org_a, pk=station_a1.pk),
        station_data(name=station_a1.name, code="A1", city="Ulm"),
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(station_a1).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == admin_a
    assert "city" in entry.changes_dict

    page = client.get(url("station_edit", org_a, pk=station_a1.pk)).content.decode()
    panel = section(page, "activity-list")
    assert "Ulm" in panel
    assert admin_a.full_name in panel
    assert "City:" in panel  # field labels, not column names
    show_all = url("activity_all", org_a, kind="station", pk=station_a1.pk)
    assert f'href="{show_all}"' in page

    response = client.get(show_all)
    assert response.status_code == 200
    assert "Ulm" in section(response.content.decode(), "activity-list")

    assert client_admin_b.get(show_all).status_code == 404
    assert client.get(url("activity_all", org_a, kind="nonsense", pk=station_a1.pk)).status_code == 404


@in_scope()
def test_activity_is_readable(client_admin_a, org_a, region_a, station_a1):
    """Labels instead of column names, names instead of ids, no reverse relations."""
    client = english(client_admin_a)
    client.post(url("station_create", org_a), station_data(region=str(region_a.pk)))
    station = Station.objects.get(code="C3")
    nord = Region.objects.create(organization=org_a, name="Nord")
    client.post(url("station_edit", org_a, pk=station.pk), station_data(region=str(nord.pk), is_active=""))
    panel = section(client.get(url("station_edit", org_a, pk=station.pk)).content.decode(), "activity-list")
    assert "Region:" in panel
    assert "Süd</span> → Nord" in panel
    assert "Active:" in panel and "Yes</span> → No" in panel
    assert "OpeningHours" not in panel and "opening_hours" not in panel
    assert "organization" not in panel.lower() and "id:" not in panel


@in_scope()
def test_activity_of_many_to_many_changes_is_readable(client_admin_a, org_a, staff_a1, station_a1, station_a2):
    from django.utils import translation

    from rentoffice.selectors import activity_for_object
    from rentoffice.templatetags.record_pages import activity_changes

    m = membership(staff_a1, org_a)
    data = {
        "role": role(org_a, "station_staff").pk,
        "scope": "stations",
        "stations": [station_a2.pk],
        "is_active": "on",
    }
    assert client_admin_a.post(url("membership_edit", org_a, pk=m.pk), data).status_code == 302
    with translation.override("en"):
        rows = [
            (str(label), old, new)
            for _, changes in activity_changes(activity_for_object(obj=m))
            for label, old, new in changes
        ]
        role_name = str(role(org_a, "station_staff"))
    assert ("Stations", "", "A2 Augsburg") in rows
    assert ("Stations", "A1 München", "") in rows
    assert ("Role", "", role_name) in rows  # the name, not the id


@in_scope()
def test_interval_without_weekday_shows_the_error_on_the_row(client_admin_a, org_a):
    response = english(client_admin_a).post(url("station_create", org_a), station_data(hours=[("", "08:00", "12:00")]))
    assert response.status_code == 200
    row = section(response.content.decode(), "hours-row")
    assert "is-invalid" in row
    assert "This field is required." in row
    assert not Station.objects.filter(code="C3").exists()


@in_scope()
def test_station_scoped_manager_creating_a_station_lands_on_the_list(client_staff_a1, org_a, station_a1):
    staff_role = role(org_a, "station_staff")
    staff_role.permissions = [*staff_role.permissions, "stations.manage"]
    staff_role.save()
    response = client_staff_a1.post(url("station_create", org_a), station_data())
    assert response.status_code == 302
    assert response.url == url("station_list", org_a)  # not the new station's page, which they cannot open
    assert Station.objects.filter(organization=org_a, code="C3").exists()
    assert client_staff_a1.get(response.url).status_code == 200


# --- roles and scopes that cannot escalate (lead) ---


@in_scope()
def test_admin_creates_and_deletes_a_role(client_admin_a, org_a):
    from rentoffice.models import Role

    response = client_admin_a.post(
        reverse("role_create", kwargs={"org_slug": org_a.slug}),
        {"name": "Werkstatt", "permissions": ["vehicles.view", "vehicles.change"]},
    )
    assert response.status_code == 302
    role = Role.objects.get(organization=org_a, name="Werkstatt")
    assert role.permissions == ["vehicles.change", "vehicles.view"]
    client_admin_a.post(reverse("role_edit", kwargs={"org_slug": org_a.slug, "pk": role.pk}), {"delete": "1"})
    assert not Role.objects.filter(pk=role.pk).exists()


@in_scope()
def test_roles_in_use_and_the_administrator_role_are_not_deleted(client_admin_a, org_a, staff_a1):
    from rentoffice.models import Role

    for key in ("administrator", "station_staff"):
        role = Role.objects.get(organization=org_a, key=key)
        response = client_admin_a.post(
            reverse("role_edit", kwargs={"org_slug": org_a.slug, "pk": role.pk}), {"delete": "1"}, follow=True
        )
        assert Role.objects.filter(pk=role.pk).exists()
        assert response.status_code == 200


@in_scope()
def test_region_with_scoped_members_is_not_deleted(client_admin_a, org_a, region_a):
    from rentoffice.models import Membership, Region

    user = make_member(org_a, "regional@a.example", scope=Membership.Scope.REGIONS)
    Membership.objects.get(user=user, organization=org_a).regions.set([region_a])
    client_admin_a.post(reverse("region_edit", kwargs={"org_slug": org_a.slug, "pk": region_a.pk}), {"delete": "1"})
    assert Region.objects.filter(pk=region_a.pk).exists()


@in_scope()
def test_station_limited_user_manager_cannot_grant_more_than_they_hold(org_a, station_a1, station_a2):
    from rentoffice.models import Membership, Role
    from tests.conftest import client_for

    manager = make_member(org_a, "lead-a1@a.example", stations=[station_a1])
    role = Role.objects.get(organization=org_a, key="station_staff")
    role.permissions = sorted(set(role.permissions) | {"users.manage"})
    role.save()
    client = client_for(manager)
    url = reverse("user_invite", kwargs={"org_slug": org_a.slug})
    admin_role = Role.objects.get(organization=org_a, key="administrator")
    # All stations, another station, or a stronger role: refused with field errors, nothing created.
    for data in (
        {"scope": "all"},
        {"scope": "stations", "stations": [station_a2.pk]},
        {"scope": "stations", "stations": [station_a1.pk], "role": admin_role.pk},
    ):
        post = {"email": "new@a.example", "full_name": "Neu", "language": "de", "role": role.pk, **data}
        response = client.post(url, post)
        assert response.status_code == 200, data
        assert not Membership.objects.filter(user__email="new@a.example").exists()
    response = client.post(
        url,
        {
            "email": "new@a.example",
            "full_name": "Neu",
            "language": "de",
            "role": role.pk,
            "scope": "stations",
            "stations": [station_a1.pk],
        },
    )
    assert response.status_code == 302
    assert list(Membership.objects.get(user__email="new@a.example").stations.all()) == [station_a1]


def test_default_role_names_follow_the_ui_language(client_admin_a, org_a):
    url = reverse("role_list", kwargs={"org_slug": org_a.slug})
    client_admin_a.cookies["django_language"] = "en"
    assert "Station staff" in client_admin_a.get(url).content.decode()
    client_admin_a.cookies["django_language"] = "de"
    assert "Stationsmitarbeiter" in client_admin_a.get(url).content.decode()


def test_logo_goes_through_the_image_pipeline_and_is_served_to_members_only(client_admin_a, client_admin_b, org_a):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 100), "navy").save(buffer, format="PNG")
    data = {
        f: getattr(org_a, f) or ""
        for f in (
            "name",
            "operator_code",
            "country",
            "default_language",
            "invoice_number_prefix",
            "contract_number_prefix",
        )
    }
    data["country"] = "DE"
    data["logo"] = SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")
    response = client_admin_a.post(url("organization_settings", org_a), data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    org_a.refresh_from_db()
    assert org_a.logo.name.endswith(".jpg")
    logo_url = url("organization_logo", org_a)
    served = client_admin_a.get(logo_url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content)[:3] == b"\xff\xd8\xff"  # re-encoded as JPEG
    assert client_admin_b.get(logo_url).status_code == 404

    # Something that only claims to be an image is refused with a message and changes nothing.
    data["logo"] = SimpleUploadedFile("logo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    response = client_admin_a.post(url("organization_settings", org_a), data)
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    org_a.refresh_from_db()
    assert org_a.logo.name.endswith(".jpg")


@in_scope()
def test_station_lead_edits_only_the_station_granted_to_them(client_admin_a, org_a, staff_a1, station_a1, station_a2):
    """Object-level grant (django-guardian): no organization-wide stations.manage needed."""
    from tests.conftest import client_for

    lead = client_for(staff_a1)
    edit_a1 = url("station_edit", org_a, pk=station_a1.pk)
    assert lead.get(edit_a1).status_code == 403
    m = membership(staff_a1, org_a)
    data = {
        "role": role(org_a, "station_staff").pk,
        "scope": "stations",
        "stations": [station_a1.pk],
        "is_active": "on",
        "managed_stations": [station_a1.pk],
    }
    assert client_admin_a.post(url("membership_edit", org_a, pk=m.pk), data).status_code == 302
    assert lead.get(edit_a1).status_code == 200
    dashboard = lead.get(url("org_dashboard", org_a)).content.decode()
    assert edit_a1 in dashboard
    # Not the station lists of the organization, and not a station outside their scope.
    assert lead.get(url("station_list", org_a)).status_code == 403
    assert lead.get(url("station_edit", org_a, pk=station_a2.pk)).status_code == 404
    # Taking the grant away works the same way.
    data["managed_stations"] = []
    client_admin_a.post(url("membership_edit", org_a, pk=m.pk), data)
    assert client_for(staff_a1).get(edit_a1).status_code == 403


def test_operator_code_is_stored_in_capitals(client_admin_a, org_a):
    data = {
        "name": org_a.name,
        "operator_code": " neu-1 ",
        "country": "DE",
        "default_language": "de",
        "invoice_number_prefix": "RE-",
        "contract_number_prefix": "MV-",
    }
    response = client_admin_a.post(url("organization_settings", org_a), data)
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.operator_code == "NEU-1"


@in_scope()
def test_pending_invitation_is_shown_and_can_be_sent_again(client_admin_a, org_a):
    from rentoffice.models import OutboundMessage

    data = {
        "email": "neu@a.example",
        "full_name": "Nina Neu",
        "language": "de",
        "role": role(org_a, "station_staff").pk,
        "scope": "all",
    }
    assert client_admin_a.post(url("user_invite", org_a), data).status_code == 302
    m = Membership.objects.get(user__email="neu@a.example")
    client_admin_a.cookies["django_language"] = "en"
    assert "invitation pending" in client_admin_a.get(url("user_list", org_a)).content.decode()
    page = client_admin_a.get(url("membership_edit", org_a, pk=m.pk)).content.decode()
    assert "Send invitation again" in page
    assert 'id="panel-messages"' in page  # the invitation is listed on the membership

    assert client_admin_a.post(url("membership_resend", org_a, pk=m.pk)).status_code == 302
    sent = OutboundMessage.objects.filter(template="staff_invitation", recipient="neu@a.example")
    assert sent.count() == 2
    assert sent[0].body_text != sent[1].body_text or "/password/reset/" in sent[0].body_text

    m.user.set_password("Gesetzt-2026!x")
    m.user.save()
    client_admin_a.post(url("membership_resend", org_a, pk=m.pk))
    assert sent.count() == 2  # nothing to resend once a password is set


def test_stored_stripe_keys_can_be_removed(client_admin_a, org_a):
    org_a.stripe_publishable_key, org_a.stripe_secret_key = "pk_test_1", "sk_test_1"
    org_a.save()
    data = {
        "name": org_a.name,
        "operator_code": org_a.operator_code,
        "country": "DE",
        "default_language": "de",
        "invoice_number_prefix": "RE-",
        "contract_number_prefix": "MV-",
        "stripe_publishable_key": "pk_test_1",
    }
    client_admin_a.post(url("organization_settings", org_a), data)
    org_a.refresh_from_db()
    assert org_a.stripe_secret_key == "sk_test_1"  # an empty field keeps the key
    client_admin_a.post(url("organization_settings", org_a), {**data, "remove_stripe_keys": "on"})
    org_a.refresh_from_db()
    assert (org_a.stripe_publishable_key, org_a.stripe_secret_key) == ("", "")


def test_activity_show_all_is_paged(client_admin_a, org_a, station_a1):
    from auditlog.models import LogEntry

    for i in range(60):
        LogEntry.objects.log_create(station_a1, action=LogEntry.Action.UPDATE, changes={"name": [str(i), str(i + 1)]})
    show_all = url("activity_all", org_a, kind="station", pk=station_a1.pk)
    first = client_admin_a.get(show_all).content.decode()
    assert "1 / 2" in first
    assert client_admin_a.get(show_all + "?page=2").status_code == 200

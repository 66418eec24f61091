"""Activity summaries are stored as data and shown in the reader's language and date format; library
texts read formally in German; "HU" is explained in English; a wrong password says so (item 19)."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import formats, timezone, translation
from django_scopes import scope, scopes_disabled

from rentoffice.models import Station
from tests.conftest import PASSWORD, make_member

pytestmark = pytest.mark.django_db


def _station_post(client, org, station, **extra):
    data = {
        "name": station.name,
        "code": station.code,
        "region": "",
        "street": "",
        "postal_code": "",
        "city": "Ulm",
        "phone": "",
        "email": "",
        "brands": "",
        "is_active": "on",
        "hours-TOTAL_FORMS": "0",
        "hours-INITIAL_FORMS": "0",
        "exc-TOTAL_FORMS": "0",
        "exc-INITIAL_FORMS": "0",
        **extra,
    }
    response = client.post(reverse("station_edit", kwargs={"org_slug": org.slug, "pk": station.pk}), data)
    assert response.status_code == 302, response.content.decode()[:1000]


def _panel(client, org, station, language):
    client.cookies["django_language"] = language
    page = client.get(reverse("station_edit", kwargs={"org_slug": org.slug, "pk": station.pk})).content.decode()
    return page[page.index('data-testid="activity-list"') :]


def test_opening_hours_are_logged_as_data_and_read_in_each_language(client_admin_a, org_a):
    with scopes_disabled():
        station = Station.objects.create(organization=org_a, name="Ulm", code="ULM")
    holiday = timezone.localdate() + dt.timedelta(days=30)
    _station_post(
        client_admin_a,
        org_a,
        station,
        **{
            "hours-TOTAL_FORMS": "1",
            "hours-0-weekday": "0",
            "hours-0-opens": "08:00",
            "hours-0-closes": "12:00",
            "exc-TOTAL_FORMS": "1",
            "exc-0-date": holiday.isoformat(),
            "exc-0-closed": "on",
        },
    )
    with scope(organization=org_a):
        entry = LogEntry.objects.filter(object_pk=str(station.pk), changes__has_key="opening_hours").get()
    assert entry.changes_dict["opening_hours"] == [[], [[0, "08:00", "12:00"]]]
    assert entry.changes_dict["opening_exceptions"][1] == [
        {"date": holiday.isoformat(), "closed": True, "opens": None, "closes": None, "note": ""}
    ]

    english = _panel(client_admin_a, org_a, station, "en")
    with translation.override("en"):
        english_date = formats.date_format(holiday, "SHORT_DATE_FORMAT")
    assert "Monday 08:00–12:00" in english and f"{english_date} closed" in english
    assert "Montag" not in english and "geschlossen" not in english

    german = _panel(client_admin_a, org_a, station, "de")
    with translation.override("de"):
        german_date = formats.date_format(holiday, "SHORT_DATE_FORMAT")
    assert "Montag 08:00–12:00" in german and f"{german_date} geschlossen" in german
    assert english_date != german_date


def test_station_grants_are_logged_as_names(client_admin_a, org_a, station_a1, station_a2):
    with scopes_disabled():
        staff = make_member(org_a, "s1@a.example", stations=[station_a1])
        membership = staff.memberships.get(organization=org_a)
    from rentoffice.services import station_managers_set

    with scope(organization=org_a):
        station_managers_set(membership=membership, stations=[station_a1, station_a2])
        entry = LogEntry.objects.filter(object_pk=str(membership.pk), changes__has_key="managed_stations").get()
    assert entry.changes_dict["managed_stations"] == [[], ["A1 München", "A2 Augsburg"]]
    client_admin_a.cookies["django_language"] = "en"
    page = client_admin_a.get(
        reverse("activity_all", kwargs={"org_slug": org_a.slug, "kind": "membership", "pk": membership.pk})
    ).content.decode()
    assert "A1 München, A2 Augsburg" in page


def test_inspection_is_explained_in_english(client_admin_a, org_a):
    client_admin_a.cookies["django_language"] = "en"
    page = client_admin_a.get(reverse("vehicles:list", kwargs={"org_slug": org_a.slug})).content.decode()
    assert "General inspection due within 30 days" in page
    assert ">HU<" not in page and "HU due" not in page


def test_german_library_texts_are_formal(client, org_a):
    response = client.post("/login/", {"username": "keine-adresse", "password": "x"}, HTTP_ACCEPT_LANGUAGE="de")
    page = response.content.decode()
    assert "Geben Sie eine gültige E-Mail-Adresse ein." in page
    assert "Gib " not in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "E-Mail-Adresse oder Passwort ist nicht richtig."),
        ("en", "The e-mail address or the password is not correct."),
    ],
)
def test_wrong_password_says_so(client, org_a, language, expected):
    response = client.post(
        "/login/", {"username": "admin@a.example", "password": PASSWORD + "x"}, HTTP_ACCEPT_LANGUAGE=language
    )
    page = response.content.decode()
    assert expected in page
    assert "eingeben" not in page and "Please enter" not in page

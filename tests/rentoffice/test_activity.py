import pytest
from django.urls import reverse

from tests.conftest import in_scope

pytestmark = pytest.mark.django_db


def _station_data(**overrides):
    return {
        "name": "Ulm",
        "code": "ULM",
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
        **overrides,
    }


def _create_station(client, org):
    response = client.post(reverse("station_create", kwargs={"org_slug": org.slug}), _station_data())
    assert response.status_code == 302, response.content.decode()[:500]
    return int(response.url.rstrip("/").split("/")[-1])


def test_panel_says_created_and_show_all_lists_the_initial_values(client_admin_a, org_a):
    pk = _create_station(client_admin_a, org_a)
    client_admin_a.cookies["django_language"] = "en"
    page = client_admin_a.get(reverse("station_edit", kwargs={"org_slug": org_a.slug, "pk": pk})).content.decode()
    panel = page[page.index('data-testid="activity-list"') :]
    assert "created" in panel
    assert "City" not in panel  # the panel stays short
    full = client_admin_a.get(reverse("activity_all", kwargs={"org_slug": org_a.slug, "kind": "station", "pk": pk}))
    body = full.content.decode()
    assert "City" in body and "Ulm" in body
    assert "Organization:" not in body  # bookkeeping fields are left out


def test_changes_show_old_and_new_value_in_german(client_admin_a, org_a):
    pk = _create_station(client_admin_a, org_a)
    url = reverse("station_edit", kwargs={"org_slug": org_a.slug, "pk": pk})
    client_admin_a.post(url, _station_data(name="Ulm Hbf"))
    page = client_admin_a.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    panel = page[page.index('data-testid="activity-list"') :]
    assert "geändert" in panel and "erstellt" in panel
    assert "Ulm Hbf" in panel


def test_opening_hours_changes_are_in_the_activity_log(client_admin_a, org_a):
    pk = _create_station(client_admin_a, org_a)
    url = reverse("station_edit", kwargs={"org_slug": org_a.slug, "pk": pk})
    hours = {
        "hours-TOTAL_FORMS": "2",
        "hours-INITIAL_FORMS": "0",
        "hours-0-weekday": "0",
        "hours-0-opens": "08:00",
        "hours-0-closes": "12:00",
        "hours-1-weekday": "0",
        "hours-1-opens": "13:00",
        "hours-1-closes": "18:00",
    }
    assert client_admin_a.post(url, _station_data(**hours)).status_code == 302
    client_admin_a.cookies["django_language"] = "en"
    page = client_admin_a.get(url).content.decode()
    panel = page[page.index('data-testid="activity-list"') :]
    assert "Opening hours" in panel
    assert "08:00–12:00" in panel and "13:00–18:00" in panel


@in_scope()
def test_past_exceptions_are_kept_when_the_station_is_saved(client_admin_a, org_a):
    import datetime as dt

    from rentoffice.models import OpeningException, Station

    pk = _create_station(client_admin_a, org_a)
    station = Station.objects.get(pk=pk)
    past = OpeningException.objects.create(station=station, date=dt.date(2020, 12, 24), closed=True)
    url = reverse("station_edit", kwargs={"org_slug": org_a.slug, "pk": pk})
    page = client_admin_a.get(url).content.decode()
    assert "2020-12-24" not in page  # not in the editor any more
    assert client_admin_a.post(url, _station_data(name="Ulm Mitte")).status_code == 302
    assert OpeningException.objects.filter(pk=past.pk).exists()


def test_dates_in_the_activity_look_like_dates_on_the_page(station_a1):
    from auditlog.models import LogEntry
    from django.utils import translation

    from rentoffice.models import OpeningException
    from rentoffice.templatetags.record_pages import activity_changes

    exception = OpeningException.objects.create(station=station_a1, date="2026-12-24")
    entry = LogEntry.objects.log_create(
        exception, action=LogEntry.Action.UPDATE, changes={"date": ["2026-12-24", "2026-12-31"]}
    )
    with translation.override("de"):
        ((_, changes),) = activity_changes([entry])
        changes = [(str(label), old, new) for label, old, new in changes]  # labels are lazy: read them in German
    assert changes == [("Datum", "24.12.2026", "31.12.2026")]

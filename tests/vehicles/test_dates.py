"""Dates without sense are refused with a field error; stored rows outside the window cannot take a
vehicle's pages down (issue 7 items 2 and 3)."""

import datetime as dt

import pytest
from django.apps import apps
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from rentoffice.validators import date_in_window
from tests.actors import admin_of
from vehicles.models import Damage, KmReading, Vehicle

from .conftest import make_vehicle

pytestmark = pytest.mark.django_db

# Date fields set by code only, never typed by a person (the window guards what people and imports enter).
SET_BY_CODE = {
    "customers.LicenceEscalation.due_on",
    "customers.CustomerAccount.token_expires_at",
    "customers.CustomerAccount.invited_at",
    "customers.CustomerAccount.password_set_at",
    "customers.CustomerAccount.last_login",
    "customers.Customer.last_activity_at",
    "customers.Customer.anonymised_at",
    "rentoffice.User.date_joined",
    "rentoffice.User.last_login",
    "rentoffice.OutboundMessage.sent_at",
    "rentoffice.OutboundMessage.next_attempt_at",
}


def url(name, org, **kwargs):
    return reverse(f"vehicles:{name}", kwargs={"org_slug": org.slug, **kwargs})


def test_every_entered_date_field_uses_the_one_window_validator():
    missing = []
    for app in ("customers", "vehicles", "rentoffice"):
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.DateField) or getattr(field, "auto_now", False):
                    continue
                if getattr(field, "auto_now_add", False) or field.name == "uploaded_at":  # photos: set on upload
                    continue
                key = f"{app}.{model.__name__}.{field.name}"
                if key not in SET_BY_CODE and date_in_window not in field.validators:
                    missing.append(key)
    assert missing == []


@pytest.fixture
def vehicle(org_a, station_a1, group_a):
    with scopes_disabled():
        return make_vehicle(org_a, station_a1, group_a, km=12_000)


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "1899-12-31T23:00", "9999-12-31T23:59"])
def test_km_reading_outside_the_window_is_a_field_error(client_admin_a, org_a, vehicle, moment):
    client_admin_a.cookies["django_language"] = "de"
    response = client_admin_a.post(
        url("km_add", org_a, pk=vehicle.pk), {"km": "12500", "recorded_at": moment, "note": ""}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "recorded_at" in errors and "km" not in errors
    assert any(("Datum zwischen" in e or "Zukunft" in e) for e in errors["recorded_at"])
    with scope(organization=org_a):
        assert KmReading.objects.filter(vehicle=vehicle).count() == 1
    assert client_admin_a.get(url("detail", org_a, pk=vehicle.pk)).status_code == 200


def test_damage_dated_year_one_is_a_field_error(client_admin_a, org_a, vehicle):
    client_admin_a.cookies["django_language"] = "de"
    response = client_admin_a.post(
        url("damage_create", org_a, pk=vehicle.pk),
        {
            "area": "left",
            "severity": "minor",
            "description": "Kratzer",
            "source": "staff",
            "reported_at": "0001-01-01T00:00",
        },
    )
    assert response.status_code == 200
    assert "Datum zwischen" in " ".join(response.context["form"].errors["reported_at"])
    with scope(organization=org_a):
        assert not Damage.objects.filter(vehicle=vehicle).exists()


def _write_directly(table: str, column: str, pk: int) -> None:
    # Midnight of 1 January 1 in German time is 1 BC in UTC: PostgreSQL keeps it, psycopg2 cannot read it.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = '0001-01-01 00:00:00+01' WHERE id = %s", [pk])  # noqa: S608


def test_pages_survive_rows_written_past_the_validators(client_admin_a, org_a, vehicle, admin_a):
    from vehicles.services import condition_record_create, damage_create

    with scopes_disabled():
        broken = KmReading.objects.create(organization=org_a, vehicle=vehicle, km=5, source="staff")
        damage = damage_create(vehicle=vehicle, actor=admin_of(vehicle), damage=Damage(area="left", description="Alt"))
        record = condition_record_create(vehicle=vehicle, actor=admin_of(vehicle), note="Alt", photos=[])
    _write_directly("vehicles_kmreading", "recorded_at", broken.pk)
    _write_directly("vehicles_damage", "reported_at", damage.pk)
    _write_directly("vehicles_conditionrecord", "recorded_at", record.pk)
    for name in ("detail", "km_history", "km_add", "condition_list", "edit", "condition_create", "damage_create"):
        assert client_admin_a.get(url(name, org_a, pk=vehicle.pk)).status_code == 200, name
    assert client_admin_a.get(url("list", org_a)).status_code == 200
    assert client_admin_a.get(reverse("org_dashboard", kwargs={"org_slug": org_a.slug})).status_code == 200
    # The unreadable rows are not shown; their own pages answer 404 instead of 500.
    assert client_admin_a.get(url("damage_detail", org_a, pk=damage.pk)).status_code == 404
    assert client_admin_a.get(url("condition_detail", org_a, pk=record.pk)).status_code == 404
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client_admin_a.post(url("km_add", org_a, pk=vehicle.pk), {"km": "12100", "recorded_at": now})
    assert response.status_code == 302
    with scopes_disabled():
        vehicle.refresh_from_db()
    assert vehicle.current_km == 12_100


def test_first_registration_and_inspection_dates(client_admin_a, org_a, vehicle):
    client_admin_a.cookies["django_language"] = "de"
    edit = url("edit", org_a, pk=vehicle.pk)
    form = client_admin_a.get(edit).context["form"]
    data = {name: ("" if form[name].value() is None else form[name].value()) for name in form.fields}
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    cases = [
        ({"first_registration": tomorrow.isoformat()}, "first_registration", "Zukunft"),
        ({"first_registration": "2020-05-01", "next_inspection": "2020-04-30"}, "next_inspection", "Erstzulassung"),
        ({"first_registration": "0001-01-01"}, "first_registration", "Datum zwischen"),
    ]
    for change, field, text in cases:
        response = client_admin_a.post(edit, {**data, "next_inspection": "", **change})
        assert response.status_code == 200, change
        assert text in " ".join(response.context["form"].errors[field]), change
    with scopes_disabled():
        stored = Vehicle.objects.get(pk=vehicle.pk)
    assert stored.first_registration is None and stored.next_inspection is None
    response = client_admin_a.post(edit, {**data, "first_registration": "2020-05-01", "next_inspection": "2026-05-01"})
    assert response.status_code == 302

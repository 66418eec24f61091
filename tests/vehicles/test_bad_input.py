"""Garbage in every form and URL of the fleet: a field error or a 4xx, never a 500, never half a record."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from tests.actors import membership_of
from vehicles.models import ConditionRecord, Damage, DamagePhoto, KmReading, Vehicle, VehicleGroup, VehiclePhoto
from vehicles.services import condition_record_create, damage_create

from .conftest import jpeg_upload

pytestmark = pytest.mark.django_db

GARBAGE_VALUES = [
    "",
    " ",
    "abc",
    "-1",
    "1e400",
    "NaN",
    "inf",
    "99999999999999999999",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "2026-13-45",
    "<script>alert(1)</script>",
    "x" * 5000,
    "\x00",
]


def url(name, org, **kwargs):
    return reverse(f"vehicles:{name}", kwargs={"org_slug": org.slug, **kwargs})


def _counts():
    # Rows of every organization: a bad request must not write anywhere.
    with scopes_disabled():
        return [
            m.objects.count()
            for m in (Vehicle, KmReading, Damage, DamagePhoto, VehiclePhoto, ConditionRecord, VehicleGroup)
        ]


FIELDS = {
    "create": [
        "plate",
        "vin",
        "make",
        "model",
        "variant",
        "group",
        "home_station",
        "current_station",
        "first_registration",
        "fuel_type",
        "transmission",
        "seats",
        "fuel_level",
        "status",
        "status_reason",
        "next_inspection",
        "notes",
        "initial_km",
    ],
    "km_add": ["km", "recorded_at", "note", "confirm_implausible", "override_reason"],
    "damage_create": ["view", "x", "y", "area", "severity", "description", "source", "reported_at", "notes"],
    "damage_status": ["status", "date", "note"],
    "retire": ["reason"],
    "condition_create": ["km", "note"],
    "group_create": ["name", "code", "description", "sort_order"],
}


def _targets(org, vehicle, damage, record):
    return {
        "create": url("create", org),
        "edit": url("edit", org, pk=vehicle.pk),
        "km_add": url("km_add", org, pk=vehicle.pk),
        "damage_create": url("damage_create", org, pk=vehicle.pk),
        "damage_edit": url("damage_edit", org, pk=damage.pk),
        "damage_status": url("damage_status", org, pk=damage.pk),
        "retire": url("retire", org, pk=vehicle.pk),
        "condition_create": url("condition_create", org, pk=vehicle.pk),
        "photos_add": url("photos_add", org, pk=vehicle.pk),
        "damage_photos_add": url("damage_photos_add", org, pk=damage.pk),
        "group_create": url("group_create", org),
        "condition_photos_add": url("condition_photos_add", org, pk=record.pk),
    }


def test_garbage_posts_give_field_errors_not_500(client_admin_a, org_a, vehicle_a1, admin_a):
    with scope(organization=org_a):
        damage = damage_create(
            vehicle=vehicle_a1,
            actor=membership_of(admin_a, vehicle_a1),
            damage=Damage(area="left", description="Kratzer"),
        )
        record = condition_record_create(
            vehicle=vehicle_a1, actor=membership_of(admin_a, vehicle_a1), note="ok", photos=[]
        )
    targets = _targets(org_a, vehicle_a1, damage, record)
    before = _counts()
    for name, target in targets.items():
        response = client_admin_a.post(target, {})
        assert response.status_code == 200, (name, "empty")
        fields = FIELDS["damage_create"] if name == "damage_edit" else FIELDS.get(name, FIELDS["create"])
        # Any text is a valid reason for retiring; only what no reason can be is tried there.
        values = ["", " ", "x" * 5000, "\x00"] if name == "retire" else GARBAGE_VALUES
        for value in values:
            response = client_admin_a.post(target, {field: value for field in fields})
            assert response.status_code in (200, 400), (name, value, response.status_code)
    assert _counts() == before


@pytest.mark.parametrize("field", FIELDS["create"])
def test_one_bad_field_in_an_otherwise_valid_vehicle(client_admin_a, org_a, station_a1, group_a, field):
    valid = {
        "plate": "M-ZZ 1",
        "make": "VW",
        "model": "Up",
        "group": group_a.pk,
        "home_station": station_a1.pk,
        "current_station": station_a1.pk,
        "fuel_type": "petrol",
        "transmission": "manual",
        "seats": 4,
        "fuel_level": 8,
        "status": "available",
        "initial_km": 10,
    }
    before = _counts()
    for value in GARBAGE_VALUES:
        data = {**valid, field: value}
        response = client_admin_a.post(url("create", org_a), data)
        assert response.status_code in (200, 302), (field, value)
        if response.status_code == 302:  # an acceptable value (free text, a foreign plate): undo it
            with scope(organization=org_a):
                KmReading.objects.all().delete()
                Vehicle.objects.all().delete()
    assert _counts() == before


def test_damage_with_bad_position_values(client_admin_a, org_a, vehicle_a1):
    before = _counts()
    for x, y in [
        ("abc", "1"),
        ("NaN", "1"),
        ("inf", "-inf"),
        ("1e400", "1"),
        ("101", "50"),
        ("-1", "50"),
        ("12.345678", "1"),
    ]:
        response = client_admin_a.post(
            url("damage_create", org_a, pk=vehicle_a1.pk),
            {
                "view": "top",
                "x": x,
                "y": y,
                "area": "left",
                "severity": "minor",
                "description": "Delle",
                "source": "staff",
                "reported_at": "2026-01-01T10:00",
            },
        )
        assert response.status_code == 200, (x, y)
    response = client_admin_a.post(
        url("damage_create", org_a, pk=vehicle_a1.pk),
        {
            "view": "nowhere",
            "x": "1",
            "y": "1",
            "area": "left",
            "severity": "minor",
            "description": "Delle",
            "source": "staff",
            "reported_at": "2026-01-01T10:00",
        },
    )
    assert response.status_code == 200
    assert _counts() == before


def test_bad_upload_with_otherwise_valid_damage_writes_nothing(client_admin_a, org_a, vehicle_a1):
    before = _counts()
    evil = SimpleUploadedFile("evil.jpg", b"MZ\x90\x00" + b"\x00" * 100, content_type="image/jpeg")
    response = client_admin_a.post(
        url("damage_create", org_a, pk=vehicle_a1.pk),
        {
            "area": "left",
            "severity": "minor",
            "description": "Delle",
            "source": "staff",
            "reported_at": "2026-01-01T10:00",
            "photos": [jpeg_upload(), evil],
        },
    )
    assert response.status_code == 200
    assert "evil.jpg" in response.content.decode()
    assert _counts() == before


@pytest.mark.parametrize(
    "query",
    [
        {"station": "abc", "group": "-1", "status": "zzz", "sort": "zzz", "page": "zzz"},
        {"q": "\x00"},
        {"q": "x" * 5000},
        {"q": "%_\\"},
        {"page": "99999"},
        {"page": "-1"},
        {"station": "99999999999999999999"},
        {"group": "1.5"},
    ],
)
def test_list_with_garbage_parameters(client_admin_a, org_a, vehicle_a1, query):
    assert client_admin_a.get(url("list", org_a), query).status_code == 200
    assert (
        client_admin_a.get(
            url("list", org_a), query, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="vehicle-results"
        ).status_code
        == 200
    )


def test_unknown_ids_are_404(client_admin_a, org_a):
    for name in (
        "detail",
        "edit",
        "retire",
        "reactivate",
        "km_add",
        "km_history",
        "photos_add",
        "condition_create",
        "condition_list",
        "condition_photos_add",
        "vehicle_photo_delete",
        "damage_photo_delete",
        "damage_create",
        "condition_detail",
        "damage_detail",
        "damage_edit",
        "damage_status",
        "damage_photos_add",
        "group_edit",
        "group_photo",
        "vehicle_photo",
        "damage_photo",
        "condition_photo_thumb",
    ):
        for pk in (0, 99999999, 99999999999999999999):
            assert client_admin_a.get(url(name, org_a, pk=pk)).status_code == 404, (name, pk)
            assert client_admin_a.post(url(name, org_a, pk=pk), {}).status_code == 404, (name, pk)


def test_km_history_with_garbage_page(client_admin_a, org_a, vehicle_a1):
    for page in ("abc", "-1", "99999"):
        assert client_admin_a.get(url("km_history", org_a, pk=vehicle_a1.pk), {"page": page}).status_code == 200


def test_a_damage_cannot_be_reported_in_the_future(client_admin_a, org_a, vehicle_a1):
    import datetime as dt

    from django.utils import timezone

    client_admin_a.cookies["django_language"] = "en"
    tomorrow = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client_admin_a.post(
        url("damage_create", org_a, pk=vehicle_a1.pk),
        {
            "area": "left",
            "severity": "minor",
            "description": "Delle",
            "source": "staff",
            "reported_at": tomorrow,
        },
    )
    assert response.status_code == 200
    assert "cannot be reported in the future" in response.content.decode()
    with scope(organization=org_a):
        assert not Damage.objects.exists()

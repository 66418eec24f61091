import pytest
from django.urls import reverse

from tests.actors import admin_of, membership_of
from tests.conftest import in_scope
from vehicles.models import Damage, KmReading, Vehicle, VehiclePhoto
from vehicles.services import damage_create, vehicle_photos_add, vehicle_retire

from .conftest import grant, jpeg_upload, make_vehicle

pytestmark = pytest.mark.django_db


def url(name, org, **kwargs):
    return reverse(f"vehicles:{name}", kwargs={"org_slug": org.slug, **kwargs})


def _photo(vehicle):
    from rentoffice.images import process_image

    return vehicle_photos_add(vehicle=vehicle, actor=admin_of(vehicle), photos=[process_image(jpeg_upload())])[0]


# --- station scope and outsiders ---


def test_station_staff_see_only_their_stations_vehicles(
    client_staff_a1, org_a, vehicle_a1, vehicle_a2, station_a1, station_a2, group_a
):
    visiting = make_vehicle(org_a, station_a2, group_a, plate="A-VI 1", current_station=station_a1)
    page = client_staff_a1.get(url("list", org_a)).content.decode()
    assert "M-AB 1234" in page
    assert "A-VI 1" in page  # home elsewhere, but standing at the staff's station
    assert "A-XY 99" not in page
    assert client_staff_a1.get(url("detail", org_a, pk=visiting.pk)).status_code == 200


@in_scope()
def test_station_staff_get_404_for_other_stations_objects(client_staff_a1, client_staff_a2, org_a, vehicle_a2):
    from rentoffice.images import process_image
    from vehicles.services import condition_record_create

    photo = _photo(vehicle_a2)
    damage = damage_create(
        vehicle=vehicle_a2,
        actor=admin_of(vehicle_a2),
        damage=Damage(area="left", description="Kratzer"),
        photos=[process_image(jpeg_upload())],
    )
    record = condition_record_create(
        vehicle=vehicle_a2, actor=admin_of(vehicle_a2), photos=[process_image(jpeg_upload())]
    )
    damage_photo, condition_photo = damage.photos.get(), record.photos.get()
    checks = [
        ("detail", vehicle_a2.pk),
        ("edit", vehicle_a2.pk),
        ("km_add", vehicle_a2.pk),
        ("km_history", vehicle_a2.pk),
        ("retire", vehicle_a2.pk),
        ("photos_add", vehicle_a2.pk),
        ("condition_create", vehicle_a2.pk),
        ("damage_create", vehicle_a2.pk),
        ("damage_detail", damage.pk),
        ("damage_edit", damage.pk),
        ("damage_status", damage.pk),
        ("damage_photos_add", damage.pk),
        ("condition_detail", record.pk),
        ("vehicle_photo", photo.pk),
        ("vehicle_photo_thumb", photo.pk),
        ("damage_photo", damage_photo.pk),
        ("damage_photo_thumb", damage_photo.pk),
        ("condition_photo", condition_photo.pk),
        ("condition_photo_thumb", condition_photo.pk),
    ]
    for name, pk in checks:
        assert client_staff_a1.get(url(name, org_a, pk=pk)).status_code == 404, name
        # ... while the staff of the vehicle's own station open every one of them.
        assert client_staff_a2.get(url(name, org_a, pk=pk)).status_code == 200, name


def test_outsiders_get_404(client_admin_b, org_a, org_b, vehicle_a1):
    photo = _photo(vehicle_a1)
    for org in (org_a, org_b):
        for name, pk in [("detail", vehicle_a1.pk), ("vehicle_photo", photo.pk), ("edit", vehicle_a1.pk)]:
            assert client_admin_b.get(url(name, org, pk=pk)).status_code == 404
    assert client_admin_b.get(url("list", org_a)).status_code == 404


def test_photos_are_served_only_through_the_checked_view(client_admin_a, org_a, vehicle_a1, settings):
    photo = _photo(vehicle_a1)
    response = client_admin_a.get(url("vehicle_photo", org_a, pk=photo.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    page = client_admin_a.get(url("detail", org_a, pk=vehicle_a1.pk)).content.decode()
    assert url("vehicle_photo_thumb", org_a, pk=photo.pk) in page
    assert settings.MEDIA_URL not in page


# --- list: search, filters, sorting ---


@pytest.mark.parametrize("query", ["M-AB", "ab 12", "mab1234", "AW0000", "volks", "golf"])
def test_search_finds_partial_matches(client_admin_a, org_a, vehicle_a1, vehicle_a2, query):
    page = client_admin_a.get(url("list", org_a), {"q": query}).content.decode()
    assert "M-AB 1234" in page
    assert "A-XY 99" not in page or query in ("volks", "golf")


@in_scope()
def test_filters_and_htmx_partial(client_admin_a, org_a, station_a2, vehicle_a1, vehicle_a2):
    response = client_admin_a.get(
        url("list", org_a), {"station": station_a2.pk}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="vehicle-results"
    )
    body = response.content.decode()
    assert "A-XY 99" in body and "M-AB 1234" not in body
    assert "<html" not in body  # only the results part
    vehicle_a2.status = Vehicle.Status.WORKSHOP
    vehicle_a2.save()
    body = client_admin_a.get(url("list", org_a), {"status": "workshop"}).content.decode()
    assert "A-XY 99" in body and "M-AB 1234" not in body


def test_sorting(client_admin_a, org_a, vehicle_a1, vehicle_a2):
    body = client_admin_a.get(url("list", org_a), {"sort": "-plate"}).content.decode()
    assert body.index("M-AB 1234") < body.index("A-XY 99")
    body = client_admin_a.get(url("list", org_a), {"sort": "plate"}).content.decode()
    assert body.index("A-XY 99") < body.index("M-AB 1234")


# --- create, edit, plate uniqueness, VIN, retire ---


def _form_data(station, group, **overrides):
    data = {
        "plate": "m ab 777",
        "vin": "",
        "make": "Škoda",
        "model": "Octavia",
        "variant": "",
        "group": group.pk,
        "home_station": station.pk,
        "current_station": station.pk,
        "first_registration": "2024-03-01",
        "fuel_type": "diesel",
        "transmission": "manual",
        "seats": 5,
        "fuel_level": 8,
        "status": "available",
        "status_reason": "",
        "next_inspection": "2027-03-01",
        "notes": "",
        "initial_km": 12000,
    }
    data.update(overrides)
    return data


@in_scope()
def test_create_vehicle_normalises_plate_and_starts_km_history(client_staff_a1, org_a, station_a1, group_a, staff_a1):
    response = client_staff_a1.post(url("create", org_a), _form_data(station_a1, group_a))
    assert response.status_code == 302
    vehicle = Vehicle.objects.get(organization=org_a, plate="M-AB 777")
    assert vehicle.current_km == 12000
    reading = vehicle.km_readings.get()
    assert (reading.km, reading.source, reading.recorded_by) == (12000, "staff", staff_a1)


@in_scope()
def test_plate_must_be_unique_among_active_vehicles(
    client_admin_a, org_a, org_b, station_a1, group_a, vehicle_a1, station_b1, group_b
):
    response = client_admin_a.post(url("create", org_a), _form_data(station_a1, group_a, plate="m-ab  1234"))
    assert response.status_code == 200
    assert Vehicle.objects.filter(organization=org_a, plate="M-AB 1234").count() == 1
    assert "plate" in response.context["form"].errors
    # another organization may have the same plate
    make_vehicle(org_b, station_b1, group_b, plate="M-AB 1234")
    # once retired, the plate is free again and both vehicles keep existing
    vehicle_retire(vehicle=vehicle_a1, actor=admin_of(vehicle_a1), reason="verkauft")
    response = client_admin_a.post(url("create", org_a), _form_data(station_a1, group_a, plate="M-AB 1234"))
    assert response.status_code == 302
    assert Vehicle.objects.filter(organization=org_a, plate="M-AB 1234").count() == 2


@in_scope()
def test_vin_is_checked(client_admin_a, org_a, station_a1, group_a):
    response = client_admin_a.post(url("create", org_a), _form_data(station_a1, group_a, vin="WVWZZZ1KZAW00000I"))
    assert response.status_code == 200
    assert "vin" in response.context["form"].errors
    response = client_admin_a.post(url("create", org_a), _form_data(station_a1, group_a, vin="WVWZZZ1KZ"))
    assert "vin" in response.context["form"].errors
    # a wrong check digit is only a warning (common on European VINs)
    response = client_admin_a.post(
        url("create", org_a), _form_data(station_a1, group_a, vin="wvwzzz1kzaw000001"), follow=True
    )
    assert Vehicle.objects.get(plate="M-AB 777").vin == "WVWZZZ1KZAW000001"
    assert any(m.level_tag == "warning" for m in response.context["messages"])


def test_form_cannot_use_other_organizations_stations(client_admin_a, org_a, station_a1, station_b1, group_a):
    response = client_admin_a.post(url("create", org_a), _form_data(station_a1, group_a, home_station=station_b1.pk))
    assert response.status_code == 200 and "home_station" in response.context["form"].errors


@in_scope()
def test_retire_keeps_the_history(client_admin_a, org_a, vehicle_a1):
    damage_create(vehicle=vehicle_a1, actor=admin_of(vehicle_a1), damage=Damage(area="front", description="Delle"))
    response = client_admin_a.post(url("retire", org_a, pk=vehicle_a1.pk), {"reason": "Totalschaden"})
    assert response.status_code == 302
    vehicle_a1.refresh_from_db()
    assert vehicle_a1.status == "retired" and vehicle_a1.retired_at and vehicle_a1.status_reason == "Totalschaden"
    assert vehicle_a1.km_readings.count() == 1 and vehicle_a1.damages.count() == 1
    assert "M-AB 1234" not in client_admin_a.get(url("list", org_a)).content.decode()
    assert "M-AB 1234" in client_admin_a.get(url("list", org_a), {"status": "retired"}).content.decode()
    page = client_admin_a.get(url("detail", org_a, pk=vehicle_a1.pk)).content.decode()
    assert "Delle" in page
    with pytest.raises(Exception):  # noqa: B017 - the database refuses to delete a vehicle with history
        Vehicle.objects.filter(pk=vehicle_a1.pk).delete()


def test_retire_needs_a_reason(client_admin_a, org_a, vehicle_a1):
    assert client_admin_a.post(url("retire", org_a, pk=vehicle_a1.pk), {"reason": ""}).status_code == 200
    vehicle_a1.refresh_from_db()
    assert vehicle_a1.status == "available"


def test_edit_cannot_retire_or_touch_km(client_admin_a, org_a, vehicle_a1, station_a1, group_a):
    data = _form_data(station_a1, group_a, plate="M-AB 1234", status="retired", current_km=5)
    response = client_admin_a.post(url("edit", org_a, pk=vehicle_a1.pk), data)
    assert response.status_code == 200 and "status" in response.context["form"].errors
    data["status"] = "workshop"
    data["status_reason"] = "Bremsen"
    assert client_admin_a.post(url("edit", org_a, pk=vehicle_a1.pk), data).status_code == 302
    vehicle_a1.refresh_from_db()
    assert (vehicle_a1.status, vehicle_a1.status_reason, vehicle_a1.current_km) == ("workshop", "Bremsen", 1000)


# --- km readings through the page ---


def test_km_form_refuses_lower_reading_and_admin_overrides(client_staff_a1, client_admin_a, org_a, vehicle_a1):
    response = client_staff_a1.post(
        url("km_add", org_a, pk=vehicle_a1.pk), {"km": 500, "recorded_at": _now_local(), "note": ""}
    )
    assert response.status_code == 200
    assert "km" in response.context["form"].errors
    assert "override_reason" not in response.context["form"].fields  # staff lack the permission
    response = client_admin_a.post(
        url("km_add", org_a, pk=vehicle_a1.pk), {"km": 500, "note": "", "recorded_at": _now_local()}
    )
    assert response.status_code == 200 and response.context["needs_override"]
    response = client_admin_a.post(
        url("km_add", org_a, pk=vehicle_a1.pk),
        {"km": 500, "note": "", "recorded_at": _now_local(), "override_reason": "Tacho getauscht"},
    )
    assert response.status_code == 302
    vehicle_a1.refresh_from_db()
    assert vehicle_a1.current_km == 500


@in_scope()
def test_km_form_asks_to_confirm_a_large_jump(client_staff_a1, org_a, vehicle_a1):
    data = {"km": 90_000, "note": "", "recorded_at": _now_local()}
    response = client_staff_a1.post(url("km_add", org_a, pk=vehicle_a1.pk), data)
    assert response.status_code == 200 and response.context["needs_confirmation"]
    assert 'name="confirm_implausible"' in response.content.decode()
    response = client_staff_a1.post(url("km_add", org_a, pk=vehicle_a1.pk), {**data, "confirm_implausible": "on"})
    assert response.status_code == 302
    assert KmReading.objects.filter(vehicle=vehicle_a1, km=90_000, implausible_confirmed=True).exists()


def _today():
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _now_local():
    from django.utils import timezone

    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


# --- damages ---


@in_scope()
def test_damage_with_position_and_photos_shows_as_marker(client_staff_a1, org_a, vehicle_a1):
    response = client_staff_a1.post(
        url("damage_create", org_a, pk=vehicle_a1.pk),
        {
            "view": "left",
            "x": "30.5",
            "y": "42.25",
            "area": "left",
            "severity": "medium",
            "description": "Kratzer Fahrertür",
            "source": "staff",
            "reported_at": _now_local(),
            "notes": "",
            "photos": [jpeg_upload("a.jpg"), jpeg_upload("b.png")],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    damage = Damage.objects.get(vehicle=vehicle_a1)
    assert (damage.view, float(damage.x), float(damage.y), damage.status) == ("left", 30.5, 42.25, "open")
    assert damage.photos.count() == 2
    assert damage.status_changes.get().status == "open"
    page = client_staff_a1.get(url("detail", org_a, pk=vehicle_a1.pk)).content.decode()
    assert 'data-testid="damage-marker"' in page
    assert url("damage_detail", org_a, pk=damage.pk) in page
    # left box: x 10 + 30.5% of 100, y 110 + 42.25% of 340 (dot decimals even in German)
    assert 'cx="40.5" cy="253.7"' in page


def test_damage_upload_of_a_bad_file_is_refused_politely(client_staff_a1, org_a, vehicle_a1):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("scratch.jpg", b"MZ\x90\x00" + b"\x00" * 200, content_type="image/jpeg")
    response = client_staff_a1.post(
        url("damage_create", org_a, pk=vehicle_a1.pk),
        {
            "area": "left",
            "severity": "minor",
            "description": "x",
            "source": "staff",
            "reported_at": _now_local(),
            "photos": [bad],
        },
    )
    assert response.status_code == 200
    assert "scratch.jpg" in str(response.context["form"].errors["photos"])
    assert not Damage.objects.exists()


def test_incomplete_position_is_refused(client_staff_a1, org_a, vehicle_a1):
    response = client_staff_a1.post(
        url("damage_create", org_a, pk=vehicle_a1.pk),
        {
            "view": "left",
            "area": "left",
            "severity": "minor",
            "description": "x",
            "source": "staff",
            "reported_at": _now_local(),
        },
    )
    assert response.status_code == 200 and not Damage.objects.exists()


@in_scope()
def test_damage_status_history(client_staff_a1, org_a, vehicle_a1, staff_a1):
    damage = damage_create(
        vehicle=vehicle_a1,
        actor=membership_of(staff_a1, vehicle_a1),
        damage=Damage(area="rear", description="Delle", view="rear", x=50, y=50),
    )
    response = client_staff_a1.post(
        url("damage_status", org_a, pk=damage.pk), {"status": "repaired", "date": _today(), "note": "Auftrag 4711"}
    )
    assert response.status_code == 302
    damage.refresh_from_db()
    assert damage.status == "repaired"
    assert [c.status for c in damage.status_changes.all()] == ["open", "repaired"]
    page = client_staff_a1.get(url("detail", org_a, pk=vehicle_a1.pk)).content.decode()
    assert 'data-testid="damage-marker"' not in page  # repaired damages leave the sketch
    assert "Auftrag 4711" in client_staff_a1.get(url("damage_detail", org_a, pk=damage.pk)).content.decode()


# --- condition records, groups ---


@in_scope()
def test_condition_record_with_photos(client_staff_a1, org_a, vehicle_a1):
    response = client_staff_a1.post(
        url("condition_create", org_a, pk=vehicle_a1.pk),
        {"km": 1000, "note": "sauber", "photos": [jpeg_upload(), jpeg_upload()]},
    )
    assert response.status_code == 302
    record = vehicle_a1.condition_records.get()
    assert record.photos.count() == 2 and record.km == 1000
    page = client_staff_a1.get(response.url).content.decode()
    assert "sauber" in page
    response = client_staff_a1.post(url("condition_create", org_a, pk=vehicle_a1.pk), {"km": "", "note": ""})
    assert response.status_code == 200 and vehicle_a1.condition_records.count() == 1


@in_scope()
def test_vehicle_group_with_photo(client_admin_a, client_admin_b, org_a, org_b, admin_a):
    grant(admin_a, org_a, "vehicles.groups")
    response = client_admin_a.post(
        url("group_create", org_a),
        {"name": "Kombi", "code": "kombi", "description": "", "sort_order": 5, "new_photo": jpeg_upload()},
    )
    assert response.status_code == 302
    from vehicles.models import VehicleGroup

    group = VehicleGroup.objects.get(organization=org_a, code="KOMBI")
    assert group.photo and group.photo_thumbnail
    assert client_admin_a.get(url("group_photo_thumb", org_a, pk=group.pk)).status_code == 200
    assert client_admin_b.get(url("group_photo", org_b, pk=group.pk)).status_code == 404
    response = client_admin_a.post(
        url("group_create", org_a), {"name": "Kombi 2", "code": "KOMBI", "description": "", "sort_order": 5}
    )
    assert response.status_code == 200 and "code" in response.context["form"].errors  # code already used


@in_scope()
def test_vehicle_photo_upload(client_staff_a1, org_a, vehicle_a1):
    response = client_staff_a1.post(
        url("photos_add", org_a, pk=vehicle_a1.pk), {"photos": [jpeg_upload()], "caption": "Front"}
    )
    assert response.status_code == 302
    assert VehiclePhoto.objects.get(vehicle=vehicle_a1).caption == "Front"


def test_pages_render_in_english(client_admin_a, org_a, vehicle_a1):
    client_admin_a.cookies["django_language"] = "en"
    page = client_admin_a.get(url("detail", org_a, pk=vehicle_a1.pk)).content.decode()
    assert "Km history" in page
    client_admin_a.cookies["django_language"] = "de"
    page = client_admin_a.get(url("detail", org_a, pk=vehicle_a1.pk)).content.decode()
    assert "Km-Verlauf" in page


def test_station_staff_hand_over_to_another_station_but_keep_homes_their_own(
    client_staff_a1, org_a, station_a1, station_a2, group_a, vehicle_a1
):
    data = _form_data(station_a1, group_a, plate="M-AB 1234", home_station=station_a2.pk)
    response = client_staff_a1.post(url("edit", org_a, pk=vehicle_a1.pk), data)
    assert response.status_code == 200 and "home_station" in response.context["form"].errors
    data.update(home_station=station_a1.pk, current_station=station_a2.pk, fuel_level=3)
    assert client_staff_a1.post(url("edit", org_a, pk=vehicle_a1.pk), data).status_code == 302
    vehicle_a1.refresh_from_db()
    assert (vehicle_a1.current_station, vehicle_a1.fuel_level) == (station_a2, 3)
    assert client_staff_a1.get(url("detail", org_a, pk=vehicle_a1.pk)).status_code == 200  # still their home


@in_scope()
def test_reactivate_only_when_the_plate_is_free(client_admin_a, org_a, station_a1, group_a, vehicle_a1):
    vehicle_retire(vehicle=vehicle_a1, actor=admin_of(vehicle_a1), reason="verkauft")
    successor = make_vehicle(org_a, station_a1, group_a, plate="M-AB 1234")
    response = client_admin_a.post(url("reactivate", org_a, pk=vehicle_a1.pk), follow=True)
    vehicle_a1.refresh_from_db()
    assert vehicle_a1.is_retired
    assert any(m.level_tag == "error" for m in response.context["messages"])
    vehicle_retire(vehicle=successor, actor=admin_of(successor), reason="Unfall")
    client_admin_a.post(url("reactivate", org_a, pk=vehicle_a1.pk))
    vehicle_a1.refresh_from_db()
    assert vehicle_a1.status == "available" and vehicle_a1.retired_at is None


def test_damage_edit_moves_the_mark(client_staff_a1, org_a, vehicle_a1):
    damage = damage_create(
        vehicle=vehicle_a1, actor=admin_of(vehicle_a1), damage=Damage(area="left", description="Kratzer")
    )
    assert client_staff_a1.get(url("damage_edit", org_a, pk=damage.pk)).status_code == 200
    response = client_staff_a1.post(
        url("damage_edit", org_a, pk=damage.pk),
        {
            "view": "top",
            "x": "50",
            "y": "10",
            "area": "front",
            "severity": "major",
            "description": "Kratzer, tief",
            "source": "staff",
            "reported_at": _now_local(),
            "notes": "",
        },
    )
    assert response.status_code == 302
    damage.refresh_from_db()
    assert (damage.view, damage.area, damage.severity, damage.description) == ("top", "front", "major", "Kratzer, tief")


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_fleet_page_renders(client_admin_a, org_a, vehicle_a1, group_a, language, staff_a1):
    from rentoffice.images import process_image
    from vehicles.services import condition_record_create

    client_admin_a.cookies["django_language"] = language
    damage = damage_create(
        vehicle=vehicle_a1,
        actor=membership_of(staff_a1, vehicle_a1),
        damage=Damage(area="left", description="Kratzer", view="left", x=1, y=2),
    )
    record = condition_record_create(
        vehicle=vehicle_a1, actor=membership_of(staff_a1, vehicle_a1), note="ok", photos=[process_image(jpeg_upload())]
    )
    pages = [
        url("list", org_a),
        url("create", org_a),
        url("group_list", org_a),
        url("group_create", org_a),
        url("group_edit", org_a, pk=group_a.pk),
    ]
    pages += [
        url(name, org_a, pk=vehicle_a1.pk)
        for name in (
            "detail",
            "edit",
            "retire",
            "km_add",
            "km_history",
            "photos_add",
            "condition_create",
            "damage_create",
        )
    ]
    pages += [
        url(name, org_a, pk=damage.pk)
        for name in ("damage_detail", "damage_edit", "damage_status", "damage_photos_add")
    ]
    pages += [
        url("condition_detail", org_a, pk=record.pk),
        reverse("activity_all", kwargs={"org_slug": org_a.slug, "kind": "vehicle", "pk": vehicle_a1.pk}),
    ]
    for page in pages:
        response = client_admin_a.get(page)
        assert response.status_code == 200, page
        assert f'lang="{language}"' in response.content.decode()

"""Condition records: all of them reachable from the vehicle page, photos added afterwards."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rentoffice.images import process_image
from tests.actors import admin_of
from tests.conftest import in_scope
from vehicles.services import condition_record_create

from .conftest import jpeg_upload

pytestmark = pytest.mark.django_db


def url(name, org, **kwargs):
    return reverse(f"vehicles:{name}", kwargs={"org_slug": org.slug, **kwargs})


def test_older_records_are_on_the_full_list(client_staff_a1, org_a, vehicle_a1, django_assert_max_num_queries):
    photo = process_image(jpeg_upload())
    for i in range(10):
        condition_record_create(vehicle=vehicle_a1, actor=admin_of(vehicle_a1), note=f"Runde {i:02d}", photos=[photo])
    detail = client_staff_a1.get(url("detail", org_a, pk=vehicle_a1.pk)).content.decode()
    assert "condition-show-all" not in detail  # all ten are on the page
    for i in range(10, 60):
        condition_record_create(
            vehicle=vehicle_a1, actor=admin_of(vehicle_a1), note=f"Runde {i:02d}", photos=[photo, photo]
        )
    detail = client_staff_a1.get(url("detail", org_a, pk=vehicle_a1.pk)).content.decode()
    assert "condition-show-all" in detail
    assert "Runde 59" in detail and "Runde 49" not in detail  # the newest ten
    list_url = url("condition_list", org_a, pk=vehicle_a1.pk)
    client_staff_a1.get(list_url)
    with CaptureQueriesContext(connection) as first:
        page_one = client_staff_a1.get(list_url).content.decode()
    assert "Runde 59" in page_one and "Runde 35" in page_one and "Runde 34" not in page_one
    with django_assert_max_num_queries(len(first.captured_queries)):
        page_three = client_staff_a1.get(list_url, {"page": 3}).content.decode()
    assert "Runde 00" in page_three and "Runde 10" not in page_three
    assert client_staff_a1.get(list_url, {"page": "abc"}).status_code == 200


@in_scope()
def test_photos_added_to_a_record_afterwards(client_staff_a1, client_staff_a2, client_admin_b, org_a, vehicle_a1):
    record = condition_record_create(vehicle=vehicle_a1, actor=admin_of(vehicle_a1), note="Sauber", photos=[])
    add_url = url("condition_photos_add", org_a, pk=record.pk)
    assert add_url in client_staff_a1.get(url("condition_detail", org_a, pk=record.pk)).content.decode()
    assert client_staff_a1.get(add_url).status_code == 200
    response = client_staff_a1.post(add_url, {"photos": [jpeg_upload(), jpeg_upload("b.jpg")]})
    assert response.status_code == 302 and response.url == url("condition_detail", org_a, pk=record.pk)
    assert record.photos.count() == 2
    response = client_staff_a1.post(add_url, {})
    assert response.status_code == 200 and record.photos.count() == 2
    for client in (client_staff_a2, client_admin_b):
        assert client.post(add_url, {"photos": [jpeg_upload()]}).status_code == 404
    assert client_staff_a2.get(url("condition_list", org_a, pk=vehicle_a1.pk)).status_code == 404
    assert record.photos.count() == 2


def test_a_condition_record_km_goes_through_the_km_rules(client_staff_a1, org_a, station_a1, group_a):
    from django_scopes import scope, scopes_disabled

    from vehicles.models import ConditionRecord, KmReading

    from .conftest import make_vehicle

    with scopes_disabled():
        vehicle = make_vehicle(org_a, station_a1, group_a, km=12_650)
    target = url("condition_create", org_a, pk=vehicle.pk)
    client_staff_a1.cookies["django_language"] = "de"
    response = client_staff_a1.post(target, {"km": "12000", "note": "Kratzer hinten"})
    assert response.status_code == 200
    assert "unter dem letzten Stand" in " ".join(response.context["form"].errors["km"])
    with scope(organization=org_a):
        assert not ConditionRecord.objects.filter(vehicle=vehicle).exists()
    response = client_staff_a1.post(target, {"km": "12700", "note": "Sauber"})
    assert response.status_code == 302
    with scope(organization=org_a):
        record = ConditionRecord.objects.get(vehicle=vehicle)
        reading = KmReading.objects.filter(vehicle=vehicle).order_by("-recorded_at").first()
        vehicle.refresh_from_db()
    assert (reading.km, reading.source, record.km_reading_id) == (12_700, "condition", reading.pk)
    assert vehicle.current_km == 12_700


def test_an_implausible_condition_km_asks_for_confirmation(client_staff_a1, org_a, station_a1, group_a):
    from django_scopes import scope, scopes_disabled

    from vehicles.models import ConditionRecord

    from .conftest import make_vehicle

    with scopes_disabled():
        vehicle = make_vehicle(org_a, station_a1, group_a, km=1000)  # read 30 days ago
    target = url("condition_create", org_a, pk=vehicle.pk)
    response = client_staff_a1.post(target, {"km": "900000", "note": "x"})
    assert response.status_code == 200 and response.context["needs_confirmation"]
    assert 'name="confirm_implausible"' in response.content.decode()
    response = client_staff_a1.post(target, {"km": "900000", "note": "x", "confirm_implausible": "on"})
    assert response.status_code == 302
    with scope(organization=org_a):
        assert ConditionRecord.objects.get(vehicle=vehicle).km_reading.implausible_confirmed

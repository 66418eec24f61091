"""The vehicle list and the vehicle page need the same number of queries for 1x and 3x the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rentoffice.images import process_image
from tests.actors import membership_of
from tests.conftest import in_scope
from vehicles.models import Damage
from vehicles.services import condition_record_create, damage_create, km_reading_record, vehicle_photos_add

from .conftest import jpeg_upload, make_vehicle

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    client.get(url)  # warm per-process caches (content types, ...) so only the page's own queries count
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_vehicle_list_queries_do_not_grow(
    client_staff_a1, org_a, station_a1, station_a2, group_a, django_assert_max_num_queries
):
    url = reverse("vehicles:list", kwargs={"org_slug": org_a.slug})

    def add(n):
        for _ in range(n):
            make_vehicle(org_a, station_a1, group_a, current_station=station_a2)

    add(5)
    few = _count(client_staff_a1, url)
    add(10)
    assert _count(client_staff_a1, url) == few
    with django_assert_max_num_queries(few):
        client_staff_a1.get(url, {"q": "golf", "sort": "-km"})


@in_scope()
def test_vehicle_page_queries_do_not_grow(
    client_staff_a1, org_a, station_a1, group_a, staff_a1, django_assert_max_num_queries
):
    vehicle = make_vehicle(org_a, station_a1, group_a)
    photo = process_image(jpeg_upload())
    url = reverse("vehicles:detail", kwargs={"org_slug": org_a.slug, "pk": vehicle.pk})

    def add(n):
        for i in range(n):
            damage_create(
                vehicle=vehicle,
                actor=membership_of(staff_a1, vehicle),
                photos=[photo, photo],
                damage=Damage(area="left", description=f"Kratzer {i}", view="left", x=10 + i, y=20),
            )
            condition_record_create(
                vehicle=vehicle, actor=membership_of(staff_a1, vehicle), photos=[photo, photo], note="ok"
            )
            vehicle_photos_add(vehicle=vehicle, actor=membership_of(staff_a1, vehicle), photos=[photo])
            km_reading_record(
                vehicle=vehicle, km=vehicle.current_km + 10, source="checkin", actor=membership_of(staff_a1, vehicle)
            )

    add(2)
    few = _count(client_staff_a1, url)
    add(6)
    with django_assert_max_num_queries(few):
        response = client_staff_a1.get(url)
    assert response.content.decode().count('data-testid="damage-marker"') == 8


@in_scope()
def test_damage_page_queries_do_not_grow(
    client_staff_a1, org_a, station_a1, group_a, staff_a1, django_assert_max_num_queries
):
    from vehicles.services import damage_photos_add, damage_status_set

    vehicle = make_vehicle(org_a, station_a1, group_a)
    photo = process_image(jpeg_upload())
    damage = damage_create(
        vehicle=vehicle,
        actor=membership_of(staff_a1, vehicle),
        photos=[photo],
        damage=Damage(area="left", description="Kratzer", view="left", x=10, y=20),
    )
    url = reverse("vehicles:damage_detail", kwargs={"org_slug": org_a.slug, "pk": damage.pk})

    def add(n):
        for i in range(n):
            damage_photos_add(damage=damage, actor=membership_of(staff_a1, damage), photos=[photo])
            damage_status_set(
                damage=damage,
                actor=membership_of(staff_a1, damage),
                status="in_repair" if i % 2 else "open",
                note=f"#{i}",
            )
            damage_create(
                vehicle=vehicle,
                actor=membership_of(staff_a1, vehicle),
                damage=Damage(area="rear", description=f"Delle {i}", view="rear", x=5, y=5),
            )

    add(2)
    few = _count(client_staff_a1, url)
    add(6)
    with django_assert_max_num_queries(few):
        response = client_staff_a1.get(url)
    assert response.content.decode().count('data-testid="photo-delete"') == 9


@in_scope()
def test_condition_record_and_km_history_queries_do_not_grow(
    client_staff_a1, org_a, station_a1, group_a, staff_a1, django_assert_max_num_queries
):
    vehicle = make_vehicle(org_a, station_a1, group_a)
    photo = process_image(jpeg_upload())
    record = condition_record_create(vehicle=vehicle, actor=membership_of(staff_a1, vehicle), photos=[photo], note="ok")
    record_url = reverse("vehicles:condition_detail", kwargs={"org_slug": org_a.slug, "pk": record.pk})
    history_url = reverse("vehicles:km_history", kwargs={"org_slug": org_a.slug, "pk": vehicle.pk})

    def add(n):
        from vehicles.models import ConditionPhoto

        for _ in range(n):
            extra = ConditionPhoto(organization=org_a, record=record, uploaded_by=staff_a1)
            extra.set_processed(photo)
            extra.save()
            km_reading_record(vehicle=vehicle, km=vehicle.current_km + 10, source="portal", actor=None)
            km_reading_record(
                vehicle=vehicle, km=vehicle.current_km + 10, source="checkin", actor=membership_of(staff_a1, vehicle)
            )

    add(2)
    few_record, few_history = _count(client_staff_a1, record_url), _count(client_staff_a1, history_url)
    add(6)
    with django_assert_max_num_queries(few_record):
        client_staff_a1.get(record_url)
    with django_assert_max_num_queries(few_history):
        response = client_staff_a1.get(history_url)
    assert response.content.decode().count("<tr>") == 1 + 1 + 16  # header, the first reading, 16 new ones


def test_group_list_queries_do_not_grow(client_staff_a1, org_a, station_a1, django_assert_max_num_queries):
    from vehicles.models import VehicleGroup

    url = reverse("vehicles:group_list", kwargs={"org_slug": org_a.slug})

    def add(n, start):
        for i in range(start, start + n):
            group = VehicleGroup.objects.create(organization=org_a, name=f"Gruppe {i}", code=f"G{i}")
            make_vehicle(org_a, station_a1, group)

    add(2, 0)
    few = _count(client_staff_a1, url)
    add(6, 2)
    with django_assert_max_num_queries(few):
        response = client_staff_a1.get(url)
    assert response.content.decode().count("Gruppe ") == 8

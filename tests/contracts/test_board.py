"""The planning board: bars in the right rows and columns, blocks, station scope, query count."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from contracts.models import Contract, VehicleBlock
from rentoffice.models import Station
from tests.conftest import data_helper
from tests.contracts.conftest import book
from tests.customers.conftest import make_customer
from tests.vehicles.conftest import make_vehicle
from vehicles.models import VehicleGroup

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
_numbers = {"n": 0}


def week_start() -> dt.date:
    """The Monday of a week two weeks ahead (the board's week view starts on Mondays)."""
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=14)


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(week_start() + dt.timedelta(days=day), dt.time(hour), tzinfo=BERLIN)


@data_helper
def contract_row(vehicle, customer, starts_at, ends_at, *, status="reserved", kind="rental", station=None, **fields):
    """A contract as the board reads it (the booking rules are the services' tests' subject)."""
    _numbers["n"] += 1
    station = station or vehicle.home_station
    return Contract.objects.create(
        organization=vehicle.organization,
        number=f"V-{_numbers['n']:05}",
        kind=kind,
        status=status,
        customer=customer,
        vehicle_group=vehicle.group,
        vehicle=vehicle,
        pickup_station=station,
        return_station=station,
        starts_at=starts_at,
        ends_at=ends_at,
        **fields,
    )


@data_helper
def block_row(vehicle, starts_at, ends_at, reason="Inspektion"):
    return VehicleBlock.objects.create(
        organization=vehicle.organization,
        vehicle=vehicle,
        kind="workshop",
        reason=reason,
        starts_at=starts_at,
        ends_at=ends_at,
    )


@pytest.fixture
def group(org_a):
    return VehicleGroup.objects.create(organization=org_a, name="Kleinwagen", code="KLEIN")


@pytest.fixture
def car1(org_a, station_a1, group):
    return make_vehicle(org_a, station_a1, group, plate="M-AA 1")


@pytest.fixture
def car2(org_a, station_a1, group):
    return make_vehicle(org_a, station_a1, group, plate="M-AA 2")


@pytest.fixture
def car_a2(org_a, station_a2, group):
    return make_vehicle(org_a, station_a2, group, plate="A-BB 7")


@pytest.fixture
def customer(org_a):
    return make_customer(org_a, first_name="Jürgen", last_name="Müller")


def board(client, org, **params):
    params.setdefault("day", week_start().isoformat())
    response = client.get(f"/o/{org.slug}/contracts/board/", params)
    assert response.status_code == 200
    return response.content.decode()


def row_html(html: str, plate: str) -> str:
    """The markup of the vehicle row whose plate is `plate`."""
    match = re.search(
        rf'<div class="board-row[^"]*"\s+data-vehicle="\d+" data-plate="{re.escape(plate)}">(.*?)</div>\s+</div>',
        html,
        re.S,
    )
    assert match, f"no row for {plate}"
    return match.group(1)


def test_bars_sit_in_their_vehicles_row_at_their_day_and_hour(client_admin_a, org_a, car1, car2, customer):
    # Tuesday 10:00 to Thursday 16:00: starts on day 1 at hour 10, lasts 2 days and 6 hours.
    contract = contract_row(car2, customer, at(1, 10), at(3, 16))
    html = board(client_admin_a, org_a)
    assert contract.number not in row_html(html, "M-AA 1")
    row = row_html(html, "M-AA 2")
    bar = re.search(r'<a class="board-bar ([^"]*)"[^>]*data-pk="(\d+)"', row)
    assert bar and int(bar.group(2)) == contract.pk
    classes = bar.group(1).split()
    assert {"bar-reserved", "bar-kind-rental", "bd-1", "bh-10", "wd-2", "wh-6", "lane-0"} <= set(classes)
    assert f"Jürgen Müller · {contract.number}" in row
    assert "data-draggable" in row  # a reservation may be dragged by staff who may change contracts


def test_running_contract_and_block_are_shown_and_not_draggable(client_admin_a, org_a, car1, customer):
    running = contract_row(car1, customer, at(0, 9), at(2, 9), status="checked_out", checked_out_at=at(0, 9))
    block = block_row(car1, at(4, 8), at(6, 18), reason="Bremsen")
    row = row_html(board(client_admin_a, org_a), "M-AA 1")
    assert re.search(rf'class="board-bar bar-checked_out[^"]*"[^>]*data-pk="{running.pk}"(?! data-draggable)', row)
    assert "Werkstatt: Bremsen" in row or "workshop: Bremsen" in row
    block_bar = re.search(rf'<a class="board-bar bar-block[^"]*"\s+href="([^"]+)"[^>]*data-pk="{block.pk}"', row)
    assert block_bar and block_bar.group(1) == f"/o/{org_a.slug}/vehicles/{car1.pk}/"


def test_month_view_has_a_column_per_day(client_admin_a, org_a, car1, customer):
    html = board(client_admin_a, org_a, view="month")
    days = (week_start().replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    assert f"days-{days.day}" in html
    assert len(re.findall(r'class="board-day[ "]', html)) == days.day


def test_station_staff_see_only_their_stations_vehicles(client_staff_a1, org_a, car1, car_a2, customer):
    contract_row(car_a2, customer, at(1), at(2))
    html = board(client_staff_a1, org_a)
    assert "M-AA 1" in html
    assert "A-BB 7" not in html


def test_other_stations_contract_on_a_visible_vehicle_shows_only_that_the_time_is_taken(
    client_staff_a1, org_a, station_a2, car1, customer
):
    foreign = contract_row(car1, customer, at(1), at(2), station=station_a2)
    row = row_html(board(client_staff_a1, org_a), "M-AA 1")
    assert "bar-hidden" in row
    assert foreign.number not in row
    assert "Müller" not in row


def test_cancelled_reservations_are_not_on_the_board(client_admin_a, org_a, car1, customer):
    cancelled = contract_row(car1, customer, at(1), at(2), status="cancelled")
    assert cancelled.number not in board(client_admin_a, org_a)


def test_filter_by_group(client_admin_a, org_a, station_a1, car1, group):
    other = VehicleGroup.objects.create(organization=org_a, name="Transporter", code="TRANS")
    make_vehicle(org_a, station_a1, other, plate="M-TR 9")
    html = board(client_admin_a, org_a, group=group.pk)
    assert "M-AA 1" in html and "M-TR 9" not in html


def test_query_count_does_not_grow_with_vehicles_and_contracts(client_admin_a, org_a, station_a1, group, customer):
    def fleet(count: int, start: int) -> None:
        for n in range(start, start + count):
            vehicle = make_vehicle(org_a, station_a1, group, plate=f"M-Q {n}")
            contract_row(vehicle, customer, at(1), at(2))
            contract_row(vehicle, customer, at(3), at(4), status="checked_in", checked_in_at=at(4))
            block_row(vehicle, at(5), at(6))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            board(client_admin_a, org_a)
        return len(captured)

    fleet(5, 0)
    queries()  # the first request of a session also fills caches
    small = queries()
    fleet(45, 5)
    assert queries() == small
    assert small <= 14  # session, user, membership, vehicles, contracts, blocks, filter choices


def move(client, org, contract, vehicle, days: int):
    return client.post(
        f"/o/{org.slug}/contracts/board/move/",
        {"contract": contract.pk, "vehicle": vehicle.pk, "days": days, "view": "week", "day": week_start().isoformat()},
        HTTP_HX_REQUEST="true",
    )


def test_dragging_a_reservation_to_a_free_vehicle_and_day_moves_it(
    client_admin_a, org_a, station_a1, car1, car2, customer
):
    reservation = book(customer, car1.group, station_a1, at(1, 10), at(2, 10), vehicle=car1)
    response = move(client_admin_a, org_a, reservation, car2, 2)
    assert response.status_code == 200
    html = response.content.decode()
    assert "alert-success" in html
    with scope(organization=org_a):
        reservation.refresh_from_db()
    assert reservation.vehicle_id == car2.pk
    assert reservation.starts_at == at(3, 10) and reservation.ends_at == at(4, 10)
    assert f'data-pk="{reservation.pk}"' in row_html(html, "M-AA 2")


def test_dragging_into_an_occupied_slot_is_refused_and_changes_nothing(
    client_admin_a, org_a, station_a1, car1, car2, customer
):
    reservation = book(customer, car1.group, station_a1, at(1, 10), at(2, 10), vehicle=car1)
    other = make_customer(org_a, first_name="Erika", last_name="Mustermann")
    taken = book(other, car2.group, station_a1, at(1, 8), at(3, 18), vehicle=car2)
    response = move(client_admin_a, org_a, reservation, car2, 0)
    assert response.status_code == 200
    html = response.content.decode()
    alert = re.search(r'<div class="alert alert-danger[^"]*">(.*?)</div>', html, re.S)
    # The refusal names the reservation and the contract holding the vehicle.
    assert alert and reservation.number in alert.group(1) and taken.number in alert.group(1)
    with scope(organization=org_a):
        reservation.refresh_from_db()
        taken.refresh_from_db()
    assert (reservation.vehicle_id, reservation.starts_at, reservation.ends_at) == (car1.pk, at(1, 10), at(2, 10))
    assert taken.vehicle_id == car2.pk
    assert f'data-pk="{reservation.pk}"' in row_html(html, "M-AA 1")


def test_moving_another_organizations_contract_is_404(client_admin_a, org_a, org_b, station_a1, car1, customer):
    from tests.vehicles.conftest import make_vehicle as vehicle_of

    with scopes_disabled():
        b1 = Station.objects.create(organization=org_b, name="B1", code="B1")
        group_b = VehicleGroup.objects.create(organization=org_b, name="Transporter", code="TRANS")
    car_b = vehicle_of(org_b, b1, group_b, plate="HH-B 1")
    foreign = book(make_customer(org_b, first_name="Ole", last_name="Hansen"), group_b, b1, at(1), at(2), vehicle=car_b)
    assert move(client_admin_a, org_a, foreign, car1, 1).status_code == 404
    with scope(organization=org_b):
        foreign.refresh_from_db()
    assert foreign.vehicle_id == car_b.pk and foreign.starts_at == at(1)


def test_station_staff_cannot_drag_onto_another_stations_vehicle(
    client_staff_a1, org_a, station_a1, car1, car_a2, customer
):
    reservation = book(customer, car1.group, station_a1, at(1), at(2), vehicle=car1)
    assert move(client_staff_a1, org_a, reservation, car_a2, 0).status_code == 404

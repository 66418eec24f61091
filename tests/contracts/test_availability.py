"""Which vehicles are offered: bookings, buffers, blocks, vehicle status, station, opening hours."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation
from django_scopes import scope

from contracts.models import ContractSettings, GroupBuffer
from contracts.services.availability import opening_hours_check, vehicles_available
from contracts.services.blocks import block_create, block_delete
from rentoffice.models import OpeningException, OpeningHours
from tests.actors import admin_of
from tests.conftest import data_helper
from tests.contracts.conftest import at, book
from tests.customers.conftest import make_customer
from tests.vehicles.conftest import make_vehicle
from vehicles.models import Vehicle

pytestmark = pytest.mark.django_db


def free(org, station, group, starts_at, ends_at, **kwargs):
    with scope(organization=org):
        return list(
            vehicles_available(
                organization=org, station=station, vehicle_group=group, starts_at=starts_at, ends_at=ends_at, **kwargs
            ).values_list("plate", flat=True)
        )


@data_helper
def weekday_hours(station, opens=dt.time(7), closes=dt.time(18), days=range(5)):
    for day in days:
        OpeningHours.objects.create(station=station, weekday=day, opens=opens, closes=closes)


def test_a_booked_vehicle_is_not_offered_for_an_overlapping_period(org_a, station_a1, group_a, car1, car2, customer_a):
    book(customer_a, group_a, station_a1, at(0), at(2), vehicle=car1)

    assert free(org_a, station_a1, group_a, at(1), at(3)) == ["M-AA 2"]
    assert free(org_a, station_a1, group_a, at(-2), at(0, 9)) == ["M-AA 1", "M-AA 2"]


def test_the_organization_buffer_keeps_the_vehicle_after_a_return(org_a, station_a1, group_a, car1, customer_a):
    book(customer_a, group_a, station_a1, at(0), at(2), vehicle=car1)  # returns at 10:00; default buffer 60 min

    assert free(org_a, station_a1, group_a, at(2, 10, 30), at(3)) == []
    assert free(org_a, station_a1, group_a, at(2, 11), at(3)) == ["M-AA 1"]


def test_the_new_booking_leaves_its_own_buffer_before_the_next_one(org_a, station_a1, group_a, car1, customer_a):
    book(customer_a, group_a, station_a1, at(2), at(3), vehicle=car1)

    # returning at 09:30 would leave only 30 minutes before the next pick-up at 10:00
    assert free(org_a, station_a1, group_a, at(0), at(2, 9, 30)) == []
    assert free(org_a, station_a1, group_a, at(0), at(2, 9)) == ["M-AA 1"]


def test_a_group_buffer_overrides_the_organization_buffer(org_a, station_a1, group_a, group_a_large, car1, customer_a):
    estate = make_vehicle(org_a, station_a1, group_a_large, plate="M-KO 1")
    with scope(organization=org_a):
        ContractSettings.objects.create(organization=org_a, buffer_minutes=15)
        GroupBuffer.objects.create(organization=org_a, vehicle_group=group_a_large, buffer_minutes=240)
    book(customer_a, group_a, station_a1, at(0), at(2), vehicle=car1, kind="rental")
    assert free(org_a, station_a1, group_a, at(2, 10, 15), at(3)) == ["M-AA 1"]

    internal = make_customer(org_a, last_name="Intern", is_internal=True)
    book(internal, group_a_large, station_a1, at(0), at(2), vehicle=estate)
    assert free(org_a, station_a1, group_a_large, at(2, 13), at(3)) == []
    assert free(org_a, station_a1, group_a_large, at(2, 14), at(3)) == ["M-KO 1"]


def test_a_block_takes_the_vehicle_until_it_is_deleted(org_a, station_a1, group_a, car1):
    with scope(organization=org_a):
        block = block_create(
            actor=admin_of(org_a), vehicle=car1, kind="workshop", reason="Bremsen", starts_at=at(0), ends_at=at(1)
        )
    assert free(org_a, station_a1, group_a, at(0, 12), at(0, 14)) == []
    assert free(org_a, station_a1, group_a, at(1), at(2)) == ["M-AA 1"]  # blocks carry no buffer

    with scope(organization=org_a):
        block_delete(actor=admin_of(org_a), block=block)
    assert free(org_a, station_a1, group_a, at(0, 12), at(0, 14)) == ["M-AA 1"]


@pytest.mark.parametrize("status", [Vehicle.Status.WORKSHOP, Vehicle.Status.RETIRED])
def test_vehicles_in_workshop_or_retired_are_never_offered(org_a, station_a1, group_a, car1, car2, status):
    with scope(organization=org_a):
        Vehicle.objects.filter(pk=car1.pk).update(status=status)
    assert free(org_a, station_a1, group_a, at(0), at(1)) == ["M-AA 2"]


def test_availability_is_at_the_vehicles_current_station(org_a, station_a1, station_a2, group_a, car1):
    away = make_vehicle(org_a, station_a1, group_a, plate="M-AA 3", current_station=station_a2)

    assert free(org_a, station_a1, group_a, at(0), at(1)) == ["M-AA 1"]
    assert free(org_a, station_a2, group_a, at(0), at(1)) == [away.plate]


def test_other_groups_and_other_organizations_are_not_offered(
    org_a, org_b, station_a1, station_b1, group_a, group_a_large, car1
):
    make_vehicle(org_a, station_a1, group_a_large, plate="M-KO 1")
    assert free(org_a, station_a1, group_a, at(0), at(1)) == ["M-AA 1"]
    assert free(org_a, station_a1, None, at(0), at(1)) == ["M-AA 1", "M-KO 1"]


def test_one_vehicle_asked_for_is_answered_alone(org_a, station_a1, group_a, car1, car2, customer_a):
    book(customer_a, group_a, station_a1, at(0), at(2), vehicle=car1)
    assert free(org_a, station_a1, None, at(1), at(3), vehicle=car1) == []
    assert free(org_a, station_a1, None, at(1), at(3), vehicle=car2) == ["M-AA 2"]


def test_the_contract_being_changed_does_not_block_itself(org_a, station_a1, group_a, car1, customer_a):
    contract = book(customer_a, group_a, station_a1, at(0), at(2), vehicle=car1)
    assert free(org_a, station_a1, group_a, at(1), at(3)) == []
    assert free(org_a, station_a1, group_a, at(1), at(3), exclude_contract=contract) == ["M-AA 1"]


def test_group_bookings_without_a_vehicle_hold_capacity(org_a, station_a1, group_a, car1, car2, customer_a):
    with scope(organization=org_a):
        ContractSettings.objects.create(organization=org_a, vehicle_assignment="check_out")
    contract = book(customer_a, group_a, station_a1, at(0), at(2))
    assert contract.vehicle is None

    assert free(org_a, station_a1, group_a, at(1), at(3)) == ["M-AA 1"]  # two cars, one promised
    assert free(org_a, station_a1, group_a, at(3), at(4)) == ["M-AA 1", "M-AA 2"]
    assert free(org_a, station_a1, None, at(1), at(3), vehicle=car2) == ["M-AA 2"]  # one is left over


def test_an_open_ended_long_term_rental_holds_the_vehicle_for_good(org_a, station_a1, group_a, car1, customer_a):
    book(customer_a, group_a, station_a1, at(0), None, vehicle=car1, kind="long_term")
    assert free(org_a, station_a1, group_a, at(400), at(401)) == []
    assert free(org_a, station_a1, group_a, at(-3), at(-2)) == ["M-AA 1"]


def test_the_overlap_query_can_use_the_exclusion_index(org_a, station_a1, group_a, car1):
    with scope(organization=org_a):
        qs = vehicles_available(
            organization=org_a, station=station_a1, vehicle_group=group_a, starts_at=at(0), ends_at=at(1)
        )
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            # Whether the overlap condition *can* use the exclusion index, whatever other indexes the
            # planner would prefer on a table the suite has grown: only the exclusion index and the
            # primary key are left (dropped inside the test's transaction, which is rolled back).
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'contracts_occupation' "
                "AND indexname NOT IN ('occupation_no_overlap', 'contracts_occupation_pkey')"
                " AND indexdef NOT LIKE 'CREATE UNIQUE%%'"
            )
            for (index,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{index}"')
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "occupation_no_overlap" in plan
    assert "&&" in plan


# --- opening hours ---


def test_pick_up_outside_the_hours_is_refused_naming_the_hours(station_a1):
    weekday_hours(station_a1)
    OpeningHours.objects.create(station=station_a1, weekday=5, opens=dt.time(9), closes=dt.time(12))

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        opening_hours_check(station=station_a1, starts_at=at(0, 6, 30), ends_at=at(1, 12))
    assert "starts_at" in refused.value.message_dict
    assert "Mo–Fr 07:00–18:00, Sa 09:00–12:00" in refused.value.message_dict["starts_at"][0]
    assert "ends_at" not in refused.value.message_dict

    with translation.override("de"), pytest.raises(ValidationError) as refused:
        opening_hours_check(station=station_a1, starts_at=at(0, 12), ends_at=at(6, 12))  # Sunday
    assert "Mo–Fr 07:00–18:00, Sa 09:00–12:00" in refused.value.message_dict["ends_at"][0]
    assert "geschlossen" in refused.value.message_dict["ends_at"][0]


def test_times_within_the_hours_pass_including_closing_time(station_a1):
    weekday_hours(station_a1)
    opening_hours_check(station=station_a1, starts_at=at(0, 7), ends_at=at(4, 18))


def test_a_station_without_recorded_hours_is_not_restricted(station_a1):
    opening_hours_check(station=station_a1, starts_at=at(6, 3), ends_at=at(6, 23))


def test_a_closure_date_is_named(station_a1):
    weekday_hours(station_a1)
    OpeningException.objects.create(station=station_a1, date=at(2).date(), closed=True, note="Betriebsausflug")

    with translation.override("de"), pytest.raises(ValidationError) as refused:
        opening_hours_check(station=station_a1, starts_at=at(2, 10), ends_at=at(3, 10))
    message = refused.value.message_dict["starts_at"][0]
    assert at(2).strftime("%d.%m.%Y") in message
    assert "Betriebsausflug" in message


def test_booking_outside_the_hours_is_refused(org_a, station_a1, group_a, car1, customer_a):
    weekday_hours(station_a1)
    with pytest.raises(ValidationError) as refused:
        book(customer_a, group_a, station_a1, at(0, 10), at(5, 10), vehicle=car1)  # return on Saturday
    assert "ends_at" in refused.value.message_dict

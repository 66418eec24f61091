"""No double booking under real concurrency: threads with their own database connections.

Each thread books through the service exactly as a request would (its own connection, its own
transaction, inside its organization's scope); the barrier starts them together so they race.
"""

import threading

import pytest
from django.db import connection
from django_scopes import scope

from contracts.exceptions import BookingConflict
from contracts.models import Contract
from contracts.services.booking import contract_book
from contracts.services.editing import contract_period_change
from tests.actors import admin_of
from tests.contracts.conftest import at, book
from tests.customers.conftest import make_customer
from tests.vehicles.conftest import make_vehicle

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("concurrency")]


def race(jobs):
    """Run the callables at once, each in a thread with its own connection; (results, errors)."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=60)
            results[index] = job()
        except Exception as exc:
            errors[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def overlapping_occupations() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM contracts_occupation a JOIN contracts_occupation b "
            "ON a.vehicle_id = b.vehicle_id AND a.id < b.id AND a.period && b.period"
        )
        return cursor.fetchone()[0]


def overlapping_contracts() -> int:
    """Active contracts of one vehicle whose booked periods overlap (independent of the occupations)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM contracts_contract a JOIN contracts_contract b "
            "ON a.vehicle_id = b.vehicle_id AND a.id < b.id "
            "AND a.status IN ('reserved', 'checked_out') AND b.status IN ('reserved', 'checked_out') "
            "AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)"
        )
        return cursor.fetchone()[0]


def booking_job(org, customer, group, station, starts_at, ends_at, vehicle=None):
    actor = admin_of(org)

    def job():
        with scope(organization=org):
            return contract_book(
                actor=actor,
                customer=customer,
                vehicle_group=group,
                pickup_station=station,
                return_station=station,
                starts_at=starts_at,
                ends_at=ends_at,
                vehicle=vehicle,
            )

    return job


def test_fifty_bookings_of_one_vehicle_give_one_contract_and_49_conflicts(org_a, station_a1, group_a, car1):
    customers = [make_customer(org_a, last_name=f"Kunde {n}") for n in range(50)]
    jobs = [booking_job(org_a, c, group_a, station_a1, at(0), at(2), vehicle=car1) for c in customers]

    results, errors = race(jobs)

    booked = [r for r in results if r is not None]
    assert len(booked) == 1
    assert sum(isinstance(e, BookingConflict) for e in errors) == 49, [e for e in errors if e is not None][:3]
    with scope(organization=org_a):
        assert Contract.objects.count() == 1
    assert overlapping_occupations() == 0


def test_fifty_group_bookings_spread_over_the_ten_free_vehicles(org_a, station_a1, group_a):
    vehicles = [make_vehicle(org_a, station_a1, group_a, plate=f"M-GR {n + 1}") for n in range(10)]
    internal = make_customer(org_a, last_name="Flotte", is_internal=True)  # no parallel limit
    jobs = [booking_job(org_a, internal, group_a, station_a1, at(0), at(2)) for _ in range(50)]

    results, errors = race(jobs)

    booked = [r for r in results if r is not None]
    assert len(booked) == 10
    assert sum(isinstance(e, BookingConflict) for e in errors) == 40, [e for e in errors if e is not None][:3]
    assert {c.vehicle_id for c in booked} == {v.pk for v in vehicles}
    assert len({c.number for c in booked}) == 10
    assert overlapping_occupations() == 0
    assert overlapping_contracts() == 0


def test_a_period_change_racing_a_new_booking_never_overlaps(org_a, station_a1, group_a):
    internal = make_customer(org_a, last_name="Flotte", is_internal=True)
    other = make_customer(org_a, last_name="Neukunde", is_internal=True)
    actor = admin_of(org_a)
    outcomes = []
    for round_ in range(10):
        car = make_vehicle(org_a, station_a1, group_a, plate=f"M-PC {round_ + 1}")
        existing = book(internal, group_a, station_a1, at(0), at(2), vehicle=car)

        def extend(contract=existing):
            with scope(organization=org_a):
                return contract_period_change(actor=actor, contract=contract, starts_at=at(0), ends_at=at(6))

        results, errors = race([extend, booking_job(org_a, other, group_a, station_a1, at(4), at(5), vehicle=car)])
        assert all(e is None or isinstance(e, BookingConflict) for e in errors), errors
        outcomes.append(sum(r is not None for r in results))

    assert outcomes == [1] * 10  # exactly one of the two wins every round
    assert overlapping_occupations() == 0
    assert overlapping_contracts() == 0

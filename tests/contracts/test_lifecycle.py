"""The status pipeline: allowed moves, every invalid one refused; check-out and check-in."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from contracts.exceptions import TransitionError
from contracts.models import Contract, ContractSettings, Occupation
from contracts.services.lifecycle import (
    TRANSITIONS,
    contract_cancel,
    contract_check_in,
    contract_check_out,
    contract_settle,
)
from contracts.signals import contract_checked_in
from customers.models import Customer
from tests.actors import admin_of, membership_of
from tests.contracts.conftest import book
from vehicles.models import KmReading, Vehicle

pytestmark = pytest.mark.django_db
S = Contract.Status


def now_ish(hours: float = 0) -> dt.datetime:
    return timezone.now().replace(microsecond=0) + dt.timedelta(hours=hours)


@pytest.fixture
def reserved(org_a, station_a1, group_a, car1, customer_a):
    return book(customer_a, group_a, station_a1, now_ish(-1), now_ish(47), vehicle=car1)


def check_out(contract, km=1100, fuel=8, **kwargs):
    with scope(organization=contract.organization):
        return contract_check_out(actor=admin_of(contract), contract=contract, km=km, fuel=fuel, **kwargs)


def check_in(contract, station, km=1300, fuel=6, **kwargs):
    with scope(organization=contract.organization):
        return contract_check_in(
            actor=admin_of(contract), contract=contract, km=km, fuel=fuel, station=station, **kwargs
        )


def cancel(contract, reason="Kunde hat abgesagt"):
    with scope(organization=contract.organization):
        return contract_cancel(actor=admin_of(contract), contract=contract, reason=reason)


def settle(contract):
    with scope(organization=contract.organization):
        return contract_settle(actor=admin_of(contract), contract=contract)


def test_the_table_is_the_documented_pipeline():
    assert {
        S.RESERVED: {S.CHECKED_OUT, S.CANCELLED},
        S.CHECKED_OUT: {S.CHECKED_IN},
        S.CHECKED_IN: {S.SETTLED},
        S.SETTLED: set(),
        S.CANCELLED: set(),
    } == TRANSITIONS


def _reach(contract, status, station):
    if status in (S.CHECKED_OUT, S.CHECKED_IN, S.SETTLED):
        check_out(contract)
    if status in (S.CHECKED_IN, S.SETTLED):
        check_in(contract, station)
    if status == S.SETTLED:
        settle(contract)
    if status == S.CANCELLED:
        cancel(contract)
    return contract


MOVES = {
    S.CHECKED_OUT: lambda c, st: check_out(c),
    S.CHECKED_IN: lambda c, st: check_in(c, st),
    S.SETTLED: settle,
    S.CANCELLED: lambda c, st: cancel(c),
}
INVALID = [(start, to) for start in S.values for to in MOVES if to not in TRANSITIONS[start]]


@pytest.mark.parametrize(("start", "to"), INVALID)
def test_every_invalid_transition_is_refused_with_an_explanation(reserved, station_a1, start, to):
    contract = _reach(reserved, start, station_a1)
    move = MOVES[to]
    with pytest.raises(TransitionError) as refused:
        move(contract, station_a1) if to != S.SETTLED else move(contract)
    assert contract.number in refused.value.messages[0]
    with scope(organization=contract.organization):
        assert Contract.objects.get(pk=contract.pk).status == start


def test_cancel_needs_a_reason_and_frees_the_vehicle(org_a, reserved, station_a1, group_a, car1, customer_a2):
    with pytest.raises(ValidationError) as refused:
        cancel(reserved, reason="  ")
    assert "reason" in refused.value.message_dict

    cancel(reserved)
    assert reserved.status == S.CANCELLED
    assert reserved.cancel_reason == "Kunde hat abgesagt"
    with scope(organization=org_a):
        assert not Occupation.objects.filter(contract=reserved).exists()
    book(customer_a2, group_a, station_a1, now_ish(1), now_ish(5), vehicle=car1)


def test_check_out_records_km_and_fuel_and_rents_the_vehicle(org_a, reserved, car1):
    check_out(reserved, km=1100, fuel=7)
    with scope(organization=org_a):
        vehicle = Vehicle.objects.get(pk=car1.pk)
        reading = KmReading.objects.filter(vehicle=car1).latest("recorded_at")
    assert (reserved.status, reserved.km_out, reserved.fuel_out) == (S.CHECKED_OUT, 1100, 7)
    assert (vehicle.status, vehicle.current_km, vehicle.fuel_level) == ("rented", 1100, 7)
    assert reading.source == "checkout"


def test_check_out_refuses_a_km_reading_below_the_last_one(org_a, reserved):
    with pytest.raises(ValidationError) as refused:
        check_out(reserved, km=900)
    assert "km" in refused.value.message_dict
    with scope(organization=org_a):
        assert Contract.objects.get(pk=reserved.pk).status == S.RESERVED


def test_a_km_jump_needs_confirmation(org_a, reserved):
    with pytest.raises(ValidationError) as refused:
        check_out(reserved, km=500_000)
    assert "km" in refused.value.message_dict
    check_out(reserved, km=50_000, confirm_km_jump=True)
    assert reserved.km_out == 50_000


def test_bad_fuel_is_a_field_error(reserved):
    with pytest.raises(ValidationError) as refused:
        check_out(reserved, fuel=9)
    assert "fuel" in refused.value.message_dict


def test_a_licence_expiring_before_the_planned_return_is_flagged_at_check_out(org_a, reserved, customer_a):
    with scope(organization=org_a):
        Customer.objects.filter(pk=customer_a.pk).update(licence_expires_on=timezone.localdate())
    check_out(reserved)
    assert reserved.licence_flag
    with scope(organization=org_a):
        assert Contract.objects.get(pk=reserved.pk).licence_flag == reserved.licence_flag


def test_check_in_returns_the_vehicle_to_the_station_and_shrinks_its_time(
    org_a, reserved, station_a2, car1, django_capture_on_commit_callbacks
):
    check_out(reserved)
    heard = []

    def receiver(sender, contract, **kwargs):
        heard.append(contract.pk)

    contract_checked_in.connect(receiver)
    try:
        returned = timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            check_in(reserved, station_a2, km=1300, fuel=5, at=returned)
    finally:
        contract_checked_in.disconnect(receiver)

    assert heard == [reserved.pk]
    with scope(organization=org_a):
        vehicle = Vehicle.objects.get(pk=car1.pk)
        occupation = Occupation.objects.get(contract=reserved)
    assert (vehicle.status, vehicle.current_station, vehicle.fuel_level) == ("available", station_a2, 5)
    assert (reserved.km_in, reserved.fuel_in, reserved.status) == (1300, 5, S.CHECKED_IN)
    assert occupation.period.upper == returned + dt.timedelta(minutes=60)


def test_a_late_return_never_fails_even_when_the_next_booking_is_close(
    org_a, station_a1, group_a, car1, customer_a, customer_a2
):
    with scope(organization=org_a):
        ContractSettings.objects.create(organization=org_a, buffer_minutes=120)
    first = book(customer_a, group_a, station_a1, now_ish(-5), now_ish(-1), vehicle=car1)
    following = book(customer_a2, group_a, station_a1, now_ish(1), now_ish(5), vehicle=car1)
    check_out(first, at=now_ish(-5))
    check_in(first, station_a1, at=now_ish(0))
    with scope(organization=org_a):
        assert Occupation.objects.get(contract=first).period.upper == following.starts_at


def test_a_group_booking_gets_its_vehicle_at_check_out(org_a, station_a1, group_a, car1, car2, customer_a):
    with scope(organization=org_a):
        ContractSettings.objects.create(organization=org_a, vehicle_assignment="check_out")
    contract = book(customer_a, group_a, station_a1, now_ish(-1), now_ish(24))
    assert contract.vehicle is None
    check_out(contract)
    assert contract.vehicle == car1
    with scope(organization=org_a):
        assert Occupation.objects.get(contract=contract).vehicle_id == car1.pk


def test_station_staff_of_another_station_cannot_check_out(org_a, reserved, staff_a2):
    from django.core.exceptions import PermissionDenied

    with scope(organization=org_a), pytest.raises(PermissionDenied):
        contract_check_out(actor=membership_of(staff_a2, org_a), contract=reserved, km=1100, fuel=8)

"""Editing a contract: period, vehicle, reschedule, removal, tariff, price, notes, drivers, log."""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope

from contracts.exceptions import BookingConflict, TransitionError
from contracts.models import Contract, ContractSettings, Occupation, Tariff
from contracts.services.blocks import block_create
from contracts.services.editing import (
    contract_driver_add,
    contract_driver_remove,
    contract_note_add,
    contract_period_change,
    contract_price_preview,
    contract_reschedule,
    contract_tariff_change,
    contract_vehicle_remove,
    contract_vehicle_swap,
)
from contracts.services.lifecycle import contract_cancel
from tests.actors import admin_of, membership_of
from tests.contracts.conftest import at, book
from tests.customers.conftest import make_customer
from tests.vehicles.conftest import make_vehicle

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(org_a, station_a1, group_a, car1, customer_a):
    return book(customer_a, group_a, station_a1, at(0), at(2), vehicle=car1)


def act(service, contract, **kwargs):
    with scope(organization=contract.organization):
        return service(actor=kwargs.pop("actor", None) or admin_of(contract), contract=contract, **kwargs)


def occupation(contract):
    with scope(organization=contract.organization):
        return Occupation.objects.filter(contract=contract).first()


def activity_keys(contract) -> list[str]:
    with scope(organization=contract.organization):
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Contract), object_pk=str(contract.pk)
        )
        return [key for entry in entries for key in (entry.changes_dict or {})]


def test_a_period_change_moves_the_vehicles_time(contract):
    act(contract_period_change, contract, starts_at=at(1), ends_at=at(4))
    assert (contract.starts_at, contract.ends_at) == (at(1), at(4))
    assert occupation(contract).period.lower == at(1)
    assert occupation(contract).period.upper == at(4, 11)


def test_a_period_change_into_another_booking_names_it_and_changes_nothing(
    org_a, contract, station_a1, group_a, car1, customer_a2
):
    other = book(customer_a2, group_a, station_a1, at(5), at(6), vehicle=car1)
    with pytest.raises(BookingConflict) as refused:
        act(contract_period_change, contract, starts_at=at(0), ends_at=at(5, 12))
    assert refused.value.conflicting == other
    assert other.number in refused.value.messages[0]
    with scope(organization=org_a):
        assert Contract.objects.get(pk=contract.pk).ends_at == at(2)
    assert occupation(contract).period.upper == at(2, 11)


def test_a_period_change_is_checked_against_opening_hours_and_the_licence(org_a, contract, station_a1, customer_a):
    from customers.models import Customer
    from rentoffice.models import OpeningHours

    for day in range(5):
        OpeningHours.objects.create(station=station_a1, weekday=day, opens=dt.time(7), closes=dt.time(18))
    with pytest.raises(ValidationError) as refused:
        act(contract_period_change, contract, starts_at=at(0), ends_at=at(2, 20))
    assert "ends_at" in refused.value.message_dict

    with scope(organization=org_a):
        Customer.objects.filter(pk=customer_a.pk).update(licence_expires_on=at(3).date())
    with pytest.raises(ValidationError) as refused:
        act(contract_period_change, contract, starts_at=at(0), ends_at=at(4))
    assert "ends_at" in refused.value.message_dict


def test_a_swap_takes_a_free_vehicle_and_frees_the_old_one(contract, car1, car2, org_a, station_a1):
    act(contract_vehicle_swap, contract, vehicle=car2)
    assert contract.vehicle == car2
    assert occupation(contract).vehicle_id == car2.pk
    with scope(organization=org_a):
        assert not Occupation.objects.filter(vehicle=car1).exists()


def test_a_swap_to_a_taken_vehicle_is_a_conflict(contract, car2, station_a1, group_a, customer_a2):
    held = book(customer_a2, group_a, station_a1, at(1), at(3), vehicle=car2)
    with pytest.raises(BookingConflict) as refused:
        act(contract_vehicle_swap, contract, vehicle=car2)
    assert refused.value.conflicting == held
    assert occupation(contract).vehicle_id == contract.vehicle_id


def test_reschedule_moves_vehicle_and_period_together_or_not_at_all(org_a, contract, car1, car2):
    with scope(organization=org_a):
        block_create(
            actor=admin_of(org_a), vehicle=car2, kind="transfer", reason="Überführung", starts_at=at(6), ends_at=at(7)
        )
    with pytest.raises(BookingConflict):
        act(contract_reschedule, contract, vehicle=car2, starts_at=at(5), ends_at=at(7))
    with scope(organization=org_a):
        fresh = Contract.objects.get(pk=contract.pk)
    assert (fresh.vehicle_id, fresh.starts_at) == (contract.vehicle_id, at(0))

    act(contract_reschedule, contract, vehicle=car2, starts_at=at(3), ends_at=at(4))
    assert (contract.vehicle, contract.starts_at, contract.ends_at) == (car2, at(3), at(4))
    assert occupation(contract).vehicle_id == car2.pk


def test_removing_the_vehicle_keeps_the_group_booking_and_its_capacity(
    org_a, contract, station_a1, group_a, customer_a2
):
    act(contract_vehicle_remove, contract)
    assert contract.vehicle is None
    assert occupation(contract) is None
    with pytest.raises(BookingConflict):
        book(customer_a2, group_a, station_a1, at(1), at(3))  # the one car is still promised to it


def test_a_cancelled_contract_cannot_be_edited(org_a, contract, car2):
    with scope(organization=org_a):
        contract_cancel(actor=admin_of(org_a), contract=contract, reason="abgesagt")
    with pytest.raises(TransitionError):
        act(contract_period_change, contract, starts_at=at(1), ends_at=at(3))
    with pytest.raises(TransitionError):
        act(contract_vehicle_swap, contract, vehicle=car2)
    with pytest.raises(TransitionError):
        act(contract_driver_add, contract, name="Max Fahrer")


def test_a_tariff_of_another_group_is_refused_and_the_deposit_follows_the_tariff(
    org_a, contract, group_a, group_a_large
):
    with scope(organization=org_a):
        other = Tariff.objects.create(
            organization=org_a, name="Kombi", vehicle_group=group_a_large, valid_from=at(-30).date(), price_per_day=60
        )
        own = Tariff.objects.create(
            organization=org_a,
            name="Klein Plus",
            vehicle_group=group_a,
            valid_from=at(-30).date(),
            price_per_day=45,
            deposit=Decimal("250"),
        )
    with pytest.raises(ValidationError) as refused:
        act(contract_tariff_change, contract, tariff=other)
    assert "tariff" in refused.value.message_dict

    act(contract_tariff_change, contract, tariff=own)
    assert (contract.tariff, contract.deposit) == (own, Decimal("250"))
    assert "price" in activity_keys(contract)
    old, new = act(contract_price_preview, contract)
    assert isinstance(old, list)
    assert isinstance(new, list)


def test_notes_are_stored_newest_first_and_logged(org_a, contract, admin_a):
    with pytest.raises(ValidationError):
        act(contract_note_add, contract, text="   ")
    act(contract_note_add, contract, text="Kindersitz vorbereiten")
    act(contract_note_add, contract, text="Kunde ruft an")
    with scope(organization=org_a):
        notes = list(contract.notes.all())
    assert [n.text for n in notes] == ["Kunde ruft an", "Kindersitz vorbereiten"]
    assert notes[0].author == admin_a
    assert "note" in activity_keys(contract)


def test_drivers_from_the_organization_or_by_name_with_their_licence_checked(org_a, org_b, contract, customer_a):
    colleague = make_customer(org_a, last_name="Kollege")
    act(contract_driver_add, contract, customer=colleague)
    with pytest.raises(ValidationError):
        act(contract_driver_add, contract, customer=colleague)  # already a driver
    with pytest.raises(ValidationError):
        act(contract_driver_add, contract, customer=customer_a)  # the renter
    with pytest.raises(ValidationError):
        act(contract_driver_add, contract, customer=make_customer(org_b, last_name="Fremd"))

    with pytest.raises(ValidationError) as refused:
        act(contract_driver_add, contract, name="Max Fahrer", licence_expires_on=at(1).date())
    assert "licence_expires_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        act(contract_driver_add, contract, name="")
    assert "name" in refused.value.message_dict

    named = act(
        contract_driver_add, contract, name="Max Fahrer", licence_number="B072", licence_expires_on=at(90).date()
    )
    with scope(organization=org_a):
        assert [str(d) for d in contract.drivers.all()] == [str(colleague), "Max Fahrer"]
        contract_driver_remove(actor=admin_of(org_a), driver=named)
        assert contract.drivers.count() == 1
    assert "drivers" in activity_keys(contract)


def test_station_staff_elsewhere_cannot_edit(org_a, contract, staff_a2):
    with pytest.raises(PermissionDenied):
        act(contract_period_change, contract, starts_at=at(1), ends_at=at(3), actor=membership_of(staff_a2, org_a))


def test_a_period_change_of_a_group_booking_without_vehicle_checks_the_groups_room(
    org_a, station_a1, group_a, car1, customer_a, customer_a2
):
    with scope(organization=org_a):
        ContractSettings.objects.create(organization=org_a, vehicle_assignment="check_out")
    waiting = book(customer_a, group_a, station_a1, at(0), at(1))
    book(customer_a2, group_a, station_a1, at(5), at(6), vehicle=car1)
    with pytest.raises(BookingConflict):
        act(contract_period_change, waiting, starts_at=at(4), ends_at=at(6))
    act(contract_period_change, waiting, starts_at=at(2), ends_at=at(3))
    assert waiting.starts_at == at(2)


def test_an_upgrade_keeps_the_booked_group(org_a, contract, station_a1, group_a, group_a_large):
    estate = make_vehicle(org_a, station_a1, group_a_large, plate="M-KO 1")
    act(contract_vehicle_swap, contract, vehicle=estate)
    assert (contract.vehicle, contract.vehicle_group) == (estate, group_a)


def test_reload_shows_old_and_new_lines_and_stores_the_new_ones(org_a, station_a1, group_a, car2, customer_a2):
    from contracts.services.editing import contract_price_reload

    with scope(organization=org_a):
        tariff = Tariff.objects.create(
            organization=org_a, name="Klein", vehicle_group=group_a, valid_from=at(-30).date(), price_per_day=40
        )
    contract = book(customer_a2, group_a, station_a1, at(0), at(3), vehicle=car2)
    with scope(organization=org_a):
        Tariff.objects.filter(pk=tariff.pk).update(price_per_day=50)
        assert sum(line.gross for line in contract.lines.all()) == Decimal("120.00")  # unchanged by the edit

    old, new = act(contract_price_preview, contract)
    assert sum(line.gross for line in old) == Decimal("120.00")
    assert sum(line.gross for line in new) == Decimal("150.00")

    act(contract_price_reload, contract)
    with scope(organization=org_a):
        assert sum(line.gross for line in contract.lines.all()) == Decimal("150.00")
    assert "price" in activity_keys(contract)

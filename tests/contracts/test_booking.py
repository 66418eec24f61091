"""Booking through contract_book: rights, numbers, vehicle choice, kinds, conflicts."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope

from contracts.exceptions import BookingConflict
from contracts.models import Contract, ContractSettings, Occupation
from contracts.services.blocks import block_create
from tests.actors import admin_of, membership_of
from tests.contracts.conftest import at, book
from tests.customers.conftest import make_customer
from tests.vehicles.conftest import make_vehicle, revoke
from vehicles.models import Vehicle

pytestmark = pytest.mark.django_db


def test_a_booking_gets_the_next_number_with_the_prefix_and_holds_the_vehicle(
    org_a, station_a1, group_a, car1, customer_a, customer_a2
):
    first = book(customer_a, group_a, station_a1, at(0), at(2), vehicle=car1)
    second = book(customer_a2, group_a, station_a1, at(3), at(4), vehicle=car1)

    assert first.number == "MV-1"
    assert second.number == "MV-2"
    assert first.status == Contract.Status.RESERVED
    with scope(organization=org_a):
        occupation = Occupation.objects.get(contract=first)
    assert occupation.vehicle_id == car1.pk
    assert occupation.period.lower == at(0)
    assert occupation.period.upper == at(2, 11)  # return + the default 60-minute buffer


def test_a_group_booking_gets_the_first_free_vehicle(org_a, station_a1, group_a, car1, car2, customer_a, customer_a2):
    first = book(customer_a, group_a, station_a1, at(0), at(2))
    second = book(customer_a2, group_a, station_a1, at(1), at(3))
    assert (first.vehicle, second.vehicle) == (car1, car2)


def test_a_group_booking_with_no_vehicle_left_is_a_conflict(org_a, station_a1, group_a, car1, customer_a, customer_a2):
    book(customer_a, group_a, station_a1, at(0), at(2))
    with pytest.raises(BookingConflict) as refused:
        book(customer_a2, group_a, station_a1, at(1), at(3))
    assert "Kleinwagen" in refused.value.messages[0]


def test_booking_a_taken_vehicle_names_the_contract_holding_it(
    org_a, station_a1, group_a, car1, customer_a, customer_a2
):
    held = book(customer_a, group_a, station_a1, at(0), at(2), vehicle=car1)
    with pytest.raises(BookingConflict) as refused:
        book(customer_a2, group_a, station_a1, at(1), at(3), vehicle=car1)
    assert refused.value.conflicting == held
    assert held.number in refused.value.messages[0]
    assert "Müller" in refused.value.messages[0]
    with scope(organization=org_a):
        assert Contract.objects.count() == 1


def test_booking_over_a_block_names_the_block(org_a, station_a1, group_a, car1, customer_a):
    with scope(organization=org_a):
        block = block_create(
            actor=admin_of(org_a), vehicle=car1, kind="maintenance", reason="Inspektion", starts_at=at(1), ends_at=at(2)
        )
    with pytest.raises(BookingConflict) as refused:
        book(customer_a, group_a, station_a1, at(0), at(3), vehicle=car1)
    assert refused.value.conflicting == block
    assert "Inspektion" in refused.value.messages[0]


def test_at_check_out_assignment_books_the_group_without_a_vehicle(org_a, station_a1, group_a, car1, customer_a):
    with scope(organization=org_a):
        ContractSettings.objects.create(organization=org_a, vehicle_assignment="check_out")
    contract = book(customer_a, group_a, station_a1, at(0), at(2))
    assert contract.vehicle is None
    with scope(organization=org_a):
        assert not Occupation.objects.filter(contract=contract).exists()
    other = make_customer(org_a, last_name="Zweit")
    with pytest.raises(BookingConflict):
        book(other, group_a, station_a1, at(1), at(3))  # the one car is promised


def test_the_deposit_is_copied_from_the_tariff(org_a, station_a1, group_a, car1, customer_a):
    from decimal import Decimal

    from contracts.models import Tariff

    with scope(organization=org_a):
        tariff = Tariff.objects.create(
            organization=org_a,
            name="Standard",
            vehicle_group=group_a,
            valid_from=at(-30).date(),
            price_per_day=Decimal("49.00"),
            deposit=Decimal("300.00"),
        )
    contract = book(customer_a, group_a, station_a1, at(0), at(2), vehicle=car1, tariff=tariff)
    assert contract.deposit == Decimal("300.00")
    assert contract.tariff == tariff


def test_a_courtesy_car_needs_its_workshop_order_and_keeps_the_payer(org_a, station_a1, group_a, car1, customer_a):
    with pytest.raises(ValidationError) as refused:
        book(customer_a, group_a, station_a1, at(0), at(1), vehicle=car1, kind="courtesy")
    assert "workshop_order" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        book(
            customer_a,
            group_a,
            station_a1,
            at(0),
            at(1),
            vehicle=car1,
            kind="courtesy",
            workshop_order="WA-1",
            payer="insurer",
        )
    assert "insurer_name" in refused.value.message_dict

    contract = book(
        customer_a,
        group_a,
        station_a1,
        at(0),
        at(1),
        vehicle=car1,
        kind="courtesy",
        workshop_order="WA-4711",
        appointment_at=at(0, 8),
        payer="insurer",
        insurer_name="HUK",
        insurer_claim_number="S-1",
    )
    assert (contract.kind, contract.workshop_order, contract.payer, contract.insurer_name) == (
        "courtesy",
        "WA-4711",
        "insurer",
        "HUK",
    )


def test_a_rental_refuses_courtesy_fields_rather_than_dropping_them(org_a, station_a1, group_a, car1, customer_a):
    with pytest.raises(ValidationError) as refused:
        book(customer_a, group_a, station_a1, at(0), at(1), vehicle=car1, workshop_order="WA-1")
    assert "workshop_order" in refused.value.message_dict


def test_only_a_long_term_rental_may_stay_open_and_it_bills_monthly(org_a, station_a1, group_a, car1, customer_a):
    with pytest.raises(ValidationError) as refused:
        book(customer_a, group_a, station_a1, at(0), None, vehicle=car1)
    assert "ends_at" in refused.value.message_dict

    contract = book(customer_a, group_a, station_a1, at(0), None, vehicle=car1, kind="long_term")
    assert contract.ends_at is None
    assert contract.billing_period == "monthly"
    with scope(organization=org_a):
        assert Occupation.objects.get(contract=contract).period.upper is None


@pytest.mark.parametrize(
    ("starts", "ends", "field"),
    [((2, 10), (1, 10), "ends_at"), ((2, 10), (2, 10), "ends_at")],
)
def test_a_return_before_the_pick_up_is_a_field_error(
    org_a, station_a1, group_a, car1, customer_a, starts, ends, field
):
    with pytest.raises(ValidationError) as refused:
        book(customer_a, group_a, station_a1, at(*starts), at(*ends), vehicle=car1)
    assert field in refused.value.message_dict


def test_a_vehicle_in_the_workshop_or_elsewhere_is_refused_on_the_vehicle_field(
    org_a, station_a1, station_a2, group_a, car1, customer_a
):
    with scope(organization=org_a):
        Vehicle.objects.filter(pk=car1.pk).update(status="workshop")
        car1.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        book(customer_a, group_a, station_a1, at(0), at(1), vehicle=car1)
    assert "vehicle" in refused.value.message_dict

    away = make_vehicle(org_a, station_a1, group_a, plate="M-AA 9", current_station=station_a2)
    with pytest.raises(ValidationError) as refused:
        book(customer_a, group_a, station_a1, at(0), at(1), vehicle=away)
    assert "A2 Augsburg" in refused.value.message_dict["vehicle"][0]


def test_booking_needs_the_permission_and_the_station(
    org_a, station_a1, station_a2, group_a, car1, customer_a, staff_a1, staff_a2
):
    with pytest.raises(PermissionDenied):
        book(customer_a, group_a, station_a1, at(0), at(1), vehicle=car1, actor=membership_of(staff_a2, org_a))
    revoke(staff_a1, org_a, "contracts.change")
    with pytest.raises(PermissionDenied):
        book(customer_a, group_a, station_a1, at(0), at(1), vehicle=car1, actor=membership_of(staff_a1, org_a))
    with scope(organization=org_a):
        assert Contract.objects.count() == 0


def test_station_staff_book_at_their_station(org_a, station_a1, group_a, car1, customer_a, staff_a1):
    contract = book(customer_a, group_a, station_a1, at(0), at(1), vehicle=car1, actor=membership_of(staff_a1, org_a))
    assert contract.created_by == staff_a1


def test_records_of_another_organization_are_refused(org_a, org_b, station_a1, station_b1, group_a, car1, customer_a):
    foreign = make_customer(org_b, last_name="Fremd")
    with pytest.raises((ValidationError, PermissionDenied)):
        book(foreign, group_a, station_a1, at(0), at(1), vehicle=car1, actor=admin_of(org_a))
    with pytest.raises(ValidationError) as refused:
        book(customer_a, group_a, station_a1, at(0), at(1), vehicle=car1, return_station=station_b1)
    assert "return_station" in refused.value.message_dict


def test_a_refused_booking_leaves_nothing_and_gives_its_number_back(
    org_a, station_a1, group_a, car1, customer_a, customer_a2
):
    book(customer_a, group_a, station_a1, at(0), at(2), vehicle=car1)
    with pytest.raises(BookingConflict):
        book(customer_a2, group_a, station_a1, at(1), at(3), vehicle=car1)
    third = book(customer_a2, group_a, station_a1, at(5), at(6), vehicle=car1)
    assert third.number == "MV-2"
    with scope(organization=org_a):
        assert Occupation.objects.count() == 2


def test_a_booking_copies_the_lines_of_the_applicable_tariff(org_a, station_a1, group_a, car1, customer_a):
    from decimal import Decimal

    from contracts.models import Tariff

    with scope(organization=org_a):
        Tariff.objects.create(
            organization=org_a,
            name="Klein",
            vehicle_group=group_a,
            valid_from=at(-30).date(),
            price_per_day=Decimal("49.00"),
            deposit=Decimal("200.00"),
        )
    contract = book(customer_a, group_a, station_a1, at(0), at(2), vehicle=car1)  # no tariff named: the group's
    with scope(organization=org_a):
        lines = list(contract.lines.all())
    assert contract.tariff is not None
    assert contract.deposit == Decimal("200.00")
    assert sum(line.gross for line in lines) == Decimal("98.00")
    assert contract.priced_at is not None


# --- selectors ---


def test_the_list_finds_by_number_plate_customer_name_and_number(
    org_a, station_a1, group_a, car1, car2, customer_a, customer_a2
):
    from contracts.selectors import contracts_for_list

    first = book(customer_a, group_a, station_a1, at(0), at(2), vehicle=car1)
    second = book(customer_a2, group_a, station_a1, at(3), at(4), vehicle=car2)
    admin = admin_of(org_a)

    def found(**kwargs):
        with scope(organization=org_a):
            return [c.number for c in contracts_for_list(membership=admin, **kwargs)]

    assert found() == [second.number, first.number]  # newest pick-up first
    assert found(search=first.number) == [first.number]
    assert found(search="maa2") == [second.number]  # plate typed without separators
    assert found(search="mueller") == [first.number]  # folded like the customer search
    assert found(search=str(customer_a2.number)) == [second.number]
    assert found(status="reserved", kind="rental") == [second.number, first.number]
    assert found(period=(at(2, 12), at(5))) == [second.number]
    assert found(station=station_a1) == [second.number, first.number]


def test_contracts_and_blocks_outside_the_members_stations_or_organization_are_404(
    org_a, org_b, station_a1, group_a, car1, customer_a, staff_a1, staff_a2, admin_b
):
    from django.http import Http404

    from contracts.selectors import block_get, contract_get, contracts_for_list

    contract = book(customer_a, group_a, station_a1, at(0), at(2), vehicle=car1)
    with scope(organization=org_a):
        block = block_create(
            actor=admin_of(org_a), vehicle=car1, kind="workshop", reason="Reifen", starts_at=at(5), ends_at=at(6)
        )
        assert contract_get(membership=membership_of(staff_a1, org_a), pk=contract.pk) == contract
        assert block_get(membership=membership_of(staff_a1, org_a), pk=block.pk) == block
        with pytest.raises(Http404):
            contract_get(membership=membership_of(staff_a2, org_a), pk=contract.pk)
        with pytest.raises(Http404):
            block_get(membership=membership_of(staff_a2, org_a), pk=block.pk)
        with pytest.raises(Http404):
            contract_get(membership=membership_of(staff_a1, org_a), pk="abc")
        assert list(contracts_for_list(membership=membership_of(staff_a2, org_a))) == []
    with scope(organization=org_b), pytest.raises(Http404):
        contract_get(membership=membership_of(admin_b, org_b), pk=contract.pk)

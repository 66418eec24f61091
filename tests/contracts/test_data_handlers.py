"""A customer merge moves the contracts app's rows; the GDPR export contains them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from contracts.models import Contract, ContractDriver
from customers.data_handlers import unhandled_relations
from customers.services import customer_merge
from tests.actors import admin_of
from tests.customers.conftest import make_customer
from tests.vehicles.conftest import make_vehicle
from vehicles.models import VehicleGroup

pytestmark = pytest.mark.django_db


def _contract(org, station, vehicle, customer, number, **fields):
    start = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
    return Contract.objects.create(
        organization=org,
        number=number,
        customer=customer,
        vehicle_group=vehicle.group,
        vehicle=vehicle,
        pickup_station=station,
        return_station=station,
        starts_at=start,
        ends_at=start + dt.timedelta(days=2),
        **fields,
    )


@pytest.fixture
def setup(org_a, station_a1):
    with scopes_disabled():
        group_a = VehicleGroup.objects.create(organization=org_a, name="Kleinwagen", code="KLEIN")
        survivor = make_customer(org_a, first_name="Anna", last_name="Alt")
        other = make_customer(org_a, first_name="Anna", last_name="Neu")
        vehicle = make_vehicle(org_a, station_a1, group_a)
        rented = _contract(org_a, station_a1, vehicle, other, "MV-1")
        paid = _contract(org_a, station_a1, vehicle, survivor, "MV-2", payer_customer=other)
        ContractDriver.objects.create(contract=paid, customer=survivor)
        ContractDriver.objects.create(contract=paid, customer=other)
        ContractDriver.objects.create(contract=rented, customer=other)
    return survivor, other, rented, paid


def test_every_contracts_relation_to_customers_has_a_handler():
    assert not [label for label in unhandled_relations() if label.startswith("contracts.")]


def test_merge_moves_contracts_payers_and_drivers(org_a, setup):
    survivor, other, rented, paid = setup
    with scope(organization=org_a):
        customer_merge(actor=admin_of(org_a), survivor=survivor, other=other, take_from_other=[])
        rented.refresh_from_db()
        paid.refresh_from_db()
        assert rented.customer_id == survivor.pk
        assert paid.payer_customer_id == survivor.pk
        # The survivor drove `paid` already: one driver row for them, not two.
        assert list(paid.drivers.values_list("customer_id", flat=True)) == [survivor.pk]
        assert list(rented.drivers.values_list("customer_id", flat=True)) == [survivor.pk]


def test_export_lists_the_customers_contracts(org_a, setup):
    from contracts.data_handlers import _export

    other = setup[1]
    with scope(organization=org_a):
        part = _export(customer=other)
    numbers = {row["fields"]["number"] for row in part.rows if row["model"] == "contracts.contract"}
    assert numbers == {"MV-1", "MV-2"}
    assert sum(row["model"] == "contracts.contractdriver" for row in part.rows) == 2

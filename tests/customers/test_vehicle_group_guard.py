"""Customers keep the vehicle groups their booking permissions name (vehicles.signals)."""

import pytest

from tests.actors import admin_of
from tests.conftest import in_scope
from tests.customers.conftest import make_customer
from vehicles.models import VehicleGroup
from vehicles.services import VehicleGroupDeleteRefused, vehicle_group_delete

pytestmark = pytest.mark.django_db


@in_scope()
def test_a_group_a_customer_is_restricted_to_is_not_deleted(org_a):
    group = VehicleGroup.objects.create(organization=org_a, name="Transporter", code="TRANS")
    customer = make_customer(org_a, first_name="Ann", last_name="Smith")
    customer.allowed_vehicle_groups.set([group])
    with pytest.raises(VehicleGroupDeleteRefused) as refused:
        vehicle_group_delete(actor=admin_of(group), group=group)
    assert "1 customer" in str(refused.value) or "1 Kunde" in str(refused.value)
    assert VehicleGroup.objects.filter(pk=group.pk).exists()

    customer.allowed_vehicle_groups.clear()
    vehicle_group_delete(actor=admin_of(group), group=group)
    assert not VehicleGroup.objects.filter(pk=group.pk).exists()


@in_scope()
def test_other_organizations_customers_do_not_block(org_a, org_b):
    group = VehicleGroup.objects.create(organization=org_a, name="Transporter", code="TRANS")
    other = VehicleGroup.objects.create(organization=org_b, name="Transporter", code="TRANS")
    make_customer(org_b, first_name="Bo", last_name="Berg").allowed_vehicle_groups.set([other])
    vehicle_group_delete(actor=admin_of(group), group=group)
    assert not VehicleGroup.objects.filter(pk=group.pk).exists()

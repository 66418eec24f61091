"""Data for the contract services: a group with vehicles at station A1, customers, moments.

Moments lie on weekdays a few weeks ahead, at 10:00 local time, so opening hours (when a test
sets them) and the "may not reserve" rule see real future dates.
"""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from contracts.services.booking import contract_book
from tests.actors import admin_of
from tests.conftest import data_helper
from tests.customers.conftest import make_customer
from tests.vehicles.conftest import make_vehicle
from vehicles.models import VehicleGroup

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def monday() -> dt.date:
    """A Monday three to four weeks ahead."""
    today = timezone.localdate()
    return today + dt.timedelta(days=21 + (7 - today.weekday()) % 7)


def at(day: int = 0, hour: int = 10, minute: int = 0) -> dt.datetime:
    """`day` days after the reference Monday, at hour:minute in Berlin."""
    return dt.datetime.combine(monday() + dt.timedelta(days=day), dt.time(hour, minute), tzinfo=BERLIN)


@pytest.fixture
def group_a(org_a):
    return VehicleGroup.objects.create(organization=org_a, name="Kleinwagen", code="KLEIN")


@pytest.fixture
def group_a_large(org_a):
    return VehicleGroup.objects.create(organization=org_a, name="Kombi", code="KOMBI")


@pytest.fixture
def car1(org_a, station_a1, group_a):
    return make_vehicle(org_a, station_a1, group_a, plate="M-AA 1")


@pytest.fixture
def car2(org_a, station_a1, group_a):
    return make_vehicle(org_a, station_a1, group_a, plate="M-AA 2")


@pytest.fixture
def customer_a(org_a):
    return make_customer(org_a, first_name="Jürgen", last_name="Müller", email="juergen@example.com")


@pytest.fixture
def customer_a2(org_a):
    return make_customer(org_a, first_name="Erika", last_name="Mustermann")


@data_helper
def book(customer, group, station, starts_at, ends_at, *, actor=None, **kwargs):
    """A booking through the service, as the organization's administrator unless `actor` is given."""
    return contract_book(
        actor=actor or admin_of(customer),
        customer=customer,
        vehicle_group=group,
        pickup_station=station,
        return_station=kwargs.pop("return_station", station),
        starts_at=starts_at,
        ends_at=ends_at,
        **kwargs,
    )

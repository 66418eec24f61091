"""The contract list, the contract page, the customer card (with its contract panels) and the
vehicle page cost the same number of queries with 1 contract as with 20."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from contracts.models import Tariff
from tests.contracts.conftest import at, book
from tests.customers.conftest import make_customer
from tests.vehicles.conftest import make_vehicle

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    client.get(url)  # warm caches (content types, sessions) so both counts see the same state
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.fixture
def world(org_a, station_a1, group_a):
    with scopes_disabled():
        tariff = Tariff.objects.create(
            organization=org_a,
            name="Standard",
            vehicle_group=group_a,
            valid_from=dt.date(2020, 1, 1),
            price_per_day=Decimal("49.00"),
        )
    customer = make_customer(org_a, last_name="Vielfahrer", additional_parallel_bookings=50)
    return {"tariff": tariff, "customer": customer, "station": station_a1, "group": group_a}


def _contracts(world, n: int, *, start: int = 0):
    made = []
    with scopes_disabled():
        cars = [make_vehicle(world["customer"].organization, world["station"], world["group"]) for _ in range(n)]
    for i, car in enumerate(cars):
        contract = book(
            world["customer"],
            world["group"],
            world["station"],
            at(start + i),
            at(start + i, 18),
            vehicle=car,
            tariff=world["tariff"],
        )
        made.append(contract)
    return made


def _driver_and_note(contract, other_customer):
    from contracts.services.editing import contract_driver_add, contract_note_add
    from tests.actors import admin_of

    with scopes_disabled():
        contract_driver_add(actor=admin_of(contract), contract=contract, customer=other_customer)
        contract_note_add(actor=admin_of(contract), contract=contract, text="Kindersitz bereitlegen")


def test_list_card_and_vehicle_page_queries_do_not_grow_with_contracts(client_admin_a, org_a, world):
    first = _contracts(world, 1)[0]
    customer = world["customer"]
    urls = {
        "list": reverse("contracts:list", args=[org_a.slug]),
        "list search": reverse("contracts:list", args=[org_a.slug]) + "?q=Vielfahrer&status=reserved",
        "card": reverse("customers:card", args=[org_a.slug, customer.pk]),
        "transactions": reverse("panel_body", args=[org_a.slug, "customer", "transactions", customer.pk]),
        "vehicle": reverse("vehicles:detail", args=[org_a.slug, first.vehicle_id]),
    }
    one = {name: queries(client_admin_a, url) for name, url in urls.items()}
    more = _contracts(world, 19, start=1)
    # The vehicle page sees its own contracts grow too.
    for i in range(5):
        book(customer, world["group"], world["station"], at(30 + i), at(30 + i, 18), vehicle=first.vehicle)
    twenty = {name: queries(client_admin_a, url) for name, url in urls.items()}
    assert twenty == one
    assert len(more) == 19


def test_contract_page_queries_do_not_grow_with_lines_drivers_notes(client_admin_a, org_a, world):
    contract = _contracts(world, 1)[0]
    url = reverse("contracts:detail", args=[org_a.slug, contract.pk])
    one = queries(client_admin_a, url)
    for i in range(5):
        _driver_and_note(contract, make_customer(org_a, last_name=f"Fahrer {i}"))
    assert queries(client_admin_a, url) == one

"""Customer rules at booking: blocked, terminated, time-limited, may not reserve, parallel bookings,
booking targets, licence expiry, sub-customers under their main customer's rules."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django_scopes import scope

from contracts.services.lifecycle import contract_cancel
from customers.models import Customer, CustomerSettings
from tests.actors import admin_of
from tests.conftest import data_helper
from tests.contracts.conftest import at, book
from tests.customers.conftest import make_customer
from tests.vehicles.conftest import make_vehicle

pytestmark = pytest.mark.django_db


@data_helper
def update(customer, **fields):
    Customer.objects.filter(pk=customer.pk).update(**fields)
    customer.refresh_from_db()
    return customer


def refusal(customer, group, station, starts_at, ends_at, **kwargs) -> dict:
    with pytest.raises(ValidationError) as refused:
        book(customer, group, station, starts_at, ends_at, **kwargs)
    return refused.value.message_dict


def test_a_blocked_customer_cannot_book_and_is_told_why(station_a1, group_a, car1, customer_a):
    update(customer_a, is_blocked=True, blocked_reason="offene Rechnungen")
    errors = refusal(customer_a, group_a, station_a1, at(0), at(1), vehicle=car1)
    assert "offene Rechnungen" in errors["customer"][0]


def test_a_terminated_customer_cannot_book(station_a1, group_a, car1, customer_a):
    update(customer_a, contract_end=timezone.localdate() - dt.timedelta(days=1))
    assert "customer" in refusal(customer_a, group_a, station_a1, at(0), at(1), vehicle=car1)


def test_a_time_limited_customer_books_only_until_the_limit(station_a1, group_a, car1, customer_a):
    update(customer_a, valid_until=at(1).date())
    assert "customer" in refusal(customer_a, group_a, station_a1, at(0), at(2), vehicle=car1)
    book(customer_a, group_a, station_a1, at(0), at(1), vehicle=car1)


def test_may_not_reserve_from_the_customer_or_the_organization_default(org_a, station_a1, group_a, car1, customer_a):
    update(customer_a, may_reserve=False)
    with translation.override("de"):
        assert "reservieren" in refusal(customer_a, group_a, station_a1, at(0), at(1), vehicle=car1)["customer"][0]

    update(customer_a, may_reserve=None)
    CustomerSettings.objects.create(organization=org_a, may_reserve=False)
    assert "customer" in refusal(customer_a, group_a, station_a1, at(0), at(1), vehicle=car1)

    update(customer_a, may_reserve=True)  # the customer's own value wins over the default
    book(customer_a, group_a, station_a1, at(0), at(1), vehicle=car1)


def test_the_parallel_limit_uses_the_customer_value_else_the_default(
    org_a, station_a1, group_a, car1, car2, customer_a
):
    first = book(customer_a, group_a, station_a1, at(0), at(1), vehicle=car1)
    errors = refusal(customer_a, group_a, station_a1, at(0), at(1), vehicle=car2)
    assert "1" in errors["customer"][0]

    update(customer_a, additional_parallel_bookings=1)
    book(customer_a, group_a, station_a1, at(0), at(1), vehicle=car2)
    assert "customer" in refusal(customer_a, group_a, station_a1, at(3), at(4), vehicle=car1)

    with scope(organization=org_a):
        contract_cancel(actor=admin_of(org_a), contract=first, reason="storniert")
    book(customer_a, group_a, station_a1, at(3), at(4), vehicle=car1)  # a cancelled one no longer counts


def test_the_organization_default_for_parallel_bookings(org_a, station_a1, group_a, car1, car2, customer_a):
    CustomerSettings.objects.create(organization=org_a, additional_parallel_bookings=1)
    book(customer_a, group_a, station_a1, at(0), at(1), vehicle=car1)
    book(customer_a, group_a, station_a1, at(0), at(1), vehicle=car2)


def test_internal_customers_book_without_limit(org_a, station_a1, group_a):
    internal = make_customer(org_a, last_name="Werkstatt", is_internal=True)
    for n in range(3):
        car = make_vehicle(org_a, station_a1, group_a, plate=f"M-IN {n + 1}")
        book(internal, group_a, station_a1, at(0), at(1), vehicle=car)


def test_booking_targets_restrict_groups_and_stations(
    org_a, station_a1, station_a2, group_a, group_a_large, car1, customer_a
):
    with scope(organization=org_a):
        customer_a.allowed_vehicle_groups.set([group_a_large])
    errors = refusal(customer_a, group_a, station_a1, at(0), at(1), vehicle=car1)
    assert "Kleinwagen" in errors["customer"][0]

    with scope(organization=org_a):
        customer_a.allowed_vehicle_groups.set([group_a])
        customer_a.allowed_stations.set([station_a2])
    errors = refusal(customer_a, group_a, station_a1, at(0), at(1), vehicle=car1)
    assert "A1 München" in errors["customer"][0]

    with scope(organization=org_a):
        customer_a.allowed_stations.set([station_a1])
    book(customer_a, group_a, station_a1, at(0), at(1), vehicle=car1)


def test_a_licence_expiring_before_the_return_is_refused(station_a1, group_a, car1, customer_a):
    update(customer_a, licence_expires_on=at(1).date())
    errors = refusal(customer_a, group_a, station_a1, at(0), at(2), vehicle=car1)
    assert "ends_at" in errors
    book(customer_a, group_a, station_a1, at(0), at(1), vehicle=car1)  # valid through the return day


def test_a_sub_customer_books_under_the_main_customers_rules(
    org_a, station_a1, group_a, group_a_large, car1, customer_a
):
    sub = make_customer(org_a, last_name="Tochter", main_customer=customer_a)
    update(customer_a, may_reserve=False)
    assert "customer" in refusal(sub, group_a, station_a1, at(0), at(1), vehicle=car1)

    update(sub, may_reserve=True)  # the sub-customer's own value wins where set
    with scope(organization=org_a):
        customer_a.allowed_vehicle_groups.set([group_a_large])
    assert "Kleinwagen" in refusal(sub, group_a, station_a1, at(0), at(1), vehicle=car1)["customer"][0]

    with scope(organization=org_a):
        customer_a.allowed_vehicle_groups.clear()
    update(customer_a, is_blocked=True, blocked_reason="Zahlungsverzug")
    assert "Zahlungsverzug" in refusal(sub, group_a, station_a1, at(0), at(1), vehicle=car1)["customer"][0]

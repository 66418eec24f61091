"""Hypothesis over whole settlements against the fake Stripe: whatever the rental came to — short
(a credit note and a refund), long with extra km, missing fuel beyond the deposit, an extension
paid ahead — refunds never exceed what was captured, the contract's invoices add up to its payments
minus refunds, and the deposit's deductions never exceed the hold."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import DepositDeduction, DepositHold, Invoice, Payment, Refund, Settlement, SettlementCharge
from billing.services.settlement import settlement_charge_update, settlement_propose, settlement_run
from billing.services.stored_card_charges import payment_charge_run, stored_card_charge
from contracts.models import Contract, Tariff
from tests.actors import admin_of
from tests.billing.payment_data import paid_booking
from tests.billing.settlement_data import booked, returned, work
from tests.conftest import data_helper
from tests.customers.conftest import make_customer
from tests.vehicles.conftest import make_vehicle
from vehicles.models import VehicleGroup

pytestmark = pytest.mark.django_db

ZERO = Decimal("0")


@pytest.fixture
def fleet(org_a, station_a1):
    group = VehicleGroup.objects.create(organization=org_a, name="Kompakt", code="KOMPAKT")
    tariff = Tariff.objects.create(
        organization=org_a,
        name="Kompakt",
        vehicle_group=group,
        valid_from=dt.date(2020, 1, 1),
        price_per_day=Decimal("50.00"),
        price_per_hour=Decimal("9.00"),
        included_km_per_day=100,
        price_per_extra_km=Decimal("0.250"),
    )
    return {"org": org_a, "station": station_a1, "group": group, "tariff": tariff}


@data_helper
def new_car_and_customer(fleet, n: int):
    car = make_vehicle(fleet["org"], fleet["station"], fleet["group"], plate=f"M-HY {n}", km=1000)
    customer = make_customer(fleet["org"], first_name="Kunde", last_name=f"Nr {n}", email=f"k{n}@example.com")
    return car, customer


def _sum(qs, field="amount") -> Decimal:
    return qs.aggregate(t=Sum(field))["t"] or ZERO


rentals = st.fixed_dictionaries(
    {
        "booked_days": st.integers(1, 3),
        "hours_out": st.sampled_from([1, 3, 20, 26, 49, 75]),
        "km_driven": st.integers(0, 900),
        "fuel_in": st.integers(0, 8),
        "deposit": st.sampled_from([Decimal("0.00"), Decimal("40.00"), Decimal("300.00")]),
        "fuel_charge": st.none() | st.decimals(min_value=0, max_value=900, places=2),
        "ahead": st.sampled_from([ZERO, Decimal("35.00"), Decimal("120.00")]),
    }
)

counter = {"n": 0}


@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rental=rentals)
def test_settlement_money_adds_up(fleet, fake_stripe, rental):
    counter["n"] += 1
    org = fleet["org"]
    car, customer = new_car_and_customer(fleet, counter["n"])
    contract = booked(
        customer,
        fleet["group"],
        fleet["station"],
        car,
        fleet["tariff"],
        days=rental["booked_days"],
        deposit=rental["deposit"],
    )
    paid_booking(contract)
    with scope(organization=org):
        if rental["ahead"]:
            payment_charge_run(
                payment=stored_card_charge(
                    actor=admin_of(org),
                    customer=customer,
                    amount=rental["ahead"],
                    description="Vorab",
                    contract=contract,
                )
            )
    contract = returned(contract, hours=rental["hours_out"], km_driven=rental["km_driven"], fuel_in=rental["fuel_in"])
    with scope(organization=org):
        settlement = settlement_propose(contract=contract)
        fuel = settlement.charges.filter(kind=SettlementCharge.Kind.FUEL).first()
        if fuel is not None and rental["fuel_charge"] is not None:
            settlement_charge_update(actor=admin_of(org), charge=fuel, amount=rental["fuel_charge"], from_deposit=True)
        settlement_run(actor=None, settlement=settlement)
    settlement = work(settlement)

    assert settlement.state == Settlement.State.SETTLED, settlement.failure_reason
    with scopes_disabled():
        assert Contract.objects.get(pk=contract.pk).status == Contract.Status.SETTLED
        payments = Payment.objects.filter(contract=contract, state=Payment.State.SUCCEEDED)
        refunds = Refund.objects.filter(payment__contract=contract, state=Refund.State.SUCCEEDED)
        # Refunds never exceed captures: per payment and in all.
        for payment in payments:
            assert _sum(refunds.filter(payment=payment)) <= payment.amount
        assert _sum(refunds) <= _sum(payments)
        # The contract's documents add up to the money kept.
        invoiced = _sum(Invoice.objects.filter(contract=contract, status=Invoice.Status.ISSUED), "gross_total")
        assert invoiced == _sum(payments) - _sum(refunds)
        final = Invoice.objects.get(contract=contract, purpose=Invoice.Purpose.FINAL)
        assert (final.kind == Invoice.Kind.CREDIT_NOTE) == (final.gross_total < 0)
        # Deductions never exceed the hold, and the hold captured exactly the deductions.
        for hold in DepositHold.objects.filter(contract=contract):
            deducted = _sum(DepositDeduction.objects.filter(hold=hold))
            assert deducted <= hold.amount
            assert hold.captured_amount == deducted
            assert hold.state in (DepositHold.State.CAPTURED, DepositHold.State.RELEASED)

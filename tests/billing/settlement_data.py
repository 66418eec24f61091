"""Data for the settlement tests: a tariff with included km, a booked contract, check-out and
check-in through contracts' services (or through protocols, for damages found at check-in)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from billing.models import BillingSettings
from contracts.models import Contract, Tariff
from contracts.services.lifecycle import contract_check_in, contract_check_out
from protocols.models import Protocol
from protocols.services.capture import protocol_damage_add
from tests.actors import admin_of
from tests.conftest import data_helper
from tests.contracts.conftest import book
from tests.customers.conftest import make_customer
from tests.protocols.conftest import photo, record
from tests.vehicles.conftest import make_vehicle
from vehicles.models import VehicleGroup

PRICE_PER_DAY = Decimal("50.00")
INCLUDED_KM = 100
PER_EXTRA_KM = Decimal("0.300")


def now_ish(hours: float = 0) -> dt.datetime:
    return timezone.now().replace(microsecond=0) + dt.timedelta(hours=hours)


@data_helper
def settings_for(org, **fields) -> BillingSettings:
    settings, _created = BillingSettings.objects.get_or_create(organization=org)
    for key, value in fields.items():
        setattr(settings, key, value)
    settings.save()
    return settings


@pytest.fixture
def s_group(org_a):
    return VehicleGroup.objects.create(organization=org_a, name="Kompakt", code="KOMPAKT")


@pytest.fixture
def s_tariff(org_a, s_group):
    return Tariff.objects.create(
        organization=org_a,
        name="Kompakt",
        vehicle_group=s_group,
        valid_from=dt.date(2020, 1, 1),
        price_per_day=PRICE_PER_DAY,
        included_km_per_day=INCLUDED_KM,
        price_per_extra_km=PER_EXTRA_KM,
    )


@pytest.fixture
def s_car(org_a, station_a1, s_group):
    return make_vehicle(org_a, station_a1, s_group, plate="M-ST 1", km=1000)


@pytest.fixture
def s_customer(org_a):
    return make_customer(org_a, first_name="Jürgen", last_name="Müller", email="juergen@example.com")


@data_helper
def booked(customer, group, station, car, tariff, *, days: int = 2, deposit: Decimal = Decimal("300.00")) -> Contract:
    contract = book(customer, group, station, now_ish(-days * 24 - 1), now_ish(-1), vehicle=car, tariff=tariff)
    Contract.objects.filter(pk=contract.pk).update(deposit=deposit)
    contract.refresh_from_db()
    return contract


@data_helper
def returned(contract, *, hours: float, km_driven: int, fuel_out: int = 8, fuel_in: int = 8) -> Contract:
    """Checked out `hours` before now and checked in now, through contracts' services."""
    actor = admin_of(contract)
    out_at = now_ish(-hours)
    with scope(organization=contract.organization):
        contract = contract_check_out(actor=actor, contract=contract, km=1000 + 0, fuel=fuel_out, at=out_at)
        contract = contract_check_in(
            actor=actor,
            contract=contract,
            km=1000 + km_driven,
            fuel=fuel_in,
            station=contract.pickup_station,
            at=now_ish(),
            confirm_km_jump=True,
        )
    return contract


def returned_with_damage(contract, *, km_in: int = 1600, fuel_in: int = 6, severity: str = "minor") -> Contract:
    """Check-out and check-in protocols; the check-in finds a new damage with a photo."""
    record(contract, Protocol.Kind.CHECK_OUT, km=1100, fuel=8)

    def damage(protocol):
        protocol_damage_add(
            actor=admin_of(contract),
            protocol=protocol,
            area="front",
            description="Kratzer Stoßstange",
            severity=severity,
            photos=[photo((200, 30, 30))],
        )

    record(contract, Protocol.Kind.CHECK_IN, km=km_in, fuel=fuel_in, before_submit=damage)
    with scopes_disabled():
        contract.refresh_from_db()
    return contract


@data_helper
def work(settlement, *, rounds: int = 8):
    """Play the workers: run the settlement's steps and the money tasks they queued, until it stops
    waiting (bcore's task bodies, as `tests/billing/payment_data.paid_booking` does)."""
    from billing.models import DepositHold, Payment, Refund, Settlement
    from billing.provider import ProviderUnavailable
    from billing.services.holds import hold_capture_run, hold_release_run
    from billing.services.refunds import refund_run
    from billing.services.settlement import settlement_advance
    from billing.services.stored_card_charges import payment_charge_run

    with scope(organization=settlement.organization):
        for _round in range(rounds):
            state = settlement_advance(settlement=settlement)
            if state != Settlement.State.RUNNING:
                break
            contract = settlement.contract
            try:
                for hold in DepositHold.objects.filter(contract=contract, state=DepositHold.State.HELD):
                    if hold.deductions.exists():
                        hold_capture_run(hold=hold)
                    else:
                        hold_release_run(hold=hold)
                for payment in Payment.objects.filter(contract=contract, state=Payment.State.CREATED):
                    payment_charge_run(payment=payment)
                for refund in Refund.objects.filter(payment__contract=contract, state=Refund.State.CREATED):
                    refund_run(refund=refund)
            except ProviderUnavailable:
                pass  # the task would retry later
        settlement.refresh_from_db()
    return settlement

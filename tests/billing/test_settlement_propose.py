"""The proposal after check-in: the contract re-priced with what really happened, the charges for
missing fuel and new damages, the breakdown stored before anything is charged."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from django_scopes import scope, scopes_disabled

from billing.models import BillingSettings, Settlement, SettlementCharge
from billing.services.settlement import settlement_propose
from contracts.models import Contract
from tests.billing import settlement_data as data
from tests.billing.settlement_data import booked, returned, returned_with_damage, settings_for

# Fixtures of the settlement data, made visible to this module.
s_car, s_customer, s_group, s_tariff = data.s_car, data.s_customer, data.s_group, data.s_tariff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def propose(contract) -> Settlement:
    with scope(organization=contract.organization):
        settlement = settlement_propose(contract=contract)
        settlement.refresh_from_db()
        return settlement


def test_extra_km_and_actual_days_are_priced_and_the_breakdown_is_stored(
    org_a, station_a1, s_group, s_car, s_customer, s_tariff
):
    contract = booked(s_customer, s_group, station_a1, s_car, s_tariff, days=2)
    # Three days out (72 h), 700 km: 300 km included, 400 extra at 0.30 €.
    contract = returned(contract, hours=72, km_driven=700)

    settlement = propose(contract)

    bd = settlement.breakdown
    assert settlement.state == Settlement.State.PROPOSED
    assert Decimal(bd["old_total"]) == Decimal("100.00")  # booked: 2 days
    assert [line["kind"] for line in bd["lines"]] == ["rent", "km"]
    assert Decimal(bd["lines"][0]["gross"]) == Decimal("150.00")
    assert Decimal(bd["lines"][1]["quantity"]) == 400
    assert Decimal(bd["lines"][1]["gross"]) == Decimal("120.00")
    assert Decimal(bd["total_due"]) == settlement.new_total == Decimal("270.00")
    assert Decimal(bd["paid"]) == Decimal("0.00") and Decimal(bd["held"]) == Decimal("0.00")
    assert Decimal(bd["difference"]) == settlement.difference == Decimal("270.00")
    with scopes_disabled():
        assert Contract.objects.get(pk=contract.pk).status == Contract.Status.CHECKED_IN


def test_missing_fuel_and_a_new_damage_become_charges_priced_from_the_settings(
    org_a, station_a1, s_group, s_car, s_customer, s_tariff
):
    settings_for(org_a, fuel_price_per_eighth=Decimal("10.00"), damage_charge_medium=Decimal("480.00"))
    contract = booked(s_customer, s_group, station_a1, s_car, s_tariff, days=2)
    contract = returned_with_damage(contract, fuel_in=5, severity="medium")

    settlement = propose(contract)

    with scope(organization=org_a):
        charges = list(settlement.charges.order_by("kind"))
    assert [(c.kind, c.amount, c.from_deposit) for c in charges] == [
        (SettlementCharge.Kind.DAMAGE, Decimal("480.00"), True),
        (SettlementCharge.Kind.FUEL, Decimal("30.00"), True),
    ]
    assert charges[0].damage is not None and "Kratzer" in charges[0].description
    assert Decimal(settlement.breakdown["charges_total"]) == Decimal("510.00")


def test_a_second_proposal_keeps_the_charges_staff_corrected_and_adds_none_twice(
    org_a, station_a1, s_group, s_car, s_customer, s_tariff
):
    contract = booked(s_customer, s_group, station_a1, s_car, s_tariff, days=2)
    contract = returned_with_damage(contract)
    settlement = propose(contract)
    with scope(organization=org_a):
        damage_charge = settlement.charges.get(kind=SettlementCharge.Kind.DAMAGE)
        SettlementCharge.objects.filter(pk=damage_charge.pk).update(amount=Decimal("99.00"))

    again = propose(contract)

    assert again.pk == settlement.pk
    with scope(organization=org_a):
        assert settlement.charges.count() == 2
        assert settlement.charges.get(kind=SettlementCharge.Kind.DAMAGE).amount == Decimal("99.00")


def test_a_contract_that_is_not_checked_in_is_refused(org_a, station_a1, s_group, s_car, s_customer, s_tariff):
    from django.core.exceptions import ValidationError

    contract = booked(s_customer, s_group, station_a1, s_car, s_tariff)
    with pytest.raises(ValidationError), scope(organization=org_a):
        settlement_propose(contract=contract)
    with scopes_disabled():
        assert not Settlement.objects.exists()


def test_check_in_proposes_through_the_receiver_and_waits_in_confirm_mode(
    org_a, station_a1, s_group, s_car, s_customer, s_tariff, django_capture_on_commit_callbacks
):
    from rentoffice.celery import app as celery_app

    settings_for(org_a, settlement_mode=BillingSettings.SettlementMode.CONFIRM)
    contract = booked(s_customer, s_group, station_a1, s_car, s_tariff)
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            returned(contract, hours=30, km_driven=150)
    finally:
        celery_app.conf.task_always_eager = False

    with scopes_disabled():
        settlement = Settlement.objects.get(contract=contract)
        assert settlement.state == Settlement.State.PROPOSED
        assert Decimal(settlement.breakdown["total_due"]) == Decimal("100.00")  # 2 days, 200 km included
        assert Contract.objects.get(pk=contract.pk).status == Contract.Status.CHECKED_IN

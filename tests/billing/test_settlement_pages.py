"""The settlement page: breakdown before any charge, charges corrected with field errors for bad
input, waiving with its right, outsiders 404."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from billing.models import Settlement, SettlementCharge
from billing.services.settlement import settlement_propose
from contracts.models import Contract
from tests.billing import settlement_data as data
from tests.billing.settlement_data import booked, returned_with_damage

pytestmark = pytest.mark.django_db

s_car, s_customer, s_group, s_tariff = data.s_car, data.s_customer, data.s_group, data.s_tariff


@pytest.fixture
def settlement(org_a, station_a1, s_group, s_car, s_customer, s_tariff):
    contract = booked(s_customer, s_group, station_a1, s_car, s_tariff, days=2)
    contract = returned_with_damage(contract, fuel_in=8)
    with scope(organization=org_a):
        return settlement_propose(contract=contract)


def url(name, settlement, *args):
    return reverse(f"billing:{name}", args=[settlement.organization.slug, settlement.pk, *args])


def damage_charge(settlement) -> SettlementCharge:
    with scope(organization=settlement.organization):
        return settlement.charges.get(kind=SettlementCharge.Kind.DAMAGE)


def test_the_page_shows_the_breakdown_and_the_damage_with_its_photo_before_anything_is_charged(
    client_admin_a, settlement
):
    response = client_admin_a.get(url("settlement", settlement))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="settlement-breakdown"' in html
    assert 'data-testid="settlement-settle"' in html
    assert 'data-testid="charge-photos"' in html
    assert "Kratzer" in html
    # The contract page carries the same breakdown in its settlement panel.
    contract_page = client_admin_a.get(
        reverse("contracts:detail", args=[settlement.organization.slug, settlement.contract_id])
    )
    assert 'data-testid="contract-settlement"' in contract_page.content.decode()


@pytest.mark.parametrize("amount", ["-5", "1e9", "abc", "12.345", "1\x00"])
def test_bad_amounts_are_field_errors_and_change_nothing(client_admin_a, settlement, amount):
    charge = damage_charge(settlement)
    prefix = f"charge-{charge.pk}"
    response = client_admin_a.post(url("settlement_charge_update", settlement, charge.pk), {f"{prefix}-amount": amount})
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    assert damage_charge(settlement).amount == charge.amount


def test_staff_correct_a_charge_and_the_breakdown_follows(client_admin_a, settlement):
    charge = damage_charge(settlement)
    prefix = f"charge-{charge.pk}"
    response = client_admin_a.post(
        url("settlement_charge_update", settlement, charge.pk),
        {f"{prefix}-amount": "320.50", f"{prefix}-from_deposit": "on"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        fresh = Settlement.objects.get(pk=settlement.pk)
    assert damage_charge(settlement).amount == Decimal("320.50")
    assert Decimal(fresh.breakdown["charges_total"]) == Decimal("320.50")


def test_waiving_needs_billing_change_and_a_reason_then_settles_the_contract(
    client_admin_a, client_staff_a1, settlement
):
    assert client_staff_a1.post(url("settlement_waive", settlement), {"reason": "Kulanz"}).status_code == 403
    empty = client_admin_a.post(url("settlement_waive", settlement), {"reason": "  "})
    assert empty.status_code == 400
    response = client_admin_a.post(url("settlement_waive", settlement), {"reason": "Kulanz, Stammkunde"})
    assert response.status_code == 302
    with scopes_disabled():
        fresh = Settlement.objects.select_related("contract").get(pk=settlement.pk)
    assert fresh.state == Settlement.State.WAIVED and fresh.waive_reason == "Kulanz, Stammkunde"
    assert fresh.contract.status == Contract.Status.SETTLED


def test_outsiders_and_other_stations_get_404(client_admin_b, client_staff_a2, settlement):
    charge = damage_charge(settlement)
    for client in (client_admin_b, client_staff_a2):
        assert client.get(url("settlement", settlement)).status_code == 404
        assert client.post(url("settlement_run", settlement)).status_code in (403, 404)
        assert client.post(url("settlement_charge_update", settlement, charge.pk), {}).status_code in (403, 404)
    assert client_admin_b.post(url("settlement_run", settlement)).status_code == 404

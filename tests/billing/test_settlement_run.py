"""Running a settlement against the fake Stripe: deductions captured from the deposit and the rest
released, the difference charged on the stored card or refunded, the final invoice with the booking
invoice deducted, the contract settled only when all of it completed; failures and retries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import translation
from django_scopes import scope, scopes_disabled

from billing.models import DepositDeduction, DepositHold, Invoice, Payment, Refund, Settlement, SettlementCharge
from billing.services.settlement import (
    settlement_charge_update,
    settlement_propose,
    settlement_retry,
    settlement_run,
    settlement_waive,
)
from contracts.models import Contract
from tests.actors import admin_of, membership_of
from tests.billing import settlement_data as data
from tests.billing.payment_data import paid_booking
from tests.billing.settlement_data import booked, returned, returned_with_damage, settings_for, work

pytestmark = pytest.mark.django_db

s_car, s_customer, s_group, s_tariff = data.s_car, data.s_customer, data.s_group, data.s_tariff


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def proposed(contract) -> Settlement:
    with scope(organization=contract.organization):
        return settlement_propose(contract=contract)


def run(settlement, actor=None) -> Settlement:
    with scope(organization=settlement.organization):
        settlement_run(actor=actor, settlement=settlement)
    return work(settlement)


def totals(contract) -> dict:
    with scopes_disabled():
        invoices = Invoice.objects.filter(contract=contract, status=Invoice.Status.ISSUED)
        payments = Payment.objects.filter(contract=contract, state=Payment.State.SUCCEEDED)
        refunds = Refund.objects.filter(payment__contract=contract, state=Refund.State.SUCCEEDED)
        holds = DepositHold.objects.filter(contract=contract)
        return {
            "invoiced": invoices.aggregate(t=Sum("gross_total"))["t"] or Decimal("0"),
            "paid": payments.aggregate(t=Sum("amount"))["t"] or Decimal("0"),
            "refunded": refunds.aggregate(t=Sum("amount"))["t"] or Decimal("0"),
            "deducted": DepositDeduction.objects.filter(hold__contract=contract).aggregate(t=Sum("amount"))["t"]
            or Decimal("0"),
            "held": sum((h.amount for h in holds), Decimal("0")),
            "captured": sum((h.captured_amount for h in holds), Decimal("0")),
        }


@pytest.fixture
def paid_contract(org_a, station_a1, s_group, s_car, s_customer, s_tariff, fake_stripe):
    """Booked for 2 days, one day's rent (50 €) paid by card, 300 € deposit held on the card."""
    contract = booked(s_customer, s_group, station_a1, s_car, s_tariff, days=2, deposit=Decimal("300.00"))
    paid_booking(contract)
    with scopes_disabled():
        assert DepositHold.objects.get(contract=contract).state == DepositHold.State.HELD
    return contract


def test_new_damage_and_fuel_come_from_the_deposit_and_the_rest_is_charged_on_the_card(org_a, paid_contract):
    # 1 day out, 500 km (100 included → 400 × 0.30 = 120 €), 2/8 fuel missing (24 €), minor damage (150 €).
    contract = returned_with_damage(paid_contract, km_in=1600, fuel_in=6)
    settlement = proposed(contract)
    assert Decimal(settlement.breakdown["total_due"]) == Decimal("344.00")
    assert Decimal(settlement.breakdown["deducted"]) == Decimal("174.00")
    assert Decimal(settlement.breakdown["difference"]) == Decimal("120.00")
    with scopes_disabled():
        assert not Payment.objects.filter(contract=contract, purpose=Payment.Purpose.SETTLEMENT).exists()

    settlement = run(settlement, actor=admin_of(org_a))

    assert settlement.state == Settlement.State.SETTLED, settlement.failure_reason
    with scopes_disabled():
        hold = DepositHold.objects.get(contract=contract)
        assert hold.state == DepositHold.State.CAPTURED and hold.captured_amount == Decimal("174.00")
        kinds = sorted(DepositDeduction.objects.filter(hold=hold).values_list("kind", "amount"))
        assert kinds == [("damage", Decimal("150.00")), ("fuel", Decimal("24.00"))]
        assert DepositDeduction.objects.get(hold=hold, kind="damage").damage_id is not None
        charge = Payment.objects.get(contract=contract, purpose=Payment.Purpose.SETTLEMENT)
        assert charge.state == Payment.State.SUCCEEDED and charge.amount == Decimal("120.00")
        final = Invoice.objects.get(contract=contract, purpose=Invoice.Purpose.FINAL)
        assert final.kind == Invoice.Kind.INVOICE and final.gross_total == Decimal("294.00")  # 344 − 50 booking
        assert final.lines.filter(kind="advance", deducts__purpose=Invoice.Purpose.BOOKING).exists()
        assert Contract.objects.get(pk=contract.pk).status == Contract.Status.SETTLED
    t = totals(contract)
    assert t["invoiced"] == t["paid"] - t["refunded"] == Decimal("344.00")


def test_without_charges_the_deposit_is_released_and_an_overpayment_refunded(org_a, paid_contract):
    # An extension paid ahead on the stored card (60 €), then returned early: 110 € paid for 50 €.
    from billing.services.stored_card_charges import payment_charge_run, stored_card_charge

    with scope(organization=org_a):
        ahead = stored_card_charge(
            actor=admin_of(org_a),
            customer=paid_contract.customer,
            amount=Decimal("60.00"),
            description="Verlängerung",
            contract=paid_contract,
        )
        payment_charge_run(payment=ahead)
    contract = returned(paid_contract, hours=3, km_driven=40)
    settlement = proposed(contract)
    assert Decimal(settlement.breakdown["difference"]) == Decimal("-60.00")

    settlement = run(settlement)

    assert settlement.state == Settlement.State.SETTLED, settlement.failure_reason
    with scopes_disabled():
        assert DepositHold.objects.get(contract=contract).state == DepositHold.State.RELEASED
        refund = Refund.objects.get(payment__contract=contract)
        assert refund.amount == Decimal("60.00") and refund.state == Refund.State.SUCCEEDED
        assert refund.payment_id == ahead.pk
        final = Invoice.objects.get(contract=contract, purpose=Invoice.Purpose.FINAL)
        assert final.gross_total == Decimal("0.00")  # 50 € rent − 50 € booking invoice
    t = totals(contract)
    assert t["invoiced"] == t["paid"] - t["refunded"] == Decimal("50.00")


def test_confirm_mode_waits_and_staff_corrections_count(org_a, paid_contract):
    contract = returned_with_damage(paid_contract, km_in=1150, fuel_in=8)
    settlement = proposed(contract)
    assert settlement.state == Settlement.State.PROPOSED
    with scope(organization=org_a):
        charge = settlement.charges.get(kind=SettlementCharge.Kind.DAMAGE)
        settlement_charge_update(actor=admin_of(org_a), charge=charge, amount=Decimal("80.00"), from_deposit=True)

    settlement = run(settlement, actor=admin_of(org_a))

    assert settlement.state == Settlement.State.SETTLED
    with scopes_disabled():
        assert DepositHold.objects.get(contract=contract).captured_amount == Decimal("80.00")
        assert not Payment.objects.filter(contract=contract, purpose=Payment.Purpose.SETTLEMENT).exists()
    t = totals(contract)
    assert t["invoiced"] == t["paid"] - t["refunded"] == Decimal("130.00")


def test_a_declined_card_fails_the_settlement_with_the_reason_and_a_recorded_payment_then_completes_it(
    org_a, station_a1, s_group, s_car, s_customer, s_tariff, fake_stripe
):
    from billing.services.open_items import payment_record

    contract = booked(s_customer, s_group, station_a1, s_car, s_tariff, days=2, deposit=Decimal("100.00"))
    paid_booking(contract, card="pm_card_authenticationRequired")  # off-session it needs the customer
    contract = returned(contract, hours=72, km_driven=200)  # 3 days: 150 €, no extra km
    settlement = run(proposed(contract))

    assert settlement.state == Settlement.State.FAILED
    assert "declined" in settlement.failure_reason
    with scopes_disabled():
        assert Contract.objects.get(pk=contract.pk).status == Contract.Status.CHECKED_IN
        declined = Payment.objects.get(contract=contract, purpose=Payment.Purpose.SETTLEMENT)
        assert declined.state == Payment.State.OPEN and declined.pay_token
        open_amount = declined.amount
    assert open_amount == Decimal("100.00")  # 150 − 50 paid; nothing deducted (no charges)

    with scope(organization=org_a):
        payment_record(
            actor=admin_of(org_a),
            customer=contract.customer,
            amount=open_amount,
            method=Payment.Method.BANK_TRANSFER,
            received_on=contract.checked_in_at.date(),
            invoice=settlement.final_invoice,
            contract=contract,
            open_payment=declined,
        )
        settlement_retry(actor=admin_of(org_a), settlement=settlement)
    settlement = work(settlement)

    assert settlement.state == Settlement.State.SETTLED, settlement.failure_reason
    with scopes_disabled():
        assert Payment.objects.get(pk=declined.pk).state == Payment.State.CANCELLED
        assert Invoice.objects.filter(contract=contract, purpose=Invoice.Purpose.FINAL).count() == 1
        assert Contract.objects.get(pk=contract.pk).status == Contract.Status.SETTLED
    t = totals(contract)
    assert t["invoiced"] == t["paid"] - t["refunded"] == Decimal("150.00")


def test_provider_down_mid_way_then_retry_continues_without_charging_twice(org_a, paid_contract, fake_stripe):
    contract = returned(paid_contract, hours=72, km_driven=300)  # 150 € rent, 50 € paid → 100 € open
    settlement = proposed(contract)
    fake_stripe.fail_next("/v1/payment_intents*", status=500, times=50, organization=org_a)
    settlement = run(settlement)
    assert settlement.state == Settlement.State.RUNNING  # the charge task waits to retry
    fake_stripe.clear_failures()

    settlement = work(settlement)

    assert settlement.state == Settlement.State.SETTLED, settlement.failure_reason
    with scopes_disabled():
        charges = list(Payment.objects.filter(contract=contract, purpose=Payment.Purpose.SETTLEMENT))
    assert [(c.state, c.amount) for c in charges] == [(Payment.State.SUCCEEDED, Decimal("100.00"))]
    intents = [e for e in fake_stripe.events(organization=org_a, type="payment_intent.succeeded")]
    assert len([e for e in intents if e["data"]["object"]["amount"] == 10000]) == 1


def test_without_a_stored_card_it_fails_and_waiving_settles_the_contract(
    org_a, station_a1, s_group, s_car, s_customer, s_tariff, staff_a1
):
    contract = booked(s_customer, s_group, station_a1, s_car, s_tariff, days=1)
    contract = returned(contract, hours=5, km_driven=20)
    settlement = run(proposed(contract))
    assert settlement.state == Settlement.State.FAILED
    assert "no stored card" in settlement.failure_reason

    from django.core.exceptions import PermissionDenied

    with scope(organization=org_a):
        with pytest.raises(PermissionDenied):
            settlement_waive(actor=membership_of(staff_a1, org_a), settlement=settlement, reason="x")
        settlement_waive(actor=admin_of(org_a), settlement=settlement, reason="Kulanz")
    with scopes_disabled():
        assert Contract.objects.get(pk=contract.pk).status == Contract.Status.SETTLED
        assert Settlement.objects.get(pk=settlement.pk).state == Settlement.State.WAIVED


def test_automatic_mode_runs_after_check_in_without_anyone(org_a, paid_contract, django_capture_on_commit_callbacks):
    settings_for(org_a, settlement_mode="automatic")
    from rentoffice.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            contract = returned(paid_contract, hours=3, km_driven=10)
    finally:
        celery_app.conf.task_always_eager = False
    with scopes_disabled():
        settlement = Settlement.objects.get(contract=contract)
    settlement = work(settlement)
    assert settlement.state == Settlement.State.SETTLED, settlement.failure_reason
    assert settlement.confirmed_by is None

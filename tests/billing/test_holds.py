"""Deposit holds: captured in part for itemised deductions, released, warned about before they expire."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import BillingSettings, DepositDeduction, DepositHold, Payment
from billing.services.holds import (
    hold_authorise_run,
    hold_capture,
    hold_capture_run,
    hold_release,
    hold_release_run,
    holds_expiring,
)
from tests.actors import admin_of
from tests.billing.payment_data import (  # noqa: F401  (fixtures)
    DEPOSIT,
    all_rows,
    car1,
    contract_a,
    customer_a,
    fresh,
    group_a,
    messages,
    paid_booking,
    tariff_a,
)

pytestmark = pytest.mark.django_db

CLEANING = DepositDeduction.Kind.CLEANING


@pytest.fixture
def held(contract_a, fake_stripe):  # noqa: F811
    paid_booking(contract_a)
    [hold] = all_rows(DepositHold, contract=contract_a)
    assert hold.state == DepositHold.State.HELD
    return hold


def test_capture_of_deductions_takes_their_sum_and_the_provider_releases_the_rest(org_a, held, fake_stripe):
    with scope(organization=org_a):
        hold_capture(
            actor=admin_of(org_a),
            hold=held,
            deductions=[
                (DepositDeduction.Kind.KM, "120 km extra", Decimal("36.00"), None),
                (CLEANING, "Innenreinigung", Decimal("60.00"), None),
            ],
        )
        hold_capture_run(hold=held)
        hold_capture_run(hold=held)  # a repeated task: nothing more
    hold = fresh(held)
    assert hold.state == DepositHold.State.CAPTURED and hold.captured_amount == Decimal("96.00")
    intent = fake_stripe.intent(hold.provider_id)
    assert (intent["status"], intent["amount_received"], intent["amount_capturable"]) == ("succeeded", 9600, 0)
    [captured] = all_rows(Payment, purpose=Payment.Purpose.DEPOSIT)
    assert captured.amount == Decimal("96.00") and hold.capture_payment_id == captured.pk
    assert [d.description for d in all_rows(DepositDeduction, hold=hold)] == ["120 km extra", "Innenreinigung"]


def test_deductions_above_the_hold_are_refused_and_nothing_is_written(org_a, held):
    with scope(organization=org_a), pytest.raises(ValidationError) as exc:
        hold_capture(
            actor=admin_of(org_a),
            hold=held,
            deductions=[(CLEANING, "Reinigung", Decimal("200.00"), None), (CLEANING, "Lack", Decimal("100.01"), None)],
        )
    assert "deductions" in exc.value.message_dict
    assert all_rows(DepositDeduction) == []
    assert fresh(held).state == DepositHold.State.HELD


def test_release_gives_the_whole_deposit_back(org_a, held, fake_stripe):
    with scope(organization=org_a):
        hold_release(actor=admin_of(org_a), hold=held)
        hold_release_run(hold=held)
    assert fresh(held).state == DepositHold.State.RELEASED
    assert fake_stripe.intent(held.provider_id)["status"] == "canceled"


def test_expiring_hold_is_warned_once_and_reauthorised(org_a, held, fake_stripe):
    with scopes_disabled():
        org_a.office_email = "buero@a.example"
        org_a.save()
        DepositHold.objects.filter(pk=held.pk).update(capture_before=timezone.now() + dt.timedelta(hours=20))
    with scope(organization=org_a):
        assert holds_expiring(organization=org_a) == 1
        assert holds_expiring(organization=org_a) == 0  # the next hourly run: warned already
    [warning] = messages(org_a, "hold_expiring")
    assert warning.recipient == "buero@a.example"
    # Default setting: a new hold replaces it; once held, the old one is released.
    new = all_rows(DepositHold, replaces=held)[0]
    with scope(organization=org_a):
        hold_authorise_run(hold=new)
        hold_release_run(hold=held)
    assert fresh(new).state == DepositHold.State.HELD and fresh(new).amount == DEPOSIT
    assert fresh(held).state == DepositHold.State.RELEASED


def test_expiring_hold_is_captured_when_the_organization_says_so(org_a, held, fake_stripe):
    with scopes_disabled():
        BillingSettings.objects.update_or_create(
            organization=org_a, defaults={"hold_expiry": BillingSettings.HoldExpiry.CAPTURE}
        )
        DepositHold.objects.filter(pk=held.pk).update(capture_before=timezone.now() + dt.timedelta(hours=3))
    with scope(organization=org_a):
        holds_expiring(organization=org_a)
        hold_capture_run(hold=held)
    hold = fresh(held)
    assert hold.state == DepositHold.State.CAPTURED and hold.captured_amount == DEPOSIT
    assert all_rows(DepositHold, replaces=held) == []


amounts = st.decimals(min_value=Decimal("-50"), max_value=Decimal("400"), places=2, allow_nan=False)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], max_examples=60)
@given(values=st.lists(amounts, min_size=0, max_size=5))
def test_deductions_never_exceed_the_hold(org_a, contract_a, values):  # noqa: F811
    """Whatever staff enter, the deductions written are positive and never sum above the hold."""
    with scopes_disabled():
        hold = DepositHold.objects.create(
            organization=org_a,
            contract=contract_a,
            customer=contract_a.customer,
            amount=DEPOSIT,
            state=DepositHold.State.HELD,
        )
    deductions = [(CLEANING, f"Posten {i}", value, None) for i, value in enumerate(values)]
    with scope(organization=org_a):
        try:
            hold_capture(actor=None, hold=hold, deductions=deductions)
        except ValidationError:
            refused = True
        else:
            refused = False
        written = list(DepositDeduction.objects.filter(hold=hold))
    total = sum((d.amount for d in written), Decimal("0"))
    assert total <= hold.amount
    assert all(d.amount > 0 for d in written)
    if refused:
        assert written == []
    else:
        assert total == sum(values, Decimal("0"))

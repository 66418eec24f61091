"""The booking's card payment and later charges on the stored card, against the fake Stripe server."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope, scopes_disabled

from billing.models import DepositHold, Invoice, Payment, StoredCard
from billing.services.payments import booking_payment_start, payment_sync
from billing.services.stored_card_charges import stored_card_charge
from billing.tasks.payments import payment_charge
from tests.actors import admin_of, membership_of
from tests.billing.payment_data import (  # noqa: F401  (fixtures)
    DAY_PRICE,
    DEPOSIT,
    all_rows,
    car1,
    confirm,
    contract_a,
    customer_a,
    eager,
    fresh,
    group_a,
    messages,
    paid_booking,
    tariff_a,
)
from tests.conftest import make_member

pytestmark = pytest.mark.django_db


def test_booking_payment_is_one_days_rent_and_a_second_start_returns_the_same_intent(org_a, contract_a, fake_stripe):  # noqa: F811
    with scope(organization=org_a):
        first = booking_payment_start(actor=admin_of(org_a), contract=contract_a)
        again = booking_payment_start(actor=admin_of(org_a), contract=contract_a)
    assert first.pk == again.pk
    assert first.amount == DAY_PRICE
    assert first.state == Payment.State.PENDING
    assert first.client_secret and first.provider_id == again.provider_id
    intent = fake_stripe.intent(first.provider_id)
    assert intent["amount"] == 4900
    assert intent["setup_future_usage"] == "off_session"  # the card is saved for later charges
    assert len(all_rows(Payment, contract=contract_a)) == 1


def test_paid_booking_stores_card_holds_deposit_issues_invoice_and_confirms_once(
    org_a,
    contract_a,  # noqa: F811
    fake_stripe,
    mailoutbox,
):
    payment = paid_booking(contract_a)
    assert payment.state == Payment.State.SUCCEEDED
    with scope(organization=org_a):
        payment_sync(payment=payment)  # the webhook arriving after the return page: nothing again
        payment_sync(payment=payment)
    [card] = all_rows(StoredCard, customer=contract_a.customer)
    assert (card.brand, card.last4) == ("visa", "4242")
    [hold] = all_rows(DepositHold, contract=contract_a)
    assert hold.state == DepositHold.State.HELD and hold.amount == DEPOSIT and hold.card_id == card.pk
    assert hold.capture_before is not None
    assert fake_stripe.intent(hold.provider_id)["status"] == "requires_capture"
    [invoice] = all_rows(Invoice, contract=contract_a)
    assert invoice.purpose == Invoice.Purpose.BOOKING and invoice.gross_total == DAY_PRICE
    assert fresh(payment).invoice_id == invoice.pk
    assert fresh(invoice).payment_status == Invoice.PaymentStatus.PAID
    [confirmation] = messages(org_a, "reservation_confirmation")
    assert confirmation.recipient == "juergen@example.com"
    assert contract_a.number in confirmation.subject


def test_declined_card_in_the_payment_element_keeps_the_payment_open_for_another_card(org_a, contract_a, fake_stripe):  # noqa: F811
    with scope(organization=org_a):
        payment = booking_payment_start(actor=admin_of(org_a), contract=contract_a)
    confirm(payment, "pm_card_chargeDeclinedInsufficientFunds")
    with scope(organization=org_a):
        payment = payment_sync(payment=payment)
    assert payment.state == Payment.State.PENDING
    assert payment.failure_code == "insufficient_funds"
    assert all_rows(DepositHold, contract=contract_a) == [] and all_rows(Invoice, contract=contract_a) == []
    confirm(payment, "pm_card_visa")
    with scope(organization=org_a):
        assert payment_sync(payment=payment).state == Payment.State.SUCCEEDED


def test_only_members_handling_the_contract_take_its_payment(org_a, station_a2, contract_a, fake_stripe):  # noqa: F811
    other_station = make_member(org_a, "other@a.example", stations=[station_a2])
    auditor = make_member(org_a, "audit@a.example", role_key="auditor")
    for user in (other_station, auditor):
        with scope(organization=org_a), pytest.raises(PermissionDenied):
            booking_payment_start(actor=membership_of(user, org_a), contract=contract_a)
    assert all_rows(Payment) == []


def test_declined_later_charge_becomes_an_open_payment_with_a_pay_link(
    org_a,
    contract_a,  # noqa: F811
    fake_stripe,
    eager,  # noqa: F811
    django_capture_on_commit_callbacks,
    settings,
):
    settings.SITE_URL = "https://rent.example"
    # A card that wants 3-D Secure on every payment: off-session Stripe declines it.
    paid_booking(contract_a, "pm_card_authenticationRequired")
    with scope(organization=org_a), django_capture_on_commit_callbacks(execute=True):
        charge = stored_card_charge(
            actor=admin_of(org_a),
            customer=contract_a.customer,
            amount=Decimal("80.00"),
            description="Reinigung",
            contract=contract_a,
        )
    charge = fresh(charge)
    assert charge.state == Payment.State.OPEN
    assert charge.failure_code == "authentication_required"
    assert charge.pay_token and charge.client_secret  # the pay page confirms the same intent
    [link] = messages(org_a, "payment_link")
    assert link.recipient == "juergen@example.com"
    assert f"https://rent.example/pay/{charge.pay_token}/" in link.body_text


def test_later_charge_on_the_stored_card_succeeds_without_the_customer(
    org_a,
    contract_a,  # noqa: F811
    fake_stripe,
    eager,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    paid_booking(contract_a)
    with scope(organization=org_a), django_capture_on_commit_callbacks(execute=True):
        charge = stored_card_charge(
            actor=admin_of(org_a),
            customer=contract_a.customer,
            amount=Decimal("12.50"),
            description="Tanken",
            contract=contract_a,
        )
    charge = fresh(charge)
    assert charge.state == Payment.State.SUCCEEDED
    assert fake_stripe.intent(charge.provider_id)["amount_received"] == 1250
    assert messages(org_a, "payment_link") == []


def test_provider_500_then_success_charges_once(
    org_a,
    contract_a,  # noqa: F811
    fake_stripe,
    django_capture_on_commit_callbacks,
):
    paid_booking(contract_a)
    with scope(organization=org_a), django_capture_on_commit_callbacks() as callbacks:
        charge = stored_card_charge(
            actor=admin_of(org_a),
            customer=contract_a.customer,
            amount=Decimal("30.00"),
            description="Maut",
            contract=contract_a,
        )
    assert len(callbacks) == 1
    # The provider processes the charge but the answer is lost as a 500: the retry sends the same key.
    fake_stripe.fail_next("/v1/payment_intents", status=500, times=2, after=True)
    from rentoffice.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    try:
        payment_charge.delay(organization_id=org_a.pk, payment_id=charge.pk)
    finally:
        celery_app.conf.task_always_eager = False
    charge = fresh(charge)
    assert charge.state == Payment.State.SUCCEEDED
    intents = [
        event
        for event in fake_stripe.events()
        if event["type"] == "payment_intent.succeeded"
        and event["data"]["object"]["metadata"].get("payment_uuid") == str(charge.uuid)
    ]
    assert len(intents) == 1


@pytest.mark.parametrize(
    ("amount", "description", "field"),
    [
        (Decimal("-5"), "Reinigung", "amount"),
        (Decimal("0"), "Reinigung", "amount"),
        (Decimal("10.005"), "Reinigung", "amount"),
        (Decimal("1e9"), "Reinigung", "amount"),
        ("NaN", "Reinigung", "amount"),
        ("12\x00", "Reinigung", "amount"),
        (Decimal("10"), "", "description"),
        (Decimal("10"), "Rei\x00nigung", "description"),
    ],
)
def test_bad_charge_input_is_a_field_error_and_writes_nothing(
    org_a,
    contract_a,  # noqa: F811
    fake_stripe,
    amount,
    description,
    field,
):
    paid_booking(contract_a)
    with scope(organization=org_a), pytest.raises(ValidationError) as exc:
        stored_card_charge(
            actor=admin_of(org_a),
            customer=contract_a.customer,
            amount=amount,
            description=description,
            contract=contract_a,
        )
    assert field in exc.value.message_dict
    with scopes_disabled():
        assert not Payment.objects.filter(purpose=Payment.Purpose.CHARGE).exists()


def test_open_payment_gets_an_intent_for_the_pay_page_and_is_paid_there(org_a, contract_a, fake_stripe):  # noqa: F811
    from billing.services.payments import open_payment_intent

    paid_booking(contract_a)
    with scopes_disabled():
        charge = Payment.objects.create(
            organization=org_a,
            customer=contract_a.customer,
            contract=contract_a,
            method=Payment.Method.STORED_CARD,
            purpose=Payment.Purpose.CHARGE,
            state=Payment.State.OPEN,
            amount=Decimal("45.00"),
            description="Tanken",
            pay_token="t" * 43,
        )
    with scope(organization=org_a):
        charge = open_payment_intent(payment=charge)
        assert open_payment_intent(payment=charge).client_secret == charge.client_secret  # asked again: the same
    assert charge.state == Payment.State.OPEN and charge.client_secret
    assert fake_stripe.intent(charge.provider_id)["amount"] == 4500
    confirm(charge, "pm_card_mastercard")
    with scope(organization=org_a):
        assert payment_sync(payment=charge).state == Payment.State.SUCCEEDED


def test_sweep_charges_a_stored_card_payment_whose_task_was_lost_once(org_a, contract_a, fake_stripe, eager):  # noqa: F811
    import datetime as dt

    from django.utils import timezone

    from billing.services.stored_card_charges import payments_sync_pending

    paid_booking(contract_a)
    with scope(organization=org_a):
        # The broker was down when the charge was queued: the row waits in `created`.
        charge = stored_card_charge(
            actor=admin_of(org_a),
            customer=contract_a.customer,
            amount=Decimal("19.00"),
            description="Wäsche",
            contract=contract_a,
        )
        Payment.objects.filter(pk=charge.pk).update(created_at=timezone.now() - dt.timedelta(minutes=11))
        assert payments_sync_pending(organization_id=org_a.pk) == 1
        assert payments_sync_pending(organization_id=org_a.pk) == 0  # charged: nothing left to sweep
    assert fresh(charge).state == Payment.State.SUCCEEDED

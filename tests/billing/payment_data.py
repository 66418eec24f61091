"""Data for the payment services: a reserved contract with a tariff (49 € a day, 300 € deposit) at
station A1, and helpers that play the customer's part at the fake Stripe server (the Payment
Element's confirm, the 3-D Secure page) and a worker's part (running a queued task now).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from billing.demo_payments import customer_authenticates, customer_confirms
from billing.models import DepositHold, Payment
from billing.services.holds import hold_authorise_run
from billing.services.payments import booking_payment_start, payment_sync
from contracts.models import Tariff
from rentoffice.models import OutboundMessage
from tests.actors import admin_of
from tests.conftest import data_helper
from tests.contracts.conftest import at, book, car1, customer_a, group_a  # noqa: F401  (fixtures)

DAY_PRICE = Decimal("49.00")
DEPOSIT = Decimal("300.00")


@pytest.fixture
def tariff_a(org_a, group_a):  # noqa: F811
    return Tariff.objects.create(
        organization=org_a,
        name="Kleinwagen Standard",
        vehicle_group=group_a,
        valid_from=dt.date(2020, 1, 1),
        price_per_day=DAY_PRICE,
        deposit=DEPOSIT,
    )


@pytest.fixture
def contract_a(customer_a, group_a, station_a1, car1, tariff_a):  # noqa: F811
    return book(customer_a, group_a, station_a1, at(0), at(3), vehicle=car1, tariff=tariff_a)


@data_helper
def confirm(payment: Payment, card: str = "pm_card_visa") -> dict:
    """The customer submits the Payment Element with `card` (3-D Secure completed when asked)."""
    answer = customer_confirms(
        payment.organization, intent_id=payment.provider_id, client_secret=payment.client_secret, payment_method=card
    )
    status = answer.get("status") or ((answer.get("error") or {}).get("payment_intent") or {}).get("status")
    if status == "requires_action":
        customer_authenticates(intent_id=payment.provider_id, client_secret=payment.client_secret)
    return answer


def paid_booking(contract, card: str = "pm_card_visa") -> Payment:
    """Book → pay one day's rent with `card` → sync (as the return page does) → the hold authorised."""
    with scope(organization=contract.organization):
        payment = booking_payment_start(actor=admin_of(contract), contract=contract)
        confirm(payment, card)
        payment = payment_sync(payment=payment)
        for hold in DepositHold.objects.filter(contract=contract, state=DepositHold.State.CREATED):
            hold_authorise_run(hold=hold)
    return payment


@data_helper
def messages(org, template: str) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(organization=org, template=template).order_by("pk"))


@data_helper
def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def all_rows(model, **filters) -> list:
    with scopes_disabled():
        return list(model.objects.filter(**filters).order_by("pk"))


@pytest.fixture
def eager():
    """Tasks run in the test's process at once, as a worker would run them after commit."""
    from rentoffice.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False

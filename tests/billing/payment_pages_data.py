"""Data for the payment pages' tests: a reserved contract with a tariff (49 € a day, 300 € deposit)
at station A1 for a customer with an e-mail address, and helpers that move money through bcore's
services against the fake Stripe server, as the pages do."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from billing.provider import provider_for
from django_scopes import scope, scopes_disabled

from billing.models import Payment
from billing.services import payments as payment_services
from contracts.models import Tariff
from tests.actors import admin_of
from tests.conftest import data_helper
from tests.contracts.conftest import at, book
from tests.customers.conftest import make_customer
from tests.vehicles.conftest import make_vehicle
from vehicles.models import VehicleGroup

DAY_PRICE = Decimal("49.00")
DEPOSIT = Decimal("300.00")


@data_helper
def rental(org, station, *, plate: str = "M-PY 1", email: str = "kunde@example.com", language: str = "de"):
    with scopes_disabled():
        group = VehicleGroup.objects.create(organization=org, name="Kleinwagen", code=f"K{plate[-1]}{org.pk}")
        car = make_vehicle(org, station, group, plate=plate)
        Tariff.objects.create(
            organization=org,
            name="Kleinwagen Standard",
            vehicle_group=group,
            valid_from=dt.date(2020, 1, 1),
            price_per_day=DAY_PRICE,
            deposit=DEPOSIT,
        )
    customer = make_customer(org, first_name="Jürgen", last_name="Müller", email=email, language_code=language)
    return book(customer, group, station, at(0), at(3), vehicle=car)


def pay_with_card(payment: Payment, card: str = "pm_card_visa") -> None:
    """What the customer does in the Payment Element: confirm the intent with a card at the provider."""
    with scope(organization=payment.organization):
        provider = provider_for(payment.organization)
    provider_confirm(provider, payment.provider_id, card)


def provider_confirm(provider, intent_id: str, card: str) -> None:
    provider._client.v1.payment_intents.confirm(intent_id, params={"payment_method": card})


@data_helper
def paid_booking(contract, card: str = "pm_card_visa") -> Payment:
    """The booking's card payment, paid and synced (stored card, deposit hold, invoice follow)."""
    actor = admin_of(contract)
    with scope(organization=contract.organization):
        payment = payment_services.booking_payment_start(actor=actor, contract=contract)
    pay_with_card(payment, card)
    with scope(organization=contract.organization):
        return payment_services.payment_sync(payment=payment)

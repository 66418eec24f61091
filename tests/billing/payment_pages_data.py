"""Data for the payment pages' tests: a reserved contract with a tariff (49 € a day, 300 € deposit)
for a customer with an e-mail address, and helpers that move money through bcore's services against
the fake Stripe server, as the pages and the customer do (bcore's `payment_data` plays the customer)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django_scopes import scope, scopes_disabled

from billing.models import Payment
from billing.services.stored_card_charges import payment_charge_run, stored_card_charge
from contracts.models import Tariff
from tests.actors import admin_of
from tests.billing.payment_data import confirm, paid_booking
from tests.conftest import data_helper
from tests.contracts.conftest import at, book
from tests.customers.conftest import make_customer
from tests.vehicles.conftest import make_vehicle
from vehicles.models import VehicleGroup

__all__ = ["DAY_PRICE", "DEPOSIT", "open_charge", "paid_booking", "pay_with_card", "rental"]

DAY_PRICE = Decimal("49.00")
DEPOSIT = Decimal("300.00")


@data_helper
def rental(org, station, *, plate: str = "M-PY 1", email: str = "kunde@example.com", language: str = "de"):
    with scopes_disabled():
        group = VehicleGroup.objects.create(organization=org, name="Kleinwagen", code=f"K{plate[-1]}")
        car = make_vehicle(org, station, group, plate=plate)
        tariff = Tariff.objects.create(
            organization=org,
            name="Kleinwagen Standard",
            vehicle_group=group,
            valid_from=dt.date(2020, 1, 1),
            price_per_day=DAY_PRICE,
            deposit=DEPOSIT,
        )
    customer = make_customer(org, first_name="Jürgen", last_name="Müller", email=email, language_code=language)
    return book(customer, group, station, at(0), at(3), vehicle=car, tariff=tariff)


def pay_with_card(payment: Payment, card: str = "pm_card_visa") -> dict:
    """What the customer does in the Payment Element: confirm the intent with `card` (3-D Secure completed)."""
    with scope(organization=payment.organization):
        return confirm(payment, card)


def open_charge(contract, amount: Decimal = Decimal("25.00")) -> Payment:
    """A later charge the stored card declined off-session (it wants 3-D Secure): open, with a pay link."""
    paid_booking(contract, "pm_card_authenticationRequired")
    with scope(organization=contract.organization):
        charge = stored_card_charge(
            actor=admin_of(contract),
            customer=contract.customer,
            amount=amount,
            description="Reinigung",
            contract=contract,
        )
        payment_charge_run(payment=charge)  # the task's work, now
        charge.refresh_from_db()
    assert charge.state == Payment.State.OPEN and charge.pay_token, charge.state
    return charge

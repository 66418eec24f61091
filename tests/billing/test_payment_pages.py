"""The payment pages: the booking's card payment and deposit with its return page, the contract's
payments & deposit panel, later charges, refunds and releases — against bcore's services and the fake
Stripe server (no mocks of our code)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_scopes import scope, scopes_disabled

from billing.models import DepositHold, Payment, Refund
from tests.actors import admin_of
from tests.billing.payment_data import eager  # noqa: F401  (fixture)
from tests.billing.payment_pages_data import DAY_PRICE, paid_booking, pay_with_card, rental

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract_a(org_a, station_a1):
    return rental(org_a, station_a1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def url(name: str, org, pk) -> str:
    return reverse(f"billing:{name}", args=[org.slug, pk])


def _payments(contract):
    with scopes_disabled():
        return list(Payment.objects.filter(contract=contract).order_by("pk"))


def _held(contract):
    with scopes_disabled():
        return list(DepositHold.objects.filter(contract=contract).order_by("pk"))


# The booking's card payment and deposit ----------------------------------------------------------


def test_contract_page_offers_card_payment_and_deposit(client_admin_a, org_a, contract_a):
    page = client_admin_a.get(reverse("contracts:detail", args=[org_a.slug, contract_a.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="payments-panel"' in html
    assert url("booking_payment", org_a, contract_a.pk) in html
    assert 'data-testid="booking-payment-start"' in html


def test_opening_the_payment_page_creates_nothing(client_admin_a, org_a, contract_a):
    page = client_admin_a.get(url("booking_payment", org_a, contract_a.pk))
    assert page.status_code == 200
    assert _payments(contract_a) == []
    assert 'data-testid="booking-payment-start"' in page.content.decode()


def test_starting_shows_the_payment_element_with_the_day_and_the_deposit(client_admin_a, org_a, contract_a):
    response = client_admin_a.post(url("booking_payment", org_a, contract_a.pk))
    assert response.status_code == 302
    [payment] = _payments(contract_a)
    assert payment.purpose == Payment.Purpose.BOOKING
    assert payment.amount == DAY_PRICE
    page = client_admin_a.get(response["Location"])
    html = page.content.decode()
    assert payment.client_secret and f'data-client-secret="{payment.client_secret}"' in html
    assert "49,00 €" in html and "300,00 €" in html
    # Stripe.js (the fake's stand-in here) is allowed on this page only.
    csp = page["Content-Security-Policy"]
    with scope(organization=org_a):
        from billing.provider import provider_for

        provider = provider_for(org_a)
    assert f'src="{provider.js_url}"' in html
    for origin in provider.origins:
        assert origin in csp
    contract_page = client_admin_a.get(reverse("contracts:detail", args=[org_a.slug, contract_a.pk]))
    for origin in provider.origins:
        assert origin not in contract_page["Content-Security-Policy"]


def test_starting_twice_gives_one_payment(client_admin_a, org_a, contract_a):
    client_admin_a.post(url("booking_payment", org_a, contract_a.pk))
    client_admin_a.post(url("booking_payment", org_a, contract_a.pk))
    assert len(_payments(contract_a)) == 1


def test_return_page_shows_paid_and_the_contract_shows_paid_and_hold(
    client_admin_a, org_a, contract_a, django_capture_on_commit_callbacks
):
    client_admin_a.post(url("booking_payment", org_a, contract_a.pk))
    [payment] = _payments(contract_a)
    pay_with_card(payment)
    with django_capture_on_commit_callbacks(execute=True):
        page = client_admin_a.get(
            url("booking_payment_return", org_a, contract_a.pk)
            + f"?payment_intent={payment.provider_id}&redirect_status=succeeded"
        )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-result="succeeded"' in html
    payment.refresh_from_db()
    assert payment.state == Payment.State.SUCCEEDED
    contract_page = client_admin_a.get(reverse("contracts:detail", args=[org_a.slug, contract_a.pk])).content.decode()
    assert "49,00 €" in contract_page
    assert 'data-purpose="booking"' in contract_page and 'data-state="succeeded"' in contract_page


def test_return_page_believes_the_provider_not_the_query_string(client_admin_a, org_a, contract_a):
    client_admin_a.post(url("booking_payment", org_a, contract_a.pk))
    [payment] = _payments(contract_a)
    page = client_admin_a.get(
        url("booking_payment_return", org_a, contract_a.pk)
        + f"?payment_intent={payment.provider_id}&redirect_status=succeeded"
    )
    html = page.content.decode()
    assert 'data-result="succeeded"' not in html
    payment.refresh_from_db()
    assert payment.state != Payment.State.SUCCEEDED
    # The customer can try again right there.
    assert 'data-testid="payment-form"' in html


def test_declined_card_shows_the_reason_and_a_retry(client_admin_a, org_a, contract_a):
    client_admin_a.post(url("booking_payment", org_a, contract_a.pk))
    [payment] = _payments(contract_a)
    answer = pay_with_card(payment, "pm_card_chargeDeclined")
    assert answer["error"]["code"] == "card_declined"
    page = client_admin_a.get(
        url("booking_payment_return", org_a, contract_a.pk) + f"?payment_intent={payment.provider_id}"
    )
    html = page.content.decode()
    assert 'data-result="declined"' in html
    assert 'data-testid="payment-form"' in html or 'data-testid="booking-payment-start"' in html


def test_payments_not_configured_says_so(client_admin_a, org_a, contract_a, settings):
    settings.STRIPE_API_BASE = ""
    page = client_admin_a.get(url("booking_payment", org_a, contract_a.pk))
    assert page.status_code == 200
    assert 'data-testid="payments-not-configured"' in page.content.decode()
    started = client_admin_a.post(url("booking_payment", org_a, contract_a.pk))
    assert started.status_code == 400
    assert 'data-testid="payment-problem"' in started.content.decode()
    assert _payments(contract_a) == []


# The panel ---------------------------------------------------------------------------------------


def _panel_queries(client, org, contract) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("contracts:detail", args=[org.slug, contract.pk])).status_code == 200
    return len(ctx.captured_queries)


def _add_rows(contract, n: int) -> None:
    """More payments, refunds, holds and deductions of the same shape (as bcore's services leave them)."""
    with scopes_disabled():
        booking = Payment.objects.filter(contract=contract, state=Payment.State.SUCCEEDED).first()
        hold = DepositHold.objects.filter(contract=contract).first()
        for i in range(n):
            extra = Payment.objects.create(
                organization=contract.organization,
                customer=contract.customer,
                contract=contract,
                method=Payment.Method.STORED_CARD,
                purpose=Payment.Purpose.CHARGE,
                state=Payment.State.SUCCEEDED,
                amount=Decimal("10.00") + i,
                card=booking.card,
            )
            Refund.objects.create(
                organization=contract.organization, payment=extra, amount=Decimal("1.00"), state="succeeded"
            )
            hold.deductions.create(
                organization=contract.organization,
                kind="damage" if i % 2 else "km",
                description=f"{i}",
                amount=Decimal("1.00"),
                damage=_damage_with_photo(contract) if i % 2 else None,
            )
            DepositHold.objects.create(
                organization=contract.organization,
                contract=contract,
                customer=contract.customer,
                card=booking.card,
                amount=Decimal("5.00"),
                state=DepositHold.State.RELEASED,
            )


def test_panel_query_count_does_not_grow_with_rows(client_admin_a, org_a, contract_a):
    paid_booking(contract_a)
    _add_rows(contract_a, 2)  # one of each kind of row, a damage deduction with its photo among them
    client_admin_a.get(reverse("contracts:detail", args=[org_a.slug, contract_a.pk]))  # warm caches
    few = _panel_queries(client_admin_a, org_a, contract_a)
    _add_rows(contract_a, 6)
    many = _panel_queries(client_admin_a, org_a, contract_a)
    assert many == few


# Later charge, refund, release -------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount",
    ["-5", "0", "0,001", "99999999999", "9" * 40, "1e400", "12\x0034", "abc", "", "NaN", "Infinity"],
)
def test_charge_bad_amounts_are_field_errors(client_admin_a, org_a, contract_a, amount):
    paid_booking(contract_a)
    before = len(_payments(contract_a))
    response = client_admin_a.post(
        url("charge_create", org_a, contract_a.pk), {"amount": amount, "reason": "damage", "note": ""}
    )
    assert response.status_code == 400
    assert "amount" in response.context["form"].errors
    assert len(_payments(contract_a)) == before


def test_charge_takes_the_stored_card(client_admin_a, org_a, contract_a, django_capture_on_commit_callbacks):
    paid_booking(contract_a)
    with django_capture_on_commit_callbacks(execute=False):
        response = client_admin_a.post(
            url("charge_create", org_a, contract_a.pk), {"amount": "25,50", "reason": "fuel", "note": "2/8 Tank"}
        )
    assert response.status_code == 302
    charge = [p for p in _payments(contract_a) if p.purpose == Payment.Purpose.CHARGE]
    # The description reaches the customer: in their language (German here).
    assert [(c.amount, c.description) for c in charge] == [(Decimal("25.50"), "Kraftstoff: 2/8 Tank")]


def test_charge_reason_must_be_one_of_the_list(client_admin_a, org_a, contract_a):
    paid_booking(contract_a)
    response = client_admin_a.post(
        url("charge_create", org_a, contract_a.pk), {"amount": "10", "reason": "bonus", "note": ""}
    )
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors


def test_refund_more_than_paid_is_refused_on_the_form(client_admin_a, org_a, contract_a):
    payment = paid_booking(contract_a)
    response = client_admin_a.post(url("refund_create", org_a, payment.pk), {"amount": "60", "reason": "Kulanz"})
    assert response.status_code == 400
    with scopes_disabled():
        assert not Refund.objects.filter(payment=payment).exists()


@pytest.mark.parametrize("amount", ["-1", "1e9", "7\x00", "x"])
def test_refund_bad_amounts_are_field_errors(client_admin_a, org_a, contract_a, amount):
    payment = paid_booking(contract_a)
    response = client_admin_a.post(url("refund_create", org_a, payment.pk), {"amount": amount, "reason": "Kulanz"})
    assert response.status_code == 400
    assert "amount" in response.context["form"].errors
    with scopes_disabled():
        assert not Refund.objects.filter(payment=payment).exists()


def test_refund_creates_one_refund(client_admin_a, org_a, contract_a, django_capture_on_commit_callbacks):
    payment = paid_booking(contract_a)
    with django_capture_on_commit_callbacks(execute=False):
        response = client_admin_a.post(url("refund_create", org_a, payment.pk), {"amount": "9", "reason": "Kulanz"})
    assert response.status_code == 302
    with scopes_disabled():
        assert [(r.amount, r.reason) for r in Refund.objects.filter(payment=payment)] == [(Decimal("9.00"), "Kulanz")]


def test_release_needs_the_confirmation(
    client_admin_a,
    org_a,
    contract_a,
    django_capture_on_commit_callbacks,
    eager,  # noqa: F811
):
    paid_booking(contract_a)
    [hold] = _held(contract_a)
    refused = client_admin_a.post(url("hold_release", org_a, hold.pk), {})
    assert refused.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        done = client_admin_a.post(url("hold_release", org_a, hold.pk), {"confirm": "on"})
    assert done.status_code == 302
    hold.refresh_from_db()
    assert hold.state == DepositHold.State.RELEASED


def test_station_staff_charge_their_contract_but_do_not_refund(client_staff_a1, org_a, contract_a):
    payment = paid_booking(contract_a)
    assert client_staff_a1.get(url("charge_create", org_a, contract_a.pk)).status_code == 200
    assert client_staff_a1.get(url("refund_create", org_a, payment.pk)).status_code == 403
    panel = client_staff_a1.get(reverse("contracts:detail", args=[org_a.slug, contract_a.pk])).content.decode()
    assert 'data-testid="charge-start"' in panel and 'data-testid="payment-refund"' not in panel


# Outsiders ---------------------------------------------------------------------------------------


def test_outsiders_get_404_everywhere(client_admin_b, client_staff_a2, org_a, org_b, contract_a):
    payment = paid_booking(contract_a)
    [hold] = _held(contract_a)
    urls = [
        ("booking_payment", contract_a.pk),
        ("booking_payment_return", contract_a.pk),
        ("charge_create", contract_a.pk),
        ("refund_create", payment.pk),
        ("hold_release", hold.pk),
    ]
    for name, pk in urls:
        # Another organization, through its own URL and through ours.
        assert client_admin_b.get(url(name, org_b, pk)).status_code == 404, name
        assert client_admin_b.post(url(name, org_b, pk)).status_code == 404, name
        assert client_admin_b.get(url(name, org_a, pk)).status_code == 404, name
    # Staff of another station: 404 for what their role may do, never the page.
    for name, pk in [("booking_payment", contract_a.pk), ("charge_create", contract_a.pk), ("hold_release", hold.pk)]:
        assert client_staff_a2.get(url(name, org_a, pk)).status_code == 404, name


# Deductions and their evidence -------------------------------------------------------------------


def _damage_with_photo(contract):
    from tests.protocols.conftest import photo
    from vehicles.models import Damage
    from vehicles.services.damages import damage_create

    with scope(organization=contract.organization):
        return damage_create(
            actor=admin_of(contract),
            vehicle=contract.vehicle,
            damage=Damage(
                view="front",
                x=Decimal("40"),
                y=Decimal("60"),
                area="front",
                description="Kratzer an der Stoßstange",
                severity="minor",
            ),
            photos=[photo(color=(200, 40, 40))],
        )


def test_panel_itemises_deductions_with_their_evidence(
    client_admin_a, org_a, contract_a, django_capture_on_commit_callbacks
):
    from billing.services.holds import hold_capture
    from protocols.models import Protocol, ProtocolPhoto
    from tests.protocols.conftest import record
    from vehicles.models import DamagePhoto

    paid_booking(contract_a)
    check_out = record(contract_a, Protocol.Kind.CHECK_OUT)
    damage = _damage_with_photo(contract_a)
    [hold] = _held(contract_a)
    with scope(organization=org_a), django_capture_on_commit_callbacks(execute=False):
        hold_capture(
            actor=admin_of(contract_a),
            hold=hold,
            deductions=[
                ("damage", "Kratzer Stoßstange", Decimal("150.00"), damage),
                ("km", "120 Mehrkilometer", Decimal("36.00"), None),
            ],
        )
    with scopes_disabled():
        before = ProtocolPhoto.objects.get(protocol=check_out, view="front")
        after = DamagePhoto.objects.get(damage=damage)
    html = client_admin_a.get(reverse("contracts:detail", args=[org_a.slug, contract_a.pk])).content.decode()
    assert html.count('data-testid="deduction"') == 2
    assert "Kratzer Stoßstange" in html and "120 Mehrkilometer" in html
    assert "150,00 €" in html and "36,00 €" in html
    before_url = reverse("protocols:photo_thumb", args=[org_a.slug, before.pk])
    after_url = reverse("vehicles:damage_photo_thumb", args=[org_a.slug, after.pk])
    assert f'<img src="{before_url}"' in html
    assert f'<img src="{after_url}"' in html
    # The evidence opens for the same member (the links are not decoration).
    assert client_admin_a.get(before_url).status_code == 200
    assert client_admin_a.get(after_url).status_code == 200

"""The issue's "Done when", end to end in the browser (seed 001): staff take the booking's card
payment and deposit in the Payment Element (the fake Stripe's stand-in), the reservation
confirmation and the first invoice go out by e-mail, the car is checked out and checked in with
extra km, missing fuel and a new damage (protocol flow), the settlement shows its breakdown before
anything is charged, one click settles it — deposit deductions captured, the rest released, the
difference charged on the stored card, the final invoice issued and e-mailed — the final invoice's
PDF names the deductions, the contract's payments panel shows the deductions with the damage
photos, and the customer card shows what is still open. Every page accessible (axe-core) and
running under the Content-Security-Policy."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from PIL import Image
from playwright.sync_api import Page, expect

from billing.models import DepositDeduction, DepositHold, Invoice, Payment, Settlement
from billing.services.invoice_lines import LineSpec
from billing.services.invoices import invoice_create_and_issue
from contracts.models import Contract, Tariff
from rentoffice.models import OutboundMessage
from tests.actors import admin_of
from tests.conftest import PASSWORD
from tests.contracts.conftest import book
from tests.customers.conftest import make_customer
from tests.e2e.conftest import assert_accessible, login
from tests.e2e.test_billing_payment_browser import VISA, _fill_card, _open_payment, _pay_and_see_the_hold
from tests.e2e.test_protocols_browser import _check_in, _check_out
from tests.vehicles.conftest import make_vehicle
from vehicles.models import VehicleGroup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def eager_tasks():
    """Money, PDFs and e-mails move in Celery tasks; here they run at once in the live server."""
    from rentoffice.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def world(org_a, station_a1, staff_a1, tmp_path):
    """A 2-day booking under a tariff of 49 € a day with 100 km a day included (0.30 € per extra
    km) and a 300 € deposit, on a car at 12,000 km; the customer owes an older invoice."""
    with scopes_disabled():
        group = VehicleGroup.objects.create(organization=org_a, name="Kleinwagen", code="KLEIN")
        car = make_vehicle(org_a, station_a1, group, plate="M-PR 1", km=12000)
        tariff = Tariff.objects.create(
            organization=org_a,
            name="Kleinwagen Standard",
            vehicle_group=group,
            valid_from=dt.date(2020, 1, 1),
            price_per_day=Decimal("49.00"),
            included_km_per_day=100,
            price_per_extra_km=Decimal("0.300"),
            deposit=Decimal("300.00"),
        )
    customer = make_customer(org_a, first_name="Jürgen", last_name="Müller", email="juergen@example.com")
    now = timezone.now().replace(microsecond=0)
    contract = book(
        customer,
        group,
        station_a1,
        now - dt.timedelta(hours=1),
        now + dt.timedelta(hours=47),
        vehicle=car,
        tariff=tariff,
    )
    with scope(organization=org_a):
        older = invoice_create_and_issue(
            actor=admin_of(org_a),
            customer=customer,
            contract=None,
            purpose=Invoice.Purpose.MANUAL,
            lines=[
                LineSpec.gross_amount(
                    kind="free", description="Reinigung Vormiete", gross=Decimal("59.50"), vat_rate=Decimal("19")
                )
            ],
            station=station_a1,
            send=False,
        )
    photos = {}
    for name, color in (("front", (40, 90, 160)), ("delle", (160, 40, 40)), ("rear", (30, 140, 60))):
        path = tmp_path / f"{name}.jpg"
        buffer = io.BytesIO()
        Image.new("RGB", (800, 600), color).save(buffer, "JPEG")
        path.write_bytes(buffer.getvalue())
        photos[name] = str(path)
    return {"contract": contract, "car": car, "photos": photos, "customer": customer, "older": older}


def _check(page: Page) -> None:
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, page.url


def _messages(contract, template: str) -> list[OutboundMessage]:
    with scopes_disabled():
        return list(OutboundMessage.objects.filter(organization_id=contract.organization_id, template=template))


def _booking_paid_and_mailed(page: Page, live_server, world) -> None:
    contract = world["contract"]
    _open_payment(page, live_server, contract)
    _check(page)
    _fill_card(page, VISA)
    page.click("[data-testid=payment-submit]")
    _pay_and_see_the_hold(page, live_server, contract)
    assert _messages(contract, "reservation_confirmation"), "no reservation confirmation queued"
    with scopes_disabled():
        booking = Invoice.objects.get(contract=contract, purpose=Invoice.Purpose.BOOKING)
        assert booking.gross_total == Decimal("49.00") and booking.email_message_id is not None


def _breakdown_then_settle(page: Page, live_server, world) -> Settlement:
    contract = world["contract"]
    page.goto(live_server.url + f"/o/org-a/contracts/{contract.pk}/")
    panel = page.locator("[data-testid=contract-settlement]")
    expect(panel.locator("[data-testid=settlement-state]")).to_have_text("wartet auf Bestätigung")
    panel.locator("[data-testid=settlement-open]").click()
    # Before anything is charged: 1 day 49 €, 475 km − 100 included = 375 × 0.30 € = 112.50 €,
    # 2/8 fuel 24 €, the new medium damage 500 € → 685.50 €; 49 € paid; 300 € of the deposit.
    expect(page.locator("[data-testid=bd-old-total]")).to_have_text("98,00 €")
    expect(page.locator("[data-testid=bd-new-total]")).to_have_text("685,50 €")
    expect(page.locator("[data-testid=bd-paid]")).to_have_text("49,00 €")
    expect(page.locator("[data-testid=bd-held]")).to_have_text("300,00 €")
    expect(page.locator("[data-testid=bd-deducted]")).to_have_text("300,00 €")
    expect(page.locator("[data-testid=bd-difference]")).to_contain_text("336,50 €")
    expect(page.locator("[data-testid=settlement-line][data-kind=km]")).to_contain_text("375")
    damage = page.locator("[data-testid=settlement-charge][data-kind=damage]")
    expect(damage).to_contain_text("Delle Heckklappe")
    expect(damage.locator("[data-testid=charge-photos] img")).to_have_count(1)
    _check(page)
    with scopes_disabled():
        assert not Payment.objects.filter(contract=contract, purpose=Payment.Purpose.SETTLEMENT).exists()
        assert DepositHold.objects.get(contract=contract).state == DepositHold.State.HELD

    page.click("[data-testid=settlement-settle]")
    expect(page.locator("[data-testid=settlement-state]")).to_have_text("abgerechnet")
    _check(page)
    with scopes_disabled():
        settlement = Settlement.objects.select_related("final_invoice").get(contract=contract)
        assert Contract.objects.get(pk=contract.pk).status == Contract.Status.SETTLED
        hold = DepositHold.objects.get(contract=contract)
        assert (hold.state, hold.captured_amount) == (DepositHold.State.CAPTURED, Decimal("300.00"))
        charge = Payment.objects.get(contract=contract, purpose=Payment.Purpose.SETTLEMENT)
        assert (charge.state, charge.amount) == (Payment.State.SUCCEEDED, Decimal("336.50"))
        assert settlement.final_invoice.gross_total == Decimal("636.50")  # 685.50 − 49 booking invoice
    return settlement


def _final_invoice_pdf(settlement: Settlement) -> None:
    with scopes_disabled():
        final = Invoice.objects.get(pk=settlement.final_invoice_id)
        assert final.pdf and final.email_message_id is not None
        content = final.pdf.read()
    raw = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    text = " ".join(raw.split())  # table cells wrap: compare words, not lines
    for expected in ("Mehrkilometer", "Heckklappe", "636,50"):
        assert expected in text, f"{expected!r} missing from the final invoice PDF: {text[:1500]}"


def _deductions_with_photos(page: Page, live_server, world) -> None:
    contract = world["contract"]
    page.goto(live_server.url + f"/o/org-a/contracts/{contract.pk}/")
    deductions = page.locator("[data-testid=payments-panel] [data-testid=deduction]")
    damage = deductions.and_(page.locator("[data-kind=damage]"))
    expect(damage).to_have_count(1)
    expect(damage).to_contain_text("Delle Heckklappe")
    expect(damage.locator("[data-testid=evidence-after]")).to_have_count(1)
    photo_url = damage.locator("[data-testid=evidence-after]").first.get_attribute("src")
    assert page.request.get(live_server.url + photo_url).ok
    _check(page)
    with scopes_disabled():
        assert DepositDeduction.objects.filter(hold__contract=contract, damage__isnull=False).count() == 1


def _customer_card_open_items(page: Page, live_server, world) -> None:
    customer, older = world["customer"], world["older"]
    page.goto(live_server.url + f"/o/org-a/customers/{customer.pk}/")
    balances = page.locator("[data-testid=open-balances]")
    expect(balances).to_be_visible()
    expect(balances.locator("[data-testid=open-balance]")).to_have_count(1)  # the settled contract is square
    expect(balances.locator("[data-testid=open-balance]")).to_contain_text("59,50 €")
    expect(page.locator("[data-testid=open-payments]")).to_be_visible()
    assert older.number
    _check(page)


def test_booking_to_final_invoice(page: Page, live_server, world, eager_tasks):
    page.set_viewport_size(DESKTOP)
    login(page, live_server, "staff1@a.example", PASSWORD)
    _booking_paid_and_mailed(page, live_server, world)
    _check_out(page, live_server, world)
    _check_in(page, live_server, world)
    settlement = _breakdown_then_settle(page, live_server, world)
    _final_invoice_pdf(settlement)
    _deductions_with_photos(page, live_server, world)
    _customer_card_open_items(page, live_server, world)

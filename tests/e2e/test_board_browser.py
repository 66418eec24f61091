"""The planning board in Chromium: a reservation on its vehicle, week and month view, tablet and
phone width, accessible (axe) and free of Content-Security-Policy violations."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from contracts.services.blocks import block_create
from tests.actors import admin_of
from tests.conftest import PASSWORD, data_helper
from tests.contracts.conftest import book
from tests.contracts.test_board import at, contract_row, week_start
from tests.customers.conftest import make_customer
from tests.e2e.conftest import assert_accessible, login
from tests.vehicles.conftest import make_vehicle
from vehicles.models import VehicleGroup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
# BOARD_SCREENSHOTS=<dir> keeps a picture of each page looked at (for a person to judge the layout).
SHOTS = os.environ.get("BOARD_SCREENSHOTS")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", caret="initial")  # no injected style (CSP)


@pytest.fixture
def fleet(org_a, station_a1):
    group = VehicleGroup.objects.create(organization=org_a, name="Kleinwagen", code="KLEIN")
    cars = [make_vehicle(org_a, station_a1, group, plate=f"M-BO {n}") for n in range(1, 7)]
    customer = make_customer(org_a, first_name="Özlem", last_name="Yılmaz")
    other = make_customer(org_a, first_name="Jörg", last_name="Schäfer")
    third = make_customer(org_a, first_name="René", last_name="Weiß")
    reservation = book(customer, group, station_a1, at(1, 10), at(3, 16), vehicle=cars[0])
    courtesy = book(
        other, group, station_a1, at(2, 9), at(9, 9), vehicle=cars[2], kind="courtesy", workshop_order="WA-4711"
    )
    block_create(
        actor=admin_of(org_a),
        vehicle=cars[3],
        kind="workshop",
        reason="Inspektion",
        starts_at=at(3, 8),
        ends_at=at(4, 17),
    )
    # A finished rental last week (shown as the board reads it; its lifecycle is the services' tests' subject).
    contract_row(
        cars[1], third, at(-7, 8), at(-5, 18), status="checked_in", checked_out_at=at(-7, 8), checked_in_at=at(-5, 17)
    )
    return {"cars": cars, "reservation": reservation, "courtesy": courtesy}


def _drag(page: Page, bar, row, *, days: int = 0) -> None:
    """Press on the bar, move in steps to the row (and `days` columns sideways), let go."""
    box = bar.bounding_box()
    target = row.locator(".board-lane").bounding_box()
    day_width = target["width"] / int(page.locator("[data-board]").get_attribute("data-days"))
    x, y = box["x"] + 12, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + days * day_width, target["y"] + target["height"] / 2, steps=12)
    page.mouse.up()


def _open(page: Page, live_server, view: str = "week") -> None:
    login(page, live_server, "admin@a.example", PASSWORD)
    page.goto(f"{live_server.url}/o/org-a/contracts/board/?view={view}&day={week_start().isoformat()}")


def test_board_shows_the_reservation_on_its_vehicle_and_switches_to_month(page: Page, live_server, fleet):
    page.set_viewport_size({"width": 1440, "height": 900})
    _open(page, live_server)
    reservation = fleet["reservation"]
    row = page.locator('.board-row[data-plate="M-BO 1"]')
    bar = row.locator(f'.board-bar[data-pk="{reservation.pk}"]')
    expect(bar).to_be_visible()
    expect(bar).to_contain_text(reservation.number)
    bar.hover()
    expect(page.locator("[data-board-details]")).to_contain_text("Özlem Yılmaz")
    _shot(page, "desktop-week")
    assert_accessible(page)

    page.click("[data-testid=board-month]")
    expect(page.locator(".board.view-month")).to_be_visible()
    expect(page.locator(f'.board-bar[data-pk="{reservation.pk}"]')).to_be_visible()
    _shot(page, "desktop-month")
    assert_accessible(page)
    page.click("[data-testid=board-next]")
    expect(page.locator(".board.view-month")).to_be_visible()
    expect(page.locator(f'.board-bar[data-pk="{reservation.pk}"]')).to_have_count(0)


@pytest.mark.browser_context_args(has_touch=True, viewport=TABLET)
def test_board_on_a_tablet_scrolls_sideways_with_the_vehicle_column_kept(page: Page, live_server, fleet):
    _open(page, live_server, view="month")
    scroller = page.locator(".board-scroll")
    expect(scroller).to_be_visible()
    # The month is wider than the screen: the board scrolls inside its box, not the page.
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert scroller.evaluate("el => el.scrollWidth > el.clientWidth")
    vehicle = page.locator('.board-row[data-plate="M-BO 1"] .board-vehicle')
    left_before = vehicle.bounding_box()["x"]
    scroller.evaluate("el => { el.scrollLeft = 400; }")
    assert abs(vehicle.bounding_box()["x"] - left_before) < 1  # sticky
    _shot(page, "tablet-month")
    # First tap on a bar shows who and what, without leaving the board.
    bar = page.locator(f'.board-bar[data-pk="{fleet["reservation"].pk}"]')
    scroller.evaluate("el => { el.scrollLeft = 0; }")
    bar.tap()
    expect(page.locator("[data-board-details]")).to_contain_text("Özlem Yılmaz")
    expect(page).to_have_url(re.compile(r"/contracts/board/"))
    assert_accessible(page)


@pytest.mark.browser_context_args(has_touch=True, viewport=PHONE)
def test_board_on_a_phone(page: Page, live_server, fleet):
    _open(page, live_server)
    expect(page.locator(f'.board-bar[data-pk="{fleet["reservation"].pk}"]')).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    _shot(page, "phone-week")
    assert_accessible(page)


def test_drag_a_reservation_to_another_vehicle_and_a_refused_drag(page: Page, live_server, fleet):
    page.set_viewport_size({"width": 1440, "height": 900})
    _open(page, live_server)
    reservation = fleet["reservation"]
    bar = page.locator(f'.board-bar[data-pk="{reservation.pk}"]')
    _drag(page, bar, page.locator('.board-row[data-plate="M-BO 5"]'), days=1)
    expect(page.locator("[data-testid=board-message] .alert-success")).to_contain_text(reservation.number)
    moved = page.locator(f'.board-row[data-plate="M-BO 5"] .board-bar[data-pk="{reservation.pk}"]')
    expect(moved).to_be_visible()
    assert "bd-2" in moved.get_attribute("class").split()  # Tuesday → Wednesday
    _shot(page, "desktop-after-drag")

    # Onto the courtesy car's vehicle at the same time: the booking rules refuse, nothing moves.
    _drag(page, moved, page.locator('.board-row[data-plate="M-BO 3"]'))
    expect(page.locator("[data-testid=board-message] .alert-danger")).to_contain_text(reservation.number)
    expect(page.locator(f'.board-row[data-plate="M-BO 5"] .board-bar[data-pk="{reservation.pk}"]')).to_be_visible()
    assert _vehicle_of(reservation) == fleet["cars"][4].pk
    _shot(page, "desktop-refused-drag")
    assert_accessible(page)


@data_helper
def _vehicle_of(contract) -> int:
    contract.refresh_from_db()
    return contract.vehicle_id

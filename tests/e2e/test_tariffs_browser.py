"""An administrator creates a tariff with an extra and prices a rental with the calculator, on a
desktop and on a phone; every page passes axe-core."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from contracts.models import Extra, Tariff
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, login
from vehicles.models import VehicleGroup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _switch_language(page: Page, live_server, language: str) -> None:
    page.evaluate(
        """([url, language]) => {
            const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
            return fetch(url, {method: "POST", headers: {"X-CSRFToken": token,
                "Content-Type": "application/x-www-form-urlencoded"}, body: "language=" + language});
        }""",
        [live_server.url + "/language/", language],
    )


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_admin_creates_a_tariff_with_an_extra_and_uses_the_calculator(page: Page, live_server, org_a, admin_a, size):
    with scopes_disabled():
        group = VehicleGroup.objects.create(organization=org_a, name="Kompaktklasse", code="KOMPAKT")
    page.set_viewport_size(SIZES[size])
    login(page, live_server, "admin@a.example", PASSWORD)
    _switch_language(page, live_server, "en")
    page.goto(live_server.url + "/o/org-a/contracts/tariffs/")
    expect(page.get_by_role("heading", name="Tariffs")).to_be_visible()
    assert_accessible(page)

    page.click("[data-testid=tariff-create]")
    page.fill("#id_name", "Kompakt Standard")
    page.select_option("#id_vehicle_group", str(group.pk))
    page.fill("#id_valid_from", "2026-01-01")
    page.fill("#id_price_per_day", "49.00")
    page.fill("#id_price_per_week", "199.00")
    page.click("[data-testid=add-extra]")
    page.select_option("#id_extras-0-kind", "child_seat")
    page.fill("#id_extras-0-name", "Kindersitz")
    page.select_option("#id_extras-0-charge", "per_day")
    page.fill("#id_extras-0-price", "8.00")
    page.fill("#id_extras-0-max_price", "40.00")
    assert_accessible(page)
    page.click("[data-testid=save-tariff]")
    expect(page.locator("[data-testid=tariff-name]")).to_have_text("Kompakt Standard")
    with scopes_disabled():
        tariff = Tariff.objects.get(organization=org_a, name="Kompakt Standard")
        seat = Extra.objects.get(tariff=tariff)
    assert (tariff.price_per_day, seat.price, seat.max_price) == (49, 8, 40)

    page.fill("#id_starts_at", "2026-03-03T10:00")
    page.fill("#id_ends_at", "2026-03-06T10:00")
    page.fill("#id_km", "")
    page.fill(f"#id_extra_{seat.pk}", "1")
    page.click("[data-testid=calculate]")
    result = page.locator("[data-testid=calculator-result]")
    expect(result).to_contain_text("3 days at 49.00 € = 147.00 €; cheaper than 1 week at 199.00 € = 199.00 €")
    expect(page.locator("[data-testid=calculator-total]")).to_have_text("171.00 €")
    # The calculator swapped its result in place: still the tariff page, nothing reloaded.
    assert page.url.endswith(f"/contracts/tariffs/{tariff.pk}/")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

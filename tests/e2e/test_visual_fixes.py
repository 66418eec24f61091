"""Visual fixes in a real browser (item 20): opening hours for several days in one go with column
headers and an uncut "geschlossen", filter placeholders that fit, and a favicon."""

import datetime as dt

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from rentoffice.models import Station
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Width a placeholder needs (canvas text metrics in the input's font) against the room it has.
PLACEHOLDER_FIT = """els => els.filter(el => el.placeholder && el.offsetParent).map(el => {
  const cs = getComputedStyle(el);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
  const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  return {name: el.name || el.id, need: ctx.measureText(el.placeholder).width, room};
})"""

CLIPPED = """els => els.filter(el => el.offsetParent).map(el => {
  const cell = el.closest('[class*=col-]').getBoundingClientRect();
  const box = el.getBoundingClientRect();
  return {text: el.textContent.trim(), clipped: box.right > cell.right + 0.5 || el.scrollWidth > el.clientWidth + 1};
}).filter(r => r.clipped)"""


def test_opening_hours_for_several_days_at_once(page: Page, live_server, org_a, admin_a):
    with scopes_disabled():
        station = Station.objects.create(organization=org_a, name="Ulm", code="ULM")
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, admin_a.email, PASSWORD)
    page.goto(f"{live_server.url}/o/{org_a.slug}/stations/{station.pk}/")

    expect(page.locator("[data-testid=hours-headers]")).to_contain_text("Wochentag")
    expect(page.locator("[data-testid=hours-headers]")).to_contain_text("Öffnet")
    quick = page.locator("[data-testid=hours-quick]")
    expect(quick.locator("input[data-quick-day]:checked")).to_have_count(5)  # Monday to Friday
    quick.locator("#quick-opens").fill("08:30")
    quick.locator("#quick-closes").fill("17:00")
    page.click("[data-testid=hours-quick-add]")
    expect(page.locator("#hours-rows [data-testid=hours-row]")).to_have_count(5)
    quick.locator("input[data-quick-day]").nth(5).check()  # Saturday morning on its own
    for day in range(5):
        quick.locator("input[data-quick-day]").nth(day).uncheck()
    quick.locator("#quick-opens").fill("09:00")
    quick.locator("#quick-closes").fill("12:00")
    page.click("[data-testid=hours-quick-add]")
    page.click("[data-testid=add-exception]")
    page.locator("#exc-rows [data-testid=exception-row]").last.locator("input[type=date]").fill(
        (dt.date.today() + dt.timedelta(days=20)).isoformat()
    )
    expect(page.locator("[data-testid=exception-headers]")).to_be_visible()
    assert page.eval_on_selector_all("#exc-rows .form-check-label", CLIPPED) == []
    assert_accessible(page)
    page.click("[data-testid=save-station]")
    expect(page.locator(".alert-success")).to_be_visible()

    hours = sorted((h.weekday, h.opens, h.closes) for h in station.opening_hours.all())
    assert hours == [(d, dt.time(8, 30), dt.time(17)) for d in range(5)] + [(5, dt.time(9), dt.time(12))]
    assert station.opening_exceptions.get().closed

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.eval_on_selector_all("#exc-rows .form-check-label", CLIPPED) == []


@pytest.mark.parametrize("width", [1366, 1280, 390])
@pytest.mark.parametrize("path", ["customers/", "vehicles/"])
def test_filter_placeholders_fit(page: Page, live_server, org_a, admin_a, width, path):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, admin_a.email, PASSWORD)
    page.goto(f"{live_server.url}/o/{org_a.slug}/{path}")
    fields = page.eval_on_selector_all("main form input", PLACEHOLDER_FIT)
    assert fields, "no filter field with a placeholder found"
    cut = [f for f in fields if f["need"] > f["room"]]
    assert not cut, f"placeholders cut off at {width}px: {cut}"


def test_favicon_is_linked_and_served(page: Page, live_server, admin_a):
    login(page, live_server, admin_a.email, PASSWORD)
    href = page.locator("link[rel=icon][type='image/svg+xml']").get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.ok and response.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in response.body()

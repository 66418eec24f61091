"""The back-office shell in a real browser: login, organization and language switch, a station with
opening hours, a station-scoped user who then sees only that station; the login page on a phone."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from rentoffice.models import Membership, Role, Station, User
from tests.conftest import PASSWORD, in_scope, make_member
from tests.e2e.conftest import login, logout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@in_scope("org_b")
def test_admin_sets_up_a_station_and_a_station_user(page: Page, live_server, org_a, org_b, station_b1):
    make_member(org_b, "admin@a.example", role_key="administrator")

    # Log in; a member of two organizations picks one first, then switches in the top bar.
    login(page, live_server, "admin@a.example", PASSWORD)
    page.click("#org-switcher")
    page.click("[aria-labelledby=org-switcher] >> text=Autohaus A")
    expect(page).to_have_url(live_server.url + "/o/org-a/")
    expect(page.locator("#org-switcher")).to_contain_text("Autohaus A")
    page.click("#org-switcher")
    page.click("[aria-labelledby=org-switcher] >> text=Autohaus B")
    expect(page).to_have_url(live_server.url + "/o/org-b/")
    expect(page.locator("#org-switcher")).to_contain_text("Autohaus B")

    # Language menu → English.
    page.click("#language-switcher")
    page.click("[data-testid=lang-en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Overview")
    expect(page).to_have_url(live_server.url + "/o/org-b/")

    # A station with two intervals on Monday and a closed day.
    page.click('#sidenav a[href="/o/org-b/stations/"]')
    page.click('main a[href="/o/org-b/stations/new/"]')
    page.fill("#id_name", "B2 Lübeck")
    page.fill("#id_code", "B2")
    page.fill("#id_city", "Lübeck")
    for weekday, opens, closes in [("0", "08:00", "12:00"), ("0", "13:00", "18:00")]:
        page.click("[data-testid=add-hours]")
        row = page.locator("#hours-rows [data-testid=hours-row]").last
        row.locator("select").select_option(weekday)
        row.locator("input[type=time]").nth(0).fill(opens)
        row.locator("input[type=time]").nth(1).fill(closes)
    page.click("[data-testid=add-exception]")
    page.locator("#exc-rows [data-testid=exception-row]").last.locator("input[type=date]").fill("2026-12-24")
    page.click("[data-testid=save-station]")
    expect(page.locator(".alert-success")).to_contain_text("The station has been saved.")
    expect(page.locator("main h1")).to_have_text("B2 Lübeck")
    expect(page.locator("#hours-rows [data-testid=hours-row]")).to_have_count(2)

    station = Station.objects.get(organization=org_b, code="B2")
    assert [(h.weekday, h.opens, h.closes) for h in station.opening_hours.order_by("opens")] == [
        (0, dt.time(8), dt.time(12)),
        (0, dt.time(13), dt.time(18)),
    ]
    assert station.opening_exceptions.get().closed

    # Users → Add user: station staff for the new station only.
    page.click('#sidenav a[href="/o/org-b/users/"]')
    page.click('main a[href="/o/org-b/users/invite/"]')
    page.fill("#id_email", "lena@b.example")
    page.fill("#id_full_name", "Lena Lüders")
    page.select_option("#id_language", "en")
    page.select_option("#id_role", str(Role.objects.get(organization=org_b, key="station_staff").pk))
    page.check("input[name=scope][value=stations]")
    page.check(f"input[name=stations][value='{station.pk}']")
    page.click("[data-testid=invite-submit]")
    expect(page).to_have_url(live_server.url + "/o/org-b/users/")
    expect(page.locator("main table")).to_contain_text("Lena Lüders")
    membership = Membership.objects.get(user__email="lena@b.example", organization=org_b)
    assert list(membership.stations.all()) == [station]

    logout(page)

    # The invitation e-mail is not followed here: the password is set directly.
    user = User.objects.get(email="lena@b.example")
    user.set_password("Lena-Passw0rd!")
    user.save()

    login(page, live_server, "lena@b.example", "Lena-Passw0rd!")
    expect(page).to_have_url(live_server.url + "/o/org-b/")
    scope = page.locator("[data-testid=station-scope]")
    expect(scope.locator(".badge")).to_have_count(1)
    expect(scope.locator(".badge")).to_have_text("B2 Lübeck")
    # One station only: no station selector to widen the view, and the other station is nowhere.
    expect(page.locator("#station-filter")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("B1 Hamburg")
    # No administration in the side navigation.
    nav = page.locator("#sidenav")
    expect(nav.locator('a[href="/o/org-b/"]')).to_have_count(1)
    expect(nav).not_to_contain_text("Administration")
    for path in ("settings/", "stations/", "regions/", "users/", "roles/"):
        expect(nav.locator(f'a[href="/o/org-b/{path}"]')).to_have_count(0)
    # And the organization switcher offers only her organization.
    page.click("#org-switcher")
    expect(page.locator("[aria-labelledby=org-switcher] a")).to_have_count(1)


def test_admin_station_selector_narrows_the_view(page: Page, live_server, org_a, station_a1, station_a2):
    login(page, live_server, "admin@a.example", PASSWORD)
    scope = page.locator("[data-testid=station-scope] .badge")
    expect(scope).to_have_count(2)
    page.select_option("#station-filter", str(station_a2.pk))
    expect(page.locator("#station-filter")).to_have_value(str(station_a2.pk))
    expect(scope).to_have_count(1)
    expect(scope).to_have_text("A2 Augsburg")


def test_login_page_is_usable_on_a_phone(browser, live_server, org_a):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="de-DE", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + "/login/")
        for selector in ("#id_username", "#id_password", "main form button[type=submit]"):
            expect(page.locator(selector)).to_be_visible()
            box = page.locator(selector).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, selector
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.fill("#id_username", "admin@a.example")
        page.fill("#id_password", PASSWORD)
        page.click("main form button[type=submit]")
        expect(page).to_have_url(re.compile(r"/o/org-a/$"))
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # The side navigation and the top-bar menus fold away and open with their buttons.
        stations_link = page.locator('#sidenav a[href="/o/org-a/stations/"]')
        expect(stations_link).to_be_hidden()
        page.click('button[data-bs-target="#sidenav"]')
        expect(stations_link).to_be_visible()
        expect(page.locator("#user-menu")).to_be_hidden()
        page.click('button[data-bs-target="#topbar-menu"]')
        expect(page.locator("#user-menu")).to_be_visible()
        stations_link.click()
        expect(page).to_have_url(re.compile(r"/o/org-a/stations/$"))
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()

"""The dealer-case dashboard in a browser: several values per filter, the active-filter count,
filters kept when coming back, reset, live status badges (htmx polling) and the dealership
switch. Every state passes axe-core and the Content-Security-Policy."""

import pytest
from django_scopes import scope
from playwright.sync_api import Page, expect

from fleetback.services import sending
from tests.actors import admin_of
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, login
from tests.fleetback.helpers import brand_of, make_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _rows(page: Page):
    return page.locator("[data-testid=case-list] tbody tr")


def test_dashboard_filters_polling_and_dealership_switch(
    page: Page, live_server, settings, org_a, station_a1, station_a2, admin_a
):
    settings.FLEETBACK_STATUS_POLL_SECONDS = 1
    brand_of(station_a1, "Audi")
    brand_of(station_a2, "Škoda")
    with scope(organization=org_a):
        make_case(org=org_a, station=station_a1, reference="MECH-VW")
        make_case(org=org_a, station=station_a1, reference="BODY-AUDI", module="body", brand="Audi")
        make_case(org=org_a, station=station_a1, reference="WARR-VW", module="warranty")
        polled = make_case(org=org_a, station=station_a2, reference="MECH-SKODA", brand="Škoda")
    audi, skoda = brand_of(station_a1, "Audi"), brand_of(station_a2, "Škoda")

    login(page, live_server, "admin@a.example", PASSWORD)
    dashboard = live_server.url + "/o/org-a/cases/after-sales/"
    page.goto(dashboard)
    expect(_rows(page)).to_have_count(4)
    expect(page.locator("[data-testid=active-filters]")).to_have_count(0)
    assert_accessible(page)

    page.click("[data-testid=filter-summary]")
    page.check("input[name=module][value=mechanics]")
    page.check("input[name=module][value=body]")
    page.select_option("#id_brand", [str(audi.pk), str(skoda.pk)])
    page.click("[data-testid=filter-apply]")
    expect(page.locator("[data-testid=active-filters]")).to_have_text("2 aktiv")
    expect(_rows(page)).to_have_count(2)
    expect(page.locator("[data-testid=case-list]")).to_contain_text("BODY-AUDI")
    expect(page.locator("[data-testid=case-list]")).to_contain_text("MECH-SKODA")
    assert_accessible(page)

    # Open a case and come back through the menu: the selection is still there.
    page.get_by_role("link", name=str(polled.number), exact=True).click()
    expect(page.locator("[data-testid=case-status]")).to_be_visible()
    page.goto(dashboard)
    expect(page.locator("[data-testid=active-filters]")).to_have_text("2 aktiv")
    expect(_rows(page)).to_have_count(2)
    expect(page.locator("input[name=module][value=body]")).to_be_checked()

    # The status changes elsewhere (the customer opens the link, a colleague sends): the badge follows.
    badge = page.locator(f"#case-status-{polled.pk}")
    expect(badge).to_have_text("Versand ausstehend")
    with scope(organization=org_a):
        sending.case_send(actor=admin_of(org_a), case=polled, channel="link", base_url=live_server.url)
    expect(badge).to_have_text("Gesendet", timeout=8000)
    expect(badge).to_have_class("badge text-bg-primary")
    expect(page.locator("[data-testid=active-filters]")).to_have_text("2 aktiv")  # the form was left alone

    # The dealership switch narrows the dashboard to Augsburg, on top of the filters.
    page.select_option("#dealership-switch", str(station_a2.pk))
    expect(page.locator("#dealership-switch")).to_have_value(str(station_a2.pk))
    expect(_rows(page)).to_have_count(1)
    expect(page.locator("[data-testid=case-list]")).to_contain_text("MECH-SKODA")
    assert_accessible(page)
    page.select_option("#dealership-switch", "")
    expect(_rows(page)).to_have_count(2)

    page.click("[data-testid=filter-reset]")
    expect(_rows(page)).to_have_count(4)
    expect(page.locator("[data-testid=active-filters]")).to_have_count(0)

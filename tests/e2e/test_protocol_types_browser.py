"""An administrator adapts the built-in check-out type (order of registers), sees a broken rule
explained beside the form, creates an interim type and changes the protocol settings — on a
desktop and on a phone; every page passes axe-core and runs under the CSP."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from protocols.models import ProtocolSettings, ProtocolType
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_admin_edits_protocol_types_and_settings(page: Page, live_server, org_a, admin_a, size):
    page.set_viewport_size(SIZES[size])
    login(page, live_server, "admin@a.example", PASSWORD)
    page.goto(live_server.url + "/o/org-a/protocols/types/")
    expect(page.get_by_role("heading", name="Protokolltypen")).to_be_visible()
    expect(page.locator("[data-testid=type-row]")).to_have_count(2)
    assert_accessible(page)

    # Adapt Übergabe: notes first, cleanliness dropped.
    page.get_by_role("link", name="Übergabe").click()
    expect(page.locator("[data-testid=register-rules]")).to_contain_text("Der Versand ist das letzte Register")
    expect(page.locator("[data-testid=delete-type]")).to_have_count(0)
    assert_accessible(page)
    page.fill("#id_pos_notes", "1")
    page.uncheck("#id_use_cleanliness")
    # A broken rule: dispatch not last.
    page.fill("#id_pos_dispatch", "2")
    page.click("[data-testid=save-type]")
    expect(page.locator("[data-testid=register-errors]")).to_contain_text("Der Versand muss das letzte Register sein")
    assert_accessible(page)
    page.fill("#id_pos_dispatch", "8")
    page.click("[data-testid=save-type]")
    expect(page.locator(".alert-success")).to_be_visible()
    with scopes_disabled():
        check_out = ProtocolType.objects.get(organization=org_a, builtin="check_out")
    assert check_out.registers == ["notes", "km_fuel", "damage", "condition", "signature", "dispatch"]

    # A new interim type for long-term rentals.
    page.goto(live_server.url + "/o/org-a/protocols/types/")
    page.click("[data-testid=type-create]")
    page.fill("#id_name", "Langzeit-Meldung")
    page.select_option("#id_kind", "interim")
    page.check("#id_usable_in_portal")
    page.check("#id_use_long_term")
    page.check("#id_use_damage")
    page.check("#id_use_dispatch")
    page.click("[data-testid=save-type]")
    expect(page.locator("[data-testid=type-name]")).to_contain_text("Langzeit-Meldung")
    with scopes_disabled():
        interim = ProtocolType.objects.get(organization=org_a, name="Langzeit-Meldung")
    assert interim.registers == ["long_term", "damage", "dispatch"] and interim.usable_in_portal

    # Settings: signatures optional.
    page.goto(live_server.url + "/o/org-a/protocols/types/settings/")
    assert_accessible(page)
    page.uncheck("#id_signatures_required")
    page.click("[data-testid=save-settings]")
    expect(page.get_by_text("Unterschriften sind bei Übergabe und Rücknahme freiwillig.")).to_be_visible()
    with scopes_disabled():
        assert ProtocolSettings.objects.get(organization=org_a).signatures_required is False
    assert_accessible(page)

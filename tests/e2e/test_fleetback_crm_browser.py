"""The CRM in the browser: find a person by phone, see their case history, record their objection
to e-mails (the send form then disables e-mail with the reason), export their data, erase it.
Every page passes axe-core (WCAG 2.1 AA)."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, login
from tests.fleetback.helpers import make_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_crm_search_history_objection_export_and_erasure(page: Page, live_server, org_a, station_a1, admin_a):
    first = make_case(org=org_a, station=station_a1, reference="RO-CRM-1")
    second = make_case(org=org_a, station=station_a1, reference="RO-CRM-2", email="")
    make_case(org=org_a, station=station_a1, reference="RO-OTHER", email="otto@example.com", phone="+491709999999")
    assert first.contact_id == second.contact_id
    login(page, live_server, "admin@a.example", PASSWORD)
    page.goto(live_server.url + "/o/org-a/")
    page.get_by_role("link", name="Kontakte (CRM)").first.click()
    expect(page.locator("[data-testid=contact-list] tbody tr")).to_have_count(2)
    assert_accessible(page)

    page.fill("#id_q", "0151 123 456 78")
    page.keyboard.press("Enter")
    rows = page.locator("[data-testid=contact-list] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Karla Kundin")
    rows.first.get_by_role("link").click()
    expect(page.locator("[data-testid=contact-cases] tbody tr")).to_have_count(2)
    expect(page.locator("[data-testid=contact-cases]")).to_contain_text("RO-CRM-2")
    assert_accessible(page)

    page.check("#id_email_opt_out")
    page.click("[data-testid=privacy-save]")
    expect(page.locator("[data-testid=opt-outs]")).to_contain_text("Hat E-Mails widersprochen")
    page.goto(live_server.url + f"/o/org-a/cases/{second.pk}/send/")
    expect(page.locator("input[name=channel][value=email]")).to_be_disabled()
    expect(page.locator("input[name=channel][value=sms]")).to_be_enabled()
    expect(page.locator("[data-testid=send-form]")).to_contain_text("hat E-Mails widersprochen (DSGVO, erfasst am")
    assert_accessible(page)

    page.goto(live_server.url + f"/o/org-a/cases/contacts/{first.contact_id}/")
    with page.expect_download() as download:
        page.click("[data-testid=contact-export]")
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    data = json.loads(archive.read("contact.json"))
    assert {c["reference"] for c in data["cases"]} == {"RO-CRM-1", "RO-CRM-2"}
    assert data["contact"]["email_opt_out"] is True

    page.click("[data-testid=contact-delete]")
    assert_accessible(page)
    page.click("[data-testid=anonymise-submit]")
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    page.check("#id_confirm")
    page.click("[data-testid=anonymise-submit]")
    expect(page.locator("[data-testid=contact-name]")).to_contain_text("X")
    expect(page.locator("[data-testid=contact-name]")).not_to_contain_text("Kundin")
    expect(page.locator("[data-testid=contact-cases] tbody tr")).to_have_count(2)
    assert_accessible(page)

"""Staff open a sent e-mail in a real browser: text, the HTML part in its sandboxed frame, the
attachment download, the masked portal link; the page passes axe-core (WCAG 2.1 AA)."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, expect

from rentoffice.message_display import MASK
from rentoffice.models import OutboundMessage
from tests.conftest import PASSWORD, client_for
from tests.customers.conftest import make_customer
from tests.e2e.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_open_a_sent_e_mail(page: Page, live_server, org_a, admin_a):
    with scopes_disabled():
        customer = make_customer(
            org_a, kind="legal_entity", company="Müller & Söhne", last_name="", email="ms@example.com"
        )
    admin = client_for(admin_a)
    admin.post(
        reverse("customers:email", kwargs={"org_slug": org_a.slug, "pk": customer.pk}),
        {
            "purpose": "standard",
            "subject": "Angebot für {name}",
            "body": "Guten Tag,\n\nanbei das Angebot für {name}.",
            "uploads": [SimpleUploadedFile("Angebot.txt", b"Kombi 49 EUR")],
            "send": "1",
        },
    )
    admin.post(
        reverse("customers:account_invite", kwargs={"org_slug": org_a.slug, "pk": customer.pk}),
        {"email": "ms@example.com"},
    )
    with scope(organization=org_a):
        invitation = OutboundMessage.objects.get(template="customer_portal_invitation")
        token = re.search(r"/portal/set-password/([^/\s]+)/", invitation.body_text).group(1)

    login(page, live_server, admin_a.email, PASSWORD)
    page.goto(f"{live_server.url}/o/{org_a.slug}/messages/customer/{customer.pk}/")
    page.get_by_role("link", name="Angebot für Müller & Söhne").click()
    expect(page.locator("main h1")).to_contain_text("Angebot für Müller & Söhne")
    expect(page.locator("[data-testid=message-text]")).to_contain_text("anbei das Angebot für Müller & Söhne.")
    expect(page.locator("[data-testid=message-recipient]")).to_have_text("ms@example.com")
    frame = page.frame_locator("[data-testid=message-html]")
    expect(frame.locator("body")).to_contain_text("anbei das Angebot für Müller & Söhne.")
    expect(frame.locator("body")).not_to_contain_text("&amp;")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Angebot.txt").click()
    download = download_info.value
    assert download.suggested_filename == "Angebot.txt"
    assert Path(download.path()).read_bytes() == b"Kombi 49 EUR"
    assert_accessible(page)

    page.goto(f"{live_server.url}/o/{org_a.slug}/message/{invitation.pk}/")
    expect(page.locator("[data-testid=message-text]")).to_contain_text(f"/portal/set-password/{MASK}/")
    assert token not in page.content()
    expect(page.frame_locator("[data-testid=message-html]").locator("body")).to_contain_text(MASK)
    assert_accessible(page)

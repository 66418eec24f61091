"""The customer e-mail editor in a real browser: the live preview fills placeholders and names an
unknown one, "Load template" keeps the chosen file and document, sending is refused until fixed."""

import pytest
from django.core.files.base import ContentFile
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, expect

from customers.models import CustomerDocument, EmailTemplate
from rentoffice.models import OutboundMessage
from tests.conftest import PASSWORD
from tests.customers.conftest import make_customer
from tests.e2e.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_preview_load_template_and_refusal(page: Page, live_server, org_a, admin_a, tmp_path):
    with scopes_disabled():
        customer = make_customer(org_a, first_name="Jörg", last_name="Test", email="joerg@example.com")
        document = CustomerDocument(
            organization=org_a, customer=customer, doc_type="other", original_name="Vertrag.pdf", size=4
        )
        document.file.save("vertrag.pdf", ContentFile(b"%PDF"), save=True)
        template = EmailTemplate.objects.create(
            organization=org_a, name="Gruß", subject="Hallo {first_name}", body="Test {first_name} {unbekannt}"
        )
    upload = tmp_path / "Preisliste.txt"
    upload.write_text("Kombi 49 EUR")

    login(page, live_server, admin_a.email, PASSWORD)
    page.goto(f"{live_server.url}/o/{org_a.slug}/customers/{customer.pk}/email/")
    page.check(f"input[name=documents][value='{document.pk}']")
    page.set_input_files("input[name=uploads]", str(upload))
    page.select_option("#id_template", str(template.pk))
    page.click("[data-testid=email-load]")

    expect(page.locator("#id_subject")).to_have_value("Hallo {first_name}")
    expect(page.locator("[data-testid=preview-text]")).to_have_text("Test Jörg {unbekannt}")
    expect(page.locator("[data-testid=preview-subject]")).to_have_text("Hallo Jörg")
    expect(page.locator("[data-testid=placeholder-problem]")).to_contain_text("{unbekannt}")
    # Nothing chosen before was lost by loading the template.
    expect(page.locator(f"input[name=documents][value='{document.pk}']")).to_be_checked()
    assert page.eval_on_selector("input[name=uploads]", "el => Array.from(el.files).map(f => f.name)") == [
        "Preisliste.txt"
    ]
    assert_accessible(page)

    page.click("[data-testid=email-send]")
    expect(page.locator("#id_body").locator("xpath=..")).to_contain_text("{unbekannt}")
    with scope(organization=org_a):
        assert not OutboundMessage.objects.exists()

    page.fill("#id_body", "Test {first_name}")
    expect(page.locator("[data-testid=preview-text]")).to_have_text("Test Jörg")
    expect(page.locator("[data-testid=placeholder-problem]")).to_have_count(0)
    page.set_input_files("input[name=uploads]", str(upload))
    page.click("[data-testid=email-send]")
    expect(page.locator(".alert-success")).to_be_visible()
    with scope(organization=org_a):
        message = OutboundMessage.objects.get()
    assert message.body_text.strip() == "Test Jörg"
    assert sorted(a["name"] for a in message.attachments) == ["Preisliste.txt", "Vertrag.pdf"]

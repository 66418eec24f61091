"""The customer e-mail editor previews the final text and refuses to send while a placeholder is
unknown or malformed, naming it; "Load template" keeps the attachments already chosen (item 15)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from customers.models import EmailTemplate
from customers.services.documents import document_upload
from rentoffice.models import OutboundMessage
from tests.customers.conftest import make_customer

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def customer(org_a):
    with scopes_disabled():
        return make_customer(org_a, first_name="Jörg", last_name="Test", email="joerg@example.com")


def _url(org, customer):
    return reverse("customers:email", kwargs={"org_slug": org.slug, "pk": customer.pk})


def _queued(org) -> int:
    with scope(organization=org):
        return OutboundMessage.objects.count()


@pytest.mark.parametrize(
    ("subject", "body", "named"),
    [
        ("Hallo", "Test {first_name} {unbekannt}", "{unbekannt}"),
        ("Hallo {first name}", "Text", "{first name}"),
        ("Hallo", "Guten Tag {{first_name}}", "{{first_name}}"),
        ("Hallo", "Guten Tag {first_name", "{first_name"),
    ],
)
def test_send_is_refused_naming_the_placeholder(client_admin_a, org_a, customer, subject, body, named):
    response = client_admin_a.post(
        _url(org_a, customer), {"purpose": "standard", "subject": subject, "body": body, "send": "1"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    field = "subject" if named in subject else "body"
    assert named in " ".join(errors[field])
    assert _queued(org_a) == 0


def test_known_placeholders_send(client_admin_a, org_a, customer):
    response = client_admin_a.post(
        _url(org_a, customer),
        {"purpose": "standard", "subject": "Hallo {first_name}", "body": "Test {name}", "send": "1"},
    )
    assert response.status_code == 302
    assert _queued(org_a) == 1


def test_preview_shows_the_final_text_and_the_problem(client_admin_a, org_a, customer):
    response = client_admin_a.post(
        _url(org_a, customer),
        {"purpose": "standard", "subject": "Für {first_name}", "body": "Test {first_name} {unbekannt}", "preview": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="preview-subject">Für Jörg<' in html
    assert "Test Jörg {unbekannt}" in html
    assert "Unbekannter Platzhalter: {unbekannt}" in html
    assert _queued(org_a) == 0


def test_load_template_keeps_the_chosen_attachments(client_admin_a, org_a, admin_a, customer):
    with scopes_disabled():
        doc = document_upload(
            customer=customer, upload=SimpleUploadedFile("v.pdf", PDF), doc_type="other", note="", actor=admin_a
        )
        template = EmailTemplate.objects.create(
            organization=org_a, name="Gruß", subject="Hallo {first_name}", body="Text"
        )
    response = client_admin_a.post(
        _url(org_a, customer),
        {"template": template.pk, "load": "1", "purpose": "standard", "documents": [doc.pk]},
    )
    form = response.context["form"]
    assert form["subject"].value() == "Hallo {first_name}"
    assert [str(v) for v in form["documents"].value()] == [str(doc.pk)]
    assert f'value="{doc.pk}"' in response.content.decode() and "checked" in response.content.decode()

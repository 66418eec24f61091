import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import URLPattern, reverse
from django.utils import timezone

from customers import urls as customer_urls
from customers.models import CustomerAccount, CustomerAttribute, CustomerDocument, DocumentTemplate, EmailTemplate
from customers.services.documents import document_upload
from customers.services.portal import account_invite
from rentoffice.models import OutboundMessage
from tests.actors import admin_of, membership_of
from tests.conftest import in_scope

from .conftest import make_customer

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def url(name, org, **kwargs):
    return reverse(f"customers:{name}", kwargs={"org_slug": org.slug, **kwargs})


@pytest.fixture
def objects_a(org_a, admin_a, customer_a):
    doc = document_upload(
        customer=customer_a,
        upload=SimpleUploadedFile("a.pdf", PDF),
        doc_type="other",
        note="",
        actor=membership_of(admin_a, customer_a),
    )
    account = CustomerAccount.objects.create(organization=org_a, customer=customer_a, email="j@example.com")
    tpl = DocumentTemplate.objects.create(organization=org_a, name="T", body_html="<p>{first_name}</p>")
    mail_tpl = EmailTemplate.objects.create(organization=org_a, name="M", subject="S", body="B")
    other = make_customer(org_a, last_name="Zweite")
    attribute = CustomerAttribute.objects.create(organization=org_a, name="VIP")
    return {
        "attribute_pk": attribute.pk,
        "pk": customer_a.pk,
        "doc_pk": doc.pk,
        "account_pk": account.pk,
        "template_pk": tpl.pk,
        "other_pk": other.pk,
        "_mail_template": mail_tpl.pk,
    }


def _all_customer_urls(org, ids):
    for pattern in customer_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        params = re.findall(r"<int:(\w+)>", str(pattern.pattern))
        kwargs = {
            p: ids["_mail_template"] if p == "template_pk" and "email" in pattern.name else ids[p] for p in params
        }
        yield pattern.name, reverse(f"customers:{pattern.name}", kwargs={"org_slug": org.slug, **kwargs})


def test_outsider_gets_404_on_every_customer_url(client_admin_b, org_a, org_b, objects_a):
    for name, address in _all_customer_urls(org_a, objects_a):
        assert client_admin_b.get(address).status_code == 404, name
        assert client_admin_b.post(address).status_code == 404, name


def test_foreign_ids_through_own_organization_are_404(client_admin_b, org_a, org_b, objects_a):
    for name, address in _all_customer_urls(org_b, objects_a):
        if not re.search(r"<int:", str(next(p.pattern for p in customer_urls.urlpatterns if p.name == name))):
            continue
        assert client_admin_b.get(address).status_code == 404, name


def test_member_gets_every_get_page(client_admin_a, org_a, objects_a):
    for name, address in _all_customer_urls(org_a, objects_a):
        response = client_admin_a.get(address)
        assert response.status_code in (200, 405), (name, response.status_code)


@pytest.mark.parametrize(
    "name,content",
    [
        ("virus.exe", b"MZ\x90\x00" + b"\x00" * 100),
        ("innocent.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 100),
        ("page.html", b"<html><body>hi</body></html>"),
        ("notes.txt", b"hello <script>alert(1)</script>"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ],
)
def test_dangerous_uploads_are_refused(client_admin_a, org_a, customer_a, name, content):
    response = client_admin_a.post(
        url("document_upload", org_a, pk=customer_a.pk),
        {"file": SimpleUploadedFile(name, content), "doc_type": "other"},
        follow=True,
    )
    assert not CustomerDocument.objects.exists()
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode() or "error" in response.content.decode()


@override_settings(MAX_DOCUMENT_UPLOAD_SIZE=1000)
def test_too_large_upload_is_refused(client_admin_a, org_a, customer_a):
    client_admin_a.cookies["django_language"] = "en"
    response = client_admin_a.post(
        url("document_upload", org_a, pk=customer_a.pk),
        {"file": SimpleUploadedFile("big.pdf", PDF + b"0" * 2000), "doc_type": "other"},
        follow=True,
    )
    assert "too large" in response.content.decode()
    assert not CustomerDocument.objects.exists()


@in_scope()
def test_upload_download_delete(client_admin_a, client_staff_a1, org_a, customer_a):
    client_admin_a.post(
        url("document_upload", org_a, pk=customer_a.pk),
        {"file": SimpleUploadedFile("Mandat.pdf", PDF), "doc_type": "sepa_mandate", "note": "scan"},
    )
    doc = CustomerDocument.objects.get()
    assert doc.content_type == "application/pdf"
    # The card loads its documents panel with htmx after the page (docs/performance.md).
    panel = reverse("panel_body", args=[org_a.slug, "customer", "documents", customer_a.pk])
    assert "Mandat.pdf" in client_admin_a.get(panel).content.decode()
    response = client_staff_a1.get(url("document_download", org_a, pk=customer_a.pk, doc_pk=doc.pk))
    assert b"".join(response.streaming_content) == PDF
    other = make_customer(org_a, last_name="Andere")
    assert client_admin_a.get(url("document_download", org_a, pk=other.pk, doc_pk=doc.pk)).status_code == 404
    client_admin_a.post(url("document_delete", org_a, pk=customer_a.pk, doc_pk=doc.pk))
    assert not CustomerDocument.objects.exists()


@in_scope()
def test_email_with_placeholders_attachments_and_fallback(client_admin_a, org_a, admin_a, customer_a):
    customer_a.email_invoices = "rechnung@example.com"
    customer_a.save()
    doc = document_upload(
        customer=customer_a,
        upload=SimpleUploadedFile("a.pdf", PDF),
        doc_type="other",
        note="",
        actor=membership_of(admin_a, customer_a),
    )
    tpl = DocumentTemplate.objects.create(organization=org_a, name="Mandat", body_html="<p>{first_name}</p>")
    preview = client_admin_a.get(
        url("document_template_preview", org_a, template_pk=tpl.pk), {"customer": customer_a.pk}
    )
    assert preview["Content-Type"] == "application/pdf" and preview.content.startswith(b"%PDF")
    foreign = client_admin_a.get(url("document_template_preview", org_a, template_pk=tpl.pk), {"customer": 999999})
    assert foreign.status_code == 404
    response = client_admin_a.post(
        url("email", org_a, pk=customer_a.pk),
        {
            "purpose": "invoice",
            "reply_to": "team@a.example",
            "subject": "Hallo {first_name}",
            "body": "Ihre Nummer: {customer_number} ({legalEntityType})",
            "documents": [doc.pk],
            "doc_templates": [tpl.pk],
            "uploads": [SimpleUploadedFile("local.txt", b"plain text")],
            "send": "1",
        },
    )
    assert response.status_code == 302
    message = OutboundMessage.objects.get(purpose="customer_email")
    assert message.recipient == "rechnung@example.com" and message.reply_to == "team@a.example"
    assert message.subject == "Hallo Jürgen"
    assert f"Ihre Nummer: {customer_a.number} (PRIVATE_INDIVIDUAL)" in message.body_text
    assert sorted(a["name"] for a in message.attachments) == ["Mandat.pdf", "a.pdf", "local.txt"]
    from tests.test_outsiders import panel_content

    html = client_admin_a.get(url("card", org_a, pk=customer_a.pk)).content.decode()
    assert "Hallo Jürgen" in panel_content(client_admin_a, html)  # listed in the (lazily loaded) messages panel


def test_email_template_loads_and_placeholders_are_documented(client_admin_a, org_a, customer_a):
    tpl = EmailTemplate.objects.create(
        organization=org_a, name="Willkommen", subject="Willkommen {first_name}", body="Text"
    )
    response = client_admin_a.post(
        url("email", org_a, pk=customer_a.pk), {"template": tpl.pk, "load": "1", "purpose": "standard"}
    )
    html = response.content.decode()
    assert "Willkommen {first_name}" in html and "{legalEntityType}" in html
    assert not OutboundMessage.objects.exists()


@in_scope()
def test_portal_invitation_set_password_single_use(client, client_admin_a, org_a, customer_a):
    response = client_admin_a.post(url("account_invite", org_a, pk=customer_a.pk), {"email": ""})
    assert response.status_code == 302
    account = CustomerAccount.objects.get()
    message = OutboundMessage.objects.get(template="customer_portal_invitation")
    assert message.recipient == "juergen@example.com"
    link = re.search(r"https?://\S+", message.body_text).group(0)
    path = link.split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    response = client.post(path, {"password1": "Sehr-Geheim-42!", "password2": "Sehr-Geheim-42!"})
    assert response.status_code == 200 and org_a.operator_code in response.content.decode()
    account.refresh_from_db()
    assert account.check_password("Sehr-Geheim-42!")
    assert client.get(path).status_code == 404  # single use
    # One account per customer.
    client_admin_a.post(url("account_invite", org_a, pk=customer_a.pk), {"email": "x@example.com"})
    assert CustomerAccount.objects.count() == 1


@in_scope()
def test_portal_link_expires_and_staff_actions(client, client_admin_a, org_a, customer_a):
    account = account_invite(customer=customer_a, base_url="http://testserver/", actor=admin_of(customer_a))
    CustomerAccount.objects.filter(pk=account.pk).update(token_expires_at=timezone.now() - dt.timedelta(minutes=1))
    link = re.search(r"https?://\S+", OutboundMessage.objects.get().body_text).group(0)
    assert client.get(link.split("testserver", 1)[1]).status_code == 404
    client_admin_a.post(url("account_reset", org_a, pk=customer_a.pk, account_pk=account.pk))
    assert OutboundMessage.objects.filter(template="customer_portal_reset").count() == 1
    client_admin_a.post(url("account_resend", org_a, pk=customer_a.pk, account_pk=account.pk))
    assert OutboundMessage.objects.filter(template="customer_portal_invitation").count() == 2
    client_admin_a.post(url("account_delete", org_a, pk=customer_a.pk, account_pk=account.pk))
    assert not CustomerAccount.objects.exists()
    assert mail.outbox == []  # everything went through the outbox


@in_scope()
def test_portal_authentication_with_operator_code(org_a, customer_a):
    from customers.services.portal import account_authenticate, account_set_password

    account = account_invite(customer=customer_a, base_url="http://testserver/", actor=admin_of(customer_a))
    assert (
        account_authenticate(operator_code=org_a.operator_code, email="juergen@example.com", password="x") is None
    )  # no password yet
    account_set_password(account=account, password="Sehr-Geheim-42!")
    assert (
        account_authenticate(
            operator_code=org_a.operator_code.lower(), email="JUERGEN@example.com", password="Sehr-Geheim-42!"
        )
        == account
    )
    assert account_authenticate(operator_code="ORGB", email="juergen@example.com", password="Sehr-Geheim-42!") is None

"""Staff read a message as it went out (issue 7, item 14): text and HTML parts, attachments,
recipient, time, attempts and errors — with access links masked, and only where they may see the
message's record."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from rentoffice.message_display import MASK, mask_secrets
from rentoffice.models import OutboundMessage
from rentoffice.outbox import message_queue
from rentoffice.services import membership_update
from tests.actors import admin_of
from tests.conftest import client_for, make_member
from tests.customers.conftest import make_customer

pytestmark = pytest.mark.django_db


def _url(name, org, message, query=""):
    return reverse(name, kwargs={"org_slug": org.slug, "pk": message.pk}) + query


@pytest.fixture
def customer(org_a):
    with scopes_disabled():
        return make_customer(org_a, first_name="Jörg", last_name="Müller", email="joerg@example.com")


@pytest.fixture
def sent_email(client_admin_a, org_a, customer):
    response = client_admin_a.post(
        reverse("customers:email", kwargs={"org_slug": org_a.slug, "pk": customer.pk}),
        {
            "purpose": "standard",
            "subject": "Ihr Angebot, {first_name}",
            "body": "Guten Tag {name},\n\nanbei die Preisliste & mehr: https://www.example.com/preise",
            "uploads": [SimpleUploadedFile("Preisliste.txt", b"Kleinwagen 39 EUR")],
            "send": "1",
        },
    )
    assert response.status_code == 302
    with scope(organization=org_a):
        return OutboundMessage.objects.get(purpose="customer_email")


@pytest.fixture
def invitation(client_admin_a, org_a, customer):
    response = client_admin_a.post(
        reverse("customers:account_invite", kwargs={"org_slug": org_a.slug, "pk": customer.pk}),
        {"email": "joerg@example.com"},
    )
    assert response.status_code == 302
    with scope(organization=org_a):
        return OutboundMessage.objects.get(template="customer_portal_invitation")


def test_staff_read_a_sent_e_mail_with_its_attachment(client_admin_a, org_a, customer, sent_email):
    with scope(organization=org_a):
        OutboundMessage.objects.filter(pk=sent_email.pk).update(
            status=OutboundMessage.Status.FAILED, attempts=5, last_error="SMTPRecipientsRefused: 550 mailbox unknown"
        )
    card = client_admin_a.get(reverse("customers:card", kwargs={"org_slug": org_a.slug, "pk": customer.pk}))
    from tests.test_outsiders import panel_content

    # the (lazily loaded) messages panel links to it
    assert _url("message_detail", org_a, sent_email) in panel_content(client_admin_a, card.content.decode())

    page = client_admin_a.get(_url("message_detail", org_a, sent_email))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ihr Angebot, Jörg" in html
    assert "Guten Tag Jörg Müller,\n\nanbei die Preisliste &amp; mehr: https://www.example.com/preise" in html
    assert "joerg@example.com" in html
    assert "SMTPRecipientsRefused: 550 mailbox unknown" in html
    assert re.search(r'data-testid="message-attempts">\s*5\s*<', html)
    assert "Preisliste.txt" in html
    assert _url("message_html", org_a, sent_email) in html
    assert 'sandbox=""' in html

    download = client_admin_a.get(_url("message_attachment", org_a, sent_email, "?n=0"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"Kleinwagen 39 EUR"
    assert (
        download["Content-Disposition"].startswith("attachment;")
        and "Preisliste.txt" in download["Content-Disposition"]
    )
    assert client_admin_a.get(_url("message_attachment", org_a, sent_email, "?n=1")).status_code == 404
    assert client_admin_a.get(_url("message_attachment", org_a, sent_email, "?n=x")).status_code == 404


def test_html_part_is_served_sandboxed(client_admin_a, org_a, sent_email):
    response = client_admin_a.get(_url("message_html", org_a, sent_email))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "frame-ancestors 'self'" in csp
    assert "script-src" not in csp  # nothing may run
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    body = response.content.decode()
    assert "preisliste &amp; mehr" in body.lower() and "Autohaus A" in body


def test_access_links_are_masked_in_text_and_html(client_admin_a, org_a, invitation):
    with scope(organization=org_a):
        stored = OutboundMessage.objects.get(pk=invitation.pk).body_text
    token = re.search(r"/portal/set-password/([^/\s]+)/", stored).group(1)

    page = client_admin_a.get(_url("message_detail", org_a, invitation)).content.decode()
    frame = client_admin_a.get(_url("message_html", org_a, invitation)).content.decode()
    for shown in (page, frame):
        assert token not in shown
        assert f"/portal/set-password/{MASK}/" in shown


def test_masking_of_links():
    reset = "http://rent.example/password/reset/MQ/cf8z4b-0a1b2c3d4e5f6a7b8c9d0e1f2a3b/"
    assert mask_secrets(f"Link: {reset}.") == f"Link: http://rent.example/password/reset/{MASK}/{MASK}/."
    assert mask_secrets("https://pay.example/checkout?session=cs_live_a1B2c3D4e5F6g7H8i9J0&lang=de") == (
        f"https://pay.example/checkout?session={MASK}&lang=de"
    )
    assert (
        mask_secrets('<a href="https://x.example/?token=abc&amp;a=1">')
        == f'<a href="https://x.example/?token={MASK}&amp;a=1">'
    )
    plain = (
        "https://www.example.com/o/koenig/customers/12/ und https://www.autohaus-koenig.example/angebote/sommer-2026"
    )
    assert mask_secrets(plain) == plain


def test_outsiders_and_other_stations_get_404(org_a, org_b, station_a1, station_a2, client_admin_b, sent_email):
    for name in ("message_detail", "message_html", "message_attachment"):
        assert client_admin_b.get(_url(name, org_a, sent_email)).status_code == 404
        assert client_admin_b.get(_url(name, org_b, sent_email)).status_code == 404
    with scope(organization=org_a), transaction.atomic():
        about_a1 = message_queue(
            organization=org_a,
            recipient="a1@example.com",
            template="",
            subject="Station A1",
            body_text="Nur für A1",
            context={},
            related=station_a1,
        )
        no_record = message_queue(
            organization=org_a, recipient="x@example.com", template="", subject="Ohne", body_text="x", context={}
        )
    with scopes_disabled():
        staff_a1 = make_member(org_a, "s1@a.example", stations=[station_a1])
        staff_a2 = make_member(org_a, "s2@a.example", stations=[station_a2])
    # A station's messages are as private as the station's page: its lead may read them.
    assert client_for(staff_a1).get(_url("message_detail", org_a, about_a1)).status_code == 403
    with scope(organization=org_a):
        membership = staff_a1.memberships.get()
        membership_update(
            actor=admin_of(org_a),
            membership=membership,
            role=membership.role,
            scope=membership.scope,
            stations=[station_a1],
            managed_stations=[station_a1],
        )
    assert client_for(staff_a1).get(_url("message_detail", org_a, about_a1)).status_code == 200
    for name in ("message_detail", "message_html"):
        assert client_for(staff_a2).get(_url(name, org_a, about_a1)).status_code == 404
    with scopes_disabled():
        admin = client_for(org_a.memberships.get(user__email="admin@a.example").user)
    assert admin.get(_url("message_detail", org_a, no_record)).status_code == 404


def test_member_without_message_permission_gets_403(org_a, sent_email):
    with scopes_disabled():
        technician = make_member(org_a, "tech@a.example", role_key="technician")
    assert client_for(technician).get(_url("message_detail", org_a, sent_email)).status_code == 403

"""Every message kind renders names with &, quotes and umlauts as written: raw in the text part and
subject, escaped exactly once in the HTML part (issue 7, item 16: "Müller &amp; Söhne")."""

import datetime as dt
import html
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from customers.models import Customer
from rentoffice.models import OutboundMessage
from rentoffice.outbox import message_queue
from tests.customers.conftest import make_customer

pytestmark = pytest.mark.django_db

NAME = 'Müller & Söhne "Autos" <GmbH>'
PERSON = "Jörg O'Brien & Ärger"


def _contexts(org, customer):
    people = {"user": {"full_name": PERSON}, "actor": {"full_name": NAME}, "link": "https://rent.example/x/?a=1&b=2"}
    licence = {"customer": customer, "due_on": dt.date(2026, 1, 5), "step": 1, "overdue_days": 3}
    portal = {
        "customer": customer,
        "expires_at": dt.datetime(2026, 1, 8, 12, tzinfo=dt.UTC),
        "link": "https://rent.example/portal/set-password/abc/",
    }
    return {
        "staff_invitation": people,
        "staff_membership_added": people,
        "password_reset": {"protocol": "https", "domain": "rent.example", "uid": "MQ", "token": "x-y"},
        "customer_licence_escalation": licence,
        "customer_licence_escalation_office": licence,
        "customer_portal_invitation": portal,
        "customer_portal_reset": portal,
        "protocol": {
            "customer_name": NAME,
            "contract_number": "MV-1",
            "vehicle": "M-AB 1 (VW Golf)",
            "protocol_kind": "Übergabe",
            "protocol_date": "01.12.2026 10:00",
            "place": NAME,
        },
        "invoice": {
            "customer_name": NAME,
            "document_kind": "Rechnung",
            "invoice_number": "RE-1",
            "invoice_date": "01.12.2026",
            "amount": "12,50 €",
            "contract_number": "MV-1",
            "due_date": "15.12.2026",
        },
        "reservation_confirmation": {
            "customer_name": NAME,
            "contract_number": "MV-1",
            "vehicle_group": NAME,
            "pickup": "01.12.2026 10:00",
            "pickup_station": NAME,
            "return": "03.12.2026 10:00",
            "return_station": NAME,
            "amount_paid": "49,00 €",
            "deposit": "300,00 €",
        },
        "payment_link": {
            "customer_name": NAME,
            "amount": "12,50 €",
            "description": NAME,
            "contract_number": "MV-1",
            "pay_url": "https://rent.example/pay/abc/?a=1&b=2",
        },
        "hold_expiring": {
            "customer_name": NAME,
            "amount": "300,00 €",
            "contract_number": "MV-1",
            "expires": "02.12.2026 10:00",
            "action": NAME,
        },
        **{
            kind: {
                "case_number": 7,
                "reference": NAME,
                "dealership": NAME,
                "brand": "Škoda",
                "salutation": "Frau",
                "name": PERSON,
                "accepted": "12.50",
                "link": "https://rent.example/c/abc/",
                "work": NAME,
                "approved": True,
                "amount": "12.50",
            }
            for kind in (
                "fleetback_case",
                "fleetback_case_sms",
                "fleetback_answered",
                "fleetback_decision",
                "fleetback_decision_sms",
            )
        },
    }


def _template_kinds() -> set[str]:
    roots = [Path(settings.BASE_DIR) / "templates" / "messages"]
    roots += [p for p in Path(settings.BASE_DIR).glob("*/templates/messages")]
    return {d.name for root in roots for d in root.iterdir() if d.is_dir() and (d / "body.txt").exists()}


@pytest.fixture
def named(org_a):
    with scopes_disabled():
        org_a.name = NAME
        org_a.save()
        customer = make_customer(
            org_a, kind=Customer.Kind.LEGAL_ENTITY, company=NAME, last_name="", email="m@example.com"
        )
    return org_a, customer


def _assert_rendered(message: OutboundMessage, *, expected: str):
    assert "&amp;" not in message.body_text and "&quot;" not in message.body_text and "&#x27;" not in message.body_text
    assert "&amp;" not in message.subject and "&quot;" not in message.subject
    assert expected in message.body_text or expected in message.subject
    # The HTML part shows the same words: escaped once, so a mail client displays them as written.
    assert "&amp;amp;" not in message.body_html and "&amp;quot;" not in message.body_html
    assert html.escape(NAME, quote=False) in message.body_html or html.escape(NAME) in message.body_html


def test_every_message_kind_is_covered():
    assert _template_kinds() == set(_contexts(None, None))


@pytest.mark.parametrize("template", sorted(_contexts(None, None)))
def test_message_kind_renders_names_as_written(named, template):
    org, customer = named
    context = _contexts(org, customer)[template]
    with scope(organization=org), transaction.atomic():
        message = message_queue(
            organization=org, recipient="x@example.com", template=template, context=context, language="de"
        )
    expected = PERSON if template.startswith("staff_") else NAME
    if template == "password_reset":
        expected = "https://rent.example"
    _assert_rendered(message, expected=expected)
    if template.startswith("staff_"):
        assert NAME in message.body_text  # the actor's name, raw
    if template == "staff_invitation":
        assert "https://rent.example/x/?a=1&b=2" in message.body_text
        assert 'href="https://rent.example/x/?a=1&amp;b=2"' in message.body_html


def test_adapted_text_renders_names_as_written(named):
    org, _customer = named
    from rentoffice.models import MessageTemplate

    with scope(organization=org):
        MessageTemplate.objects.create(
            organization=org,
            template="staff_invitation",
            language="de",
            subject="{organization_name}",
            body_text="Hallo {user_name}",
        )
        with transaction.atomic():
            message = message_queue(
                organization=org,
                recipient="x@example.com",
                template="staff_invitation",
                context=_contexts(org, None)["staff_invitation"],
            )
    assert message.subject == NAME
    assert message.body_text == f"Hallo {PERSON}\n"
    assert html.escape(PERSON, quote=False) in message.body_html or html.escape(PERSON) in message.body_html
    assert "&amp;amp;" not in message.body_html


def test_customer_email_from_the_editor_renders_names_as_written(named, client_admin_a):
    org, customer = named
    response = client_admin_a.post(
        reverse("customers:email", kwargs={"org_slug": org.slug, "pk": customer.pk}),
        {"purpose": "standard", "subject": "Für {name}", "body": "Guten Tag {name},\n\n„Angebot“ & mehr", "send": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with scope(organization=org):
        message = OutboundMessage.objects.get(purpose="customer_email")
    assert message.subject == f"Für {NAME}"
    assert message.body_text == f"Guten Tag {NAME},\n\n„Angebot“ & mehr\n" or message.body_text.startswith(
        f"Guten Tag {NAME},"
    )
    _assert_rendered(message, expected=NAME)
    assert "„Angebot“ &amp; mehr" in message.body_html

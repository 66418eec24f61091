import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from customers.models import AccessCard, Customer
from rentoffice.models import OutboundMessage
from tests.actors import admin_of
from tests.conftest import in_scope

from .conftest import make_customer

pytestmark = pytest.mark.django_db


def card_url(org, customer):
    return reverse("customers:card", kwargs={"org_slug": org.slug, "pk": customer.pk})


def form_data(response):
    """The card form as the browser would submit it, unchanged."""
    form = response.context["form"]
    cards = response.context["cards"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(value, (list, tuple)):
            data[key] = [str(v) for v in value]
        elif value is None:
            data[key] = ""
        elif isinstance(value, bool):
            if name in Customer.PERMISSION_FIELDS:
                data[key] = "true" if value else "false"
            elif value:
                data[key] = "on"
        else:
            data[key] = str(value)
    mgmt = cards.management_form
    for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
        data[f"cards-{name}"] = str(mgmt[name].value())
    for i, f in enumerate(cards.forms):
        for name in ("number", "valid_from", "valid_until"):
            value = f[name].value()
            data[f"cards-{i}-{name}"] = "" if value is None else str(value)
    return data


def test_email_fallback_rule(org_a):
    c = make_customer(org_a, email="std@example.com")
    assert c.email_for("standard") == c.email_for("invoice") == c.email_for("booking") == "std@example.com"
    c.email_invoices = "inv@example.com"
    assert c.email_for("invoice") == "inv@example.com"
    assert c.email_for("booking") == "std@example.com"
    c.email_bookings = "book@example.com"
    assert c.email_for("booking") == "book@example.com"
    assert c.email_for("standard") == "std@example.com"


def test_customer_numbers_come_from_the_sequence(org_a, org_b):
    a1, a2 = make_customer(org_a), make_customer(org_a)
    b1 = make_customer(org_b)
    assert a2.number == a1.number + 1
    assert b1.number == 1


@in_scope()
def test_create_customer_through_the_form(client_admin_a, org_a):
    url = reverse("customers:create", kwargs={"org_slug": org_a.slug})
    data = form_data(client_admin_a.get(url))
    data.update(
        {
            "c-first_name": "Özlem",
            "c-last_name": "Yılmaz",
            "c-email": "oezlem@example.com",
            "c-new_attributes": "VIP, Stammkunde",
            "cards-0-number": "NEW-001",
        }
    )
    response = client_admin_a.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    customer = Customer.objects.get(organization=org_a, last_name="Yılmaz")
    assert sorted(a.name for a in customer.attributes.all()) == ["Stammkunde", "VIP"]
    card = AccessCard.objects.get(organization=org_a, number="NEW-001")
    assert card.customer == customer and card.valid_from == dt.date.today()


def test_edit_two_tabs_saves_all_and_records_activity(client_admin_a, org_a, customer_a):
    url = card_url(org_a, customer_a)
    data = form_data(client_admin_a.get(url))
    data["c-city"] = "Augsburg"  # address tab
    data["c-iban"] = "DE89 3704 0044 0532 0130 00"  # billing tab
    response = client_admin_a.post(url, data)
    assert response.status_code == 302
    customer_a.refresh_from_db()
    assert customer_a.city == "Augsburg" and customer_a.iban == "DE89370400440532013000"
    html = client_admin_a.get(url).content.decode()
    assert "Augsburg" in html
    entry = LogEntry.objects.get_for_object(customer_a).first()
    assert {"city", "iban"} <= set(entry.changes_dict)


def test_errors_are_shown_on_their_tab(client_admin_a, org_a, customer_a):
    url = card_url(org_a, customer_a)
    data = form_data(client_admin_a.get(url))
    data["c-iban"] = "DE00 1234"
    data["c-einvoice_mode"] = "xrechnung"
    data["c-leitweg_id"] = ""
    response = client_admin_a.post(url, data)
    assert response.status_code == 200
    tabs = {t["key"]: t for t in response.context["tabs"]}
    assert tabs["billing"]["has_errors"] and tabs["billing"]["active"]
    assert not tabs["address"]["has_errors"]
    html = response.content.decode()
    assert "Leitweg-ID" in html and "IBAN" in html
    customer_a.refresh_from_db()
    assert customer_a.iban == ""


@in_scope()
def test_card_assigned_elsewhere_is_refused(client_admin_a, org_a, customer_a):
    other = make_customer(org_a, last_name="Zweiter")
    url = card_url(org_a, other)
    data = form_data(client_admin_a.get(url))
    data["cards-0-number"] = "ka-12345"
    response = client_admin_a.post(url, data)
    assert response.status_code == 200
    assert {t["key"]: t for t in response.context["tabs"]}["cards"]["has_errors"]
    assert AccessCard.objects.get(number="KA-12345").customer == customer_a


def test_card_suggestions_after_three_characters(client_admin_a, org_a, customer_a):
    url = reverse("customers:card_suggest", kwargs={"org_slug": org_a.slug})
    assert "KA-12345" not in client_admin_a.get(url, {"q": "KA"}).content.decode()
    assert "KA-12345" in client_admin_a.get(url, {"q": "a-1"}).content.decode()


def _grow_card(org, customer, n, start):
    """More of everything the card shows: sub-customers, cards, documents, attributes, activity, messages."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from customers.models import CustomerAccount, LicenceEscalation
    from customers.services import attribute_create, customer_save
    from customers.services.documents import document_upload

    for i in range(start, start + n):
        sub = make_customer(org, last_name=f"Sub{i}", main_customer=customer, cards=[f"SUB-{i}"])
        CustomerAccount.objects.create(organization=org, customer=sub, email=f"sub{i}@example.com")
        document_upload(
            customer=customer,
            upload=SimpleUploadedFile(f"d{i}.pdf", b"%PDF-1.4\n%%EOF\n"),
            doc_type="other",
            note=f"note {i}",
            actor=admin_of(customer),
        )
        customer.city = f"Stadt{i}"  # one more activity entry each time
        customer_save(
            actor=admin_of(customer),
            customer=customer,
            attributes=[*customer.attributes.all(), attribute_create(actor=admin_of(org), name=f"Attr{i}")],
            stations=list(org.stations.all()),
        )
        LicenceEscalation.objects.create(organization=org, customer=customer, due_on=dt.date(2026, 1, 1), step=i + 1)
        OutboundMessage.objects.create(organization=org, recipient="x@example.com", purpose="x", body_text="x")


@in_scope()
def test_card_query_count_does_not_grow(client_admin_a, org_a, customer_a, django_assert_max_num_queries):
    url = card_url(org_a, customer_a)
    # Panels far down the card are loaded by htmx after it: their bodies too.
    lazy = [
        reverse("panel_body", args=[org_a.slug, "customer", key, customer_a.pk])
        for key in ("documents", "sub_customers", "portal", "licence_escalations", "activity", "messages")
    ]
    _grow_card(org_a, customer_a, 1, 0)
    client_admin_a.get(url)  # warm-up
    with django_assert_max_num_queries(60) as ctx:
        client_admin_a.get(url)
    few = {body: _queries(client_admin_a, body) for body in lazy}
    _grow_card(org_a, customer_a, 3, 1)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        response = client_admin_a.get(url)
    assert "Attr3" in response.content.decode()
    assert {body: _queries(client_admin_a, body) for body in lazy} == few
    assert "d3.pdf" in client_admin_a.get(lazy[0]).content.decode()
    assert client_admin_a.get(lazy[1]).content.decode().count("Sub") >= 4


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_staff_of_any_station_sees_organization_customers(client_staff_a1, org_a, station_a2):
    customer = make_customer(org_a, last_name="Augsburger", home_station=station_a2)
    assert client_staff_a1.get(card_url(org_a, customer)).status_code == 200


@in_scope()
def test_view_only_member_cannot_post(org_a, customer_a):
    from django.test import Client

    from rentoffice.models import Membership, Role
    from tests.conftest import make_member

    user = make_member(org_a, "viewer@a.example")
    role = Role.objects.create(organization=org_a, key="viewer", name="Viewer", permissions=["customers.view"])
    Membership.objects.filter(user=user).update(role=role)
    client = Client()
    client.force_login(user)
    assert client.get(card_url(org_a, customer_a)).status_code == 200
    assert client.post(card_url(org_a, customer_a), {}).status_code == 403


def test_settings_page_sets_default_permissions(client_admin_a, org_a, customer_a):
    url = reverse("customers:settings", kwargs={"org_slug": org_a.slug})
    response = client_admin_a.post(
        url,
        {
            "may_book_online": "on",
            "may_use_portal": "on",
            "additional_parallel_bookings": "2",
            "licence_escalation_days": "0, 7",
            "inactivity_months": "24",
        },
    )
    assert response.status_code == 302
    rendered = client_admin_a.get(card_url(org_a, customer_a)).context["rendered"]
    panel = next(item["context"] for item in rendered if item["panel"].key == "permissions")
    perms = {f: v for f, _l, v, _d in panel["permissions"]}
    assert perms["may_reserve"] is False and perms["may_book_online"] is True


def test_card_in_german_and_english(client_admin_a, org_a, customer_a):
    url = card_url(org_a, customer_a)
    client_admin_a.cookies["django_language"] = "de"
    html = client_admin_a.get(url).content.decode()
    assert "Stammdaten" in html and "Adresse &amp; Kommunikation" in html and "Führerscheinprüfung" in html
    client_admin_a.cookies["django_language"] = "en"
    html = client_admin_a.get(url).content.decode()
    assert "Master data" in html and "Licence check" in html


def test_card_suggestions_accept_the_formset_field_name(client_admin_a, org_a, customer_a):
    """htmx sends the typed value under the input's own name (cards-<n>-number)."""
    response = client_admin_a.get(
        reverse("customers:card_suggest", kwargs={"org_slug": org_a.slug}), {"cards-3-number": "123"}
    )
    assert "KA-12345" in response.content.decode()

"""Merge and export go through each app's handler (customers/data_handlers.py); issue 7 items 5 and 10."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from customers import data_handlers
from customers.data_handlers import CustomerDataHandler, ExportPart
from customers.models import AccessCard, Customer, CustomerAccount
from customers.services import customer_export, customer_merge
from customers.services.portal import account_for_token, account_invite
from rentoffice.models import OutboundMessage
from tests.actors import admin_of

from .conftest import make_customer

pytestmark = pytest.mark.django_db


def url(name, org, **kwargs):
    return reverse(f"customers:{name}", kwargs={"org_slug": org.slug, **kwargs})


@pytest.fixture
def pair(org_a):
    with scopes_disabled():
        survivor = make_customer(org_a, first_name="Anna", last_name="Alt", email="alt@example.com", cards=["K-1"])
        other = make_customer(org_a, first_name="Anna", last_name="Neu", email="neu@example.com", cards=["K-2"])
    return survivor, other


def snapshot(org):
    with scopes_disabled():
        return (
            sorted(Customer.objects.filter(organization=org).values_list("pk", "last_name", "email")),
            sorted(AccessCard.objects.filter(organization=org).values_list("number", "customer_id")),
        )


@pytest.fixture
def customer_a(org_a):
    with scopes_disabled():
        return make_customer(org_a, first_name="Jürgen", last_name="Müller", email="juergen@example.com")


@pytest.fixture
def temporary_handler():
    added = []

    def add(handler, **kwargs):
        data_handlers.register(handler, **kwargs)
        added.append(handler.key)

    yield add
    for key in added:
        data_handlers._handlers.pop(key, None)


def test_merge_with_unknown_field_is_400_and_changes_nothing(client_admin_a, org_a, pair):
    survivor, other = pair
    before = snapshot(org_a)
    response = client_admin_a.post(
        url("merge", org_a, pk=survivor.pk, other_pk=other.pk), {"take": ["email", "password; DROP", "organization"]}
    )
    assert response.status_code == 400
    assert snapshot(org_a) == before


def test_refusing_handler_stops_the_merge_with_its_reason(org_a, admin_a, pair, temporary_handler):
    survivor, other = pair
    temporary_handler(
        CustomerDataHandler(
            "invoices",
            (),
            lambda *, customer: ExportPart("Invoices."),
            merge_refusal=lambda *, survivor, other: "Neu has issued invoices; they keep their customer.",
        )
    )
    before = snapshot(org_a)
    with scope(organization=org_a), pytest.raises(ValidationError) as caught:
        customer_merge(survivor=survivor, other=other, take_from_other=["email"], actor=admin_of(survivor))
    assert "issued invoices" in " ".join(caught.value.messages)
    assert snapshot(org_a) == before


def test_relation_without_handler_refuses_the_merge(org_a, admin_a, pair):
    survivor, other = pair
    cards = data_handlers.unregister("access_cards")
    try:
        assert data_handlers.unhandled_relations() == ["customers.AccessCard"]
        before = snapshot(org_a)
        with scope(organization=org_a), pytest.raises(ValidationError, match="AccessCard"):
            customer_merge(survivor=survivor, other=other, take_from_other=[], actor=admin_of(survivor))
        assert snapshot(org_a) == before
    finally:
        data_handlers.register(cards)


def test_handlers_move_their_rows_and_register_once(org_a, admin_a, pair, temporary_handler):
    survivor, other = pair
    calls = []
    handler = CustomerDataHandler(
        "later_app",
        (),
        lambda *, customer: ExportPart("Later records."),
        merge=lambda *, survivor, other: calls.append((survivor.pk, other.pk)) or 3,
    )
    temporary_handler(handler)
    with pytest.raises(ValueError, match="already registered"):
        data_handlers.register(handler)
    data_handlers.register(handler, replaces=True)
    with scope(organization=org_a):
        customer_merge(survivor=survivor, other=other, take_from_other=[], actor=admin_of(survivor))
    assert calls == [(survivor.pk, other.pk)]
    with scopes_disabled():
        assert set(AccessCard.objects.filter(customer=survivor).values_list("number", flat=True)) == {"K-1", "K-2"}


def _payload(content: bytes) -> tuple[dict, str, zipfile.ZipFile]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    text = archive.read("customer.json").decode()
    return json.loads(text), text, archive


def test_export_leaves_out_live_portal_links(client_admin_a, org_a, customer_a, admin_a):
    with scope(organization=org_a):
        account_invite(customer=customer_a, base_url="https://office.example", actor=admin_of(customer_a))
    with scopes_disabled():
        body = OutboundMessage.objects.get(template="customer_portal_invitation").body_text
    token = re.search(r"/portal/set-password/([^/\s]+)/", body).group(1)

    response = client_admin_a.get(url("export", org_a, pk=customer_a.pk))
    payload, text, _archive = _payload(response.content)
    assert token not in response.content.decode("latin-1")
    assert token not in text
    assert "/portal/set-password/…/" in json.dumps(payload["messages"], ensure_ascii=False)
    assert payload["messages"] and payload["messages"][0]["fields"]["recipient"] == "juergen@example.com"
    with scopes_disabled():
        account = CustomerAccount.objects.get(customer=customer_a)
        assert account.token_hash not in text
        # Masked, not invalidated: the customer can still use the e-mail they received.
        assert account_for_token(token) == account


def test_export_of_main_customer_does_not_contain_sub_customers_records(org_a):
    with scopes_disabled():
        main = make_customer(org_a, company="Müller & Söhne", kind=Customer.Kind.LEGAL_ENTITY, last_name="")
        sub = make_customer(
            org_a, first_name="Fritz", last_name="Fahrer", email="fritz@private.example", main_customer=main
        )
    with scope(organization=org_a):
        _name, content = customer_export(customer=main)
    payload, text, archive = _payload(content)
    assert "fritz@private.example" not in text
    subs = [row for row in payload["related"] if row["model"] == "customers.customer"]
    assert subs == [
        {"model": "customers.customer", "pk": sub.pk, "fields": {"number": sub.number, "name": sub.display_name}}
    ]
    parts = {entry["part"]: entry for entry in payload["contents"]}
    assert parts["sub_customers"]["rows"] == 1
    assert "README.txt" in archive.namelist()


def test_export_includes_other_apps_parts(org_a, customer_a, temporary_handler):
    temporary_handler(
        CustomerDataHandler(
            "later_app",
            (),
            lambda *, customer: ExportPart("Later records.", [{"model": "later_app.record", "pk": 1, "fields": {}}]),
        )
    )
    with scope(organization=org_a):
        _name, content = customer_export(customer=customer_a)
    payload, _text, _archive = _payload(content)
    assert {"part": "later_app", "description": "Later records.", "rows": 1} in payload["contents"]
    assert {"model": "later_app.record", "pk": 1, "fields": {}} in payload["related"]


def test_delete_page_of_main_customer_names_its_sub_customers(client_admin_a, org_a):
    with scopes_disabled():
        main = make_customer(org_a, company="Müller & Söhne", kind=Customer.Kind.LEGAL_ENTITY, last_name="")
        subs = [make_customer(org_a, first_name=n, last_name="Fahrer", main_customer=main) for n in ("Fritz", "Frida")]
    client_admin_a.cookies["django_language"] = "en"
    page = client_admin_a.get(url("delete", org_a, pk=main.pk)).content.decode()
    assert "main customer of 2 sub-customers" in page
    assert "They stay as customers of their own, without a main customer" in page
    for sub in subs:
        assert f"({sub.number})" in page

    assert client_admin_a.post(url("delete", org_a, pk=main.pk)).status_code == 302
    with scopes_disabled():
        assert [c.main_customer_id for c in Customer.objects.filter(pk__in=[s.pk for s in subs])] == [None, None]

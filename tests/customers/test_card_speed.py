"""The customer card's single-request time (issue 7, docs/performance.md): the documents, activity
and messages panels come with htmx after the card, the country selects are written once per
language, and the card's query count stays at its ceiling. What the user sees stays the same."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from customers.services import customer_save
from customers.services.documents import document_upload
from tests.actors import admin_of

from .conftest import make_customer

pytestmark = pytest.mark.django_db

# The card of a customer with a document and history, as an administrator sees it. It was 24 before
# the documents and activity panels were loaded lazily; a new query on the card must be a choice.
CARD_QUERIES = 21
LAZY = ("documents", "activity", "messages")


def card_url(org, customer):
    return reverse("customers:card", kwargs={"org_slug": org.slug, "pk": customer.pk})


def body_url(org, customer, key):
    return reverse("panel_body", args=[org.slug, "customer", key, customer.pk])


@pytest.fixture
def with_history(org_a):
    customer = make_customer(org_a, first_name="Özlem", last_name="Yıldız", country="AT")
    with scope(organization=org_a):
        document_upload(
            customer=customer,
            upload=SimpleUploadedFile("Mietvertrag-2026.pdf", b"%PDF-1.4\n%%EOF\n"),
            doc_type="other",
            note="",
            actor=admin_of(customer),
        )
        customer.city = "Rosenheim"
        customer_save(actor=admin_of(customer), customer=customer)
    return customer


def test_card_loads_documents_and_activity_after_the_card(client_admin_a, org_a, with_history):
    page = client_admin_a.get(card_url(org_a, with_history)).content.decode()
    for key in LAZY:
        assert re.search(rf'id="panel-{key}".*?hx-get="{body_url(org_a, with_history, key)}"', page, re.S), key
    assert "Mietvertrag-2026.pdf" not in page and 'data-testid="activity-list"' not in page

    documents = client_admin_a.get(body_url(org_a, with_history, "documents")).content.decode()
    assert "Mietvertrag-2026.pdf" in documents and 'data-testid="document-file"' in documents
    activity = client_admin_a.get(body_url(org_a, with_history, "activity")).content.decode()
    assert "Rosenheim" in activity


def test_card_query_ceiling(client_admin_a, org_a, with_history):
    url = card_url(org_a, with_history)
    client_admin_a.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client_admin_a.get(url).status_code == 200
    assert len(ctx.captured_queries) <= CARD_QUERIES, [q["sql"][:80] for q in ctx.captured_queries]


def test_lazy_panel_bodies_load_the_customer_alone(client_admin_a, org_a, with_history):
    """A panel body loads the customer without the card's relations (sub-customers, cards, ...)."""
    for key in LAZY:
        url = body_url(org_a, with_history, key)
        client_admin_a.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client_admin_a.get(url).status_code == 200
        tables = " ".join(q["sql"] for q in ctx.captured_queries)
        assert "customers_accesscard" not in tables and "customers_customer_attributes" not in tables, key


def _selected(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="c-{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)" selected>', select)


def test_country_selects_show_each_customers_country_in_the_page_language(client_admin_a, org_a, with_history):
    # The options are written once per language and reused: each card still marks its own value.
    other = make_customer(org_a, last_name="Berger", country="DE", nationality="IT")
    first = client_admin_a.get(card_url(org_a, with_history)).content.decode()
    second = client_admin_a.get(card_url(org_a, other)).content.decode()
    first_again = client_admin_a.get(card_url(org_a, with_history)).content.decode()
    assert _selected(first, "country") == ["AT"] and _selected(first, "nationality") == [""]
    assert _selected(second, "country") == ["DE"] and _selected(second, "nationality") == ["IT"]
    assert _selected(first_again, "country") == ["AT"]
    assert ">Österreich</option>" in first

    client_admin_a.cookies["django_language"] = "en"
    english = client_admin_a.get(card_url(org_a, other)).content.decode()
    assert ">Austria</option>" in english and ">Österreich</option>" not in english
    assert _selected(english, "country") == ["DE"]

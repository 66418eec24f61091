"""Back-office pages: editor (work list rows), list search and filters, case page, PDF, preview."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from fleetback.models import Case
from fleetback.services import sending
from tests.actors import admin_of

from .helpers import brand_of, make_case

pytestmark = pytest.mark.django_db


def editor_data(station, brand, rows, **overrides):
    data = {
        "station": station.pk,
        "brand": brand.pk,
        "module": "mechanics",
        "reference": "RO-77",
        "plate": "m-ab 123",
        "contact_salutation": "mr",
        "contact_last_name": "Huber",
        "contact_email": "huber@example.com",
        "contact_language": "en",
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        defaults = {"urgency": "recommended", "price_includes_vat": "1", "vat_rate": "19", "state": "pending"}
        data.update({f"items-{i}-{k}": v for k, v in {**defaults, **row}.items()})
    data.update(overrides)
    return data


def test_editor_creates_case_with_work_list(client_admin_a, org_a, station_a1):
    brand = brand_of(station_a1)
    rows = [
        {"title": "Bremsen", "urgency": "urgent", "price": "200"},
        {"title": "Öl", "price": "50", "price_includes_vat": "0", "discount_kind": "percent", "discount_value": "10"},
        {"title": "", "price": ""},  # an empty row is ignored
        {"title": "Weg damit", "DELETE": "on"},
    ]
    url = reverse("fleetback:create_after_sales", args=[org_a.slug])
    assert client_admin_a.get(url).status_code == 200
    response = client_admin_a.post(url, editor_data(station_a1, brand, rows))
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    with scope(organization=org_a):
        case = Case.objects.get()
        assert (case.plate, case.contact.last_name, case.contact.language) == ("M-AB 123", "Huber", "en")
        assert [(i.title, str(i.gross)) for i in case.items.all()] == [("Bremsen", "200.00"), ("Öl", "53.55")]


def test_editor_add_row_keeps_entries_and_saves_nothing(client_admin_a, org_a, station_a1):
    brand = brand_of(station_a1)
    url = reverse("fleetback:create_after_sales", args=[org_a.slug])
    response = client_admin_a.post(url, {**editor_data(station_a1, brand, [{"title": "Bremsen"}]), "add_row": "1"})
    assert response.status_code == 200
    assert len(response.context["items"].forms) == 2
    assert response.context["items"].forms[0]["title"].value() == "Bremsen"
    with scope(organization=org_a):
        assert not Case.objects.exists()


def test_editor_bad_input_is_field_errors(client_admin_a, org_a, station_a1, station_a2):
    brand = brand_of(station_a1)
    other_brand = brand_of(station_a2, "Audi")
    url = reverse("fleetback:create_after_sales", args=[org_a.slug])
    response = client_admin_a.post(
        url,
        editor_data(
            station_a1, brand, [{"title": "X", "price": "10", "discount_kind": "amount", "discount_value": "20"}]
        ),
    )
    assert response.status_code == 200
    assert "discount_value" in response.context["items"].forms[0].errors
    response = client_admin_a.post(url, editor_data(station_a1, other_brand, [], contact_last_name=""))
    assert "contact_last_name" in response.context["form"].errors
    response = client_admin_a.post(url, editor_data(station_a1, other_brand, []))
    assert "brand" in response.context["form"].errors
    with scope(organization=org_a):
        assert not Case.objects.exists()


def test_list_search_and_filters(client_admin_a, org_a, station_a1):
    with scope(organization=org_a):
        make_case(
            org=org_a, station=station_a1, reference="ALPHA", plate="M-XY 1", vin="WVWZZZ1JZXW00001", phone="+4915112"
        )
        sent = make_case(org=org_a, station=station_a1, reference="BETA", module="body")
        sending.case_send(actor=admin_of(org_a), case=sent, channel="link", base_url="https://x/")
        make_case(org=org_a, station=station_a1, reference="GAMMA", mode="sales", module="direct")
    url = reverse("fleetback:list_after_sales", args=[org_a.slug])

    def refs(**params):
        return [c.reference for c in client_admin_a.get(url, params).context["cases"]]

    assert sorted(refs()) == ["ALPHA", "BETA"]
    assert refs(q="m-xy") == ["ALPHA"]
    assert refs(q="000001") == ["ALPHA"]
    assert refs(q="+4915112") and refs(q="kundin") and refs(q="nobody") == []
    assert refs(status="sent") == ["BETA"]
    assert refs(module="mechanics") == ["ALPHA"]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_and_case_page_query_counts_are_constant(client_admin_a, org_a, station_a1):
    with scope(organization=org_a):
        first = make_case(org=org_a, station=station_a1)
        sending.case_send(actor=admin_of(org_a), case=first, channel="email", base_url="https://x/")
    list_url = reverse("fleetback:list_after_sales", args=[org_a.slug])
    detail = reverse("fleetback:detail", args=[org_a.slug, first.pk])
    _queries(client_admin_a, list_url)  # the first request of a session does more (session, language)
    few_list, few_detail = _queries(client_admin_a, list_url), _queries(client_admin_a, detail)
    with scope(organization=org_a):
        for n in range(8):
            make_case(org=org_a, station=station_a1, reference=f"RO-{n}", email=f"k{n}@example.com")
        from fleetback.services.cases import ContactFields

        extras = [ContactFields(salutation="mr", last_name=f"P{n}", email=f"p{n}@example.com") for n in range(4)]
        sending.case_send(
            actor=admin_of(org_a), case=first, channel="email", base_url="https://x/", extra_contacts=extras
        )
    assert _queries(client_admin_a, list_url) == few_list
    assert _queries(client_admin_a, detail) == few_detail


def test_pdf_and_preview(client_admin_a, org_a, case_a1):
    pdf = client_admin_a.get(reverse("fleetback:pdf", args=[org_a.slug, case_a1.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    preview = client_admin_a.get(reverse("fleetback:preview", args=[org_a.slug, case_a1.pk])).content.decode()
    assert "Bremsbeläge vorne" in preview and 'data-testid="customer-submit"' not in preview
    with scope(organization=org_a):
        case_a1.refresh_from_db()
        assert case_a1.status == "awaiting"  # a preview is not a reading

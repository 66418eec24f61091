"""The contract page lists its protocols with their PDFs, the vehicle page shows them in its history,
both at a constant number of queries; the PDF download is for members who may see the contract."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from protocols.models import Protocol
from rentoffice.models import OutboundMessage
from tests.customers.conftest import make_customer
from tests.protocols.ppdf_data import contract_for, make_protocol
from tests.vehicles.conftest import make_vehicle
from vehicles.models import VehicleGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(org_a):
    return VehicleGroup.objects.create(organization=org_a, name="Kleinwagen", code="KLEIN")


@pytest.fixture
def car(org_a, station_a1, group):
    return make_vehicle(org_a, station_a1, group, plate="M-PN 1")


@pytest.fixture
def customer(org_a):
    return make_customer(org_a, first_name="Jürgen", last_name="Müller", email="juergen@example.com")


@pytest.fixture
def contract(customer, group, station_a1, car):
    return contract_for(customer, group, station_a1, car)


def _light_protocols(contract, n: int, *, start_km: int = 10_000) -> list[Protocol]:
    """Submitted protocols without images (the lists do not show them), alternately with PDF and e-mail."""
    made = []
    for i in range(n):
        protocol = make_protocol(
            contract,
            kind=Protocol.Kind.CHECK_OUT if i % 2 == 0 else Protocol.Kind.CHECK_IN,
            km=start_km + i,
            photo_views=(),
            signatures=(),
        )
        if i % 2 == 0:
            with scopes_disabled():
                protocol.pdf.save("p.pdf", ContentFile(b"%PDF-1.7 stored"), save=False)
                protocol.email_message = OutboundMessage.objects.create(
                    organization=contract.organization,
                    recipient="juergen@example.com",
                    purpose="protocol",
                    template="protocol",
                    body_text="x",
                )
                protocol.save(update_fields=["pdf", "email_message"])
        made.append(protocol)
    return made


def queries(client, url) -> tuple[int, str]:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def test_contract_page_lists_protocols_with_pdf_links_at_constant_queries(client_admin_a, org_a, contract):
    url = reverse("contracts:detail", args=[org_a.slug, contract.pk])
    first = _light_protocols(contract, 2)
    two, html = queries(client_admin_a, url)
    assert html.count('data-testid="contract-protocol"') == 2
    assert reverse("protocols:pdf", args=[org_a.slug, first[0].pk]) in html
    assert "E-Mail an juergen@example.com" in html

    _light_protocols(contract, 18, start_km=20_000)
    twenty, html = queries(client_admin_a, url)
    assert html.count('data-testid="contract-protocol"') == 20
    assert twenty == two


def test_contract_panel_shows_a_draft_without_pdf(client_admin_a, org_a, contract):
    draft = make_protocol(contract, submitted=False, photo_views=(), signatures=())
    html = client_admin_a.get(reverse("contracts:detail", args=[org_a.slug, contract.pk])).content.decode()
    assert "Entwurf" in html
    assert reverse("protocols:pdf", args=[org_a.slug, draft.pk]) not in html


def test_vehicle_page_history_shows_protocols_at_constant_queries(client_admin_a, org_a, contract, car):
    url = reverse("vehicles:detail", args=[org_a.slug, car.pk])
    first = _light_protocols(contract, 2)
    two, html = queries(client_admin_a, url)
    assert 'data-testid="vehicle-protocols"' in html
    assert reverse("protocols:pdf", args=[org_a.slug, first[1].pk]) in html
    assert contract.number in html

    _light_protocols(contract, 18, start_km=20_000)
    twenty, html = queries(client_admin_a, url)
    assert twenty == two
    assert html.count("/protocols/") >= 10
    assert "Die letzten 10 Protokolle" in html


def test_pdf_download_serves_the_stored_file(client_admin_a, org_a, contract):
    [protocol] = _light_protocols(contract, 1)
    response = client_admin_a.get(reverse("protocols:pdf", args=[org_a.slug, protocol.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert contract.number in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.7 stored"


def test_pdf_download_renders_when_the_worker_has_not_stored_it_yet(client_admin_a, org_a, contract):
    protocol = make_protocol(contract, photo_views=(), signatures=())
    response = client_admin_a.get(reverse("protocols:pdf", args=[org_a.slug, protocol.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    with scopes_disabled():
        protocol.refresh_from_db()
    assert not protocol.pdf  # storing it (and sending the e-mail) stays the worker's job


def test_pdf_of_a_draft_is_not_found(client_admin_a, org_a, contract):
    draft = make_protocol(contract, submitted=False, photo_views=(), signatures=())
    assert client_admin_a.get(reverse("protocols:pdf", args=[org_a.slug, draft.pk])).status_code == 404


def test_outsiders_and_other_stations_get_404_for_the_pdf(
    client_admin_b, client_staff_a2, client_staff_a1, org_a, org_b, contract
):
    [protocol] = _light_protocols(contract, 1)
    assert client_admin_b.get(reverse("protocols:pdf", args=[org_a.slug, protocol.pk])).status_code == 404
    assert client_admin_b.get(reverse("protocols:pdf", args=[org_b.slug, protocol.pk])).status_code == 404
    assert client_staff_a2.get(reverse("protocols:pdf", args=[org_a.slug, protocol.pk])).status_code == 404
    assert client_staff_a1.get(reverse("protocols:pdf", args=[org_a.slug, protocol.pk])).status_code == 200

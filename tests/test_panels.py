"""Panels: one panel per key unless it says `replaces=`, station scope through `PanelView.scoped`,
lazy bodies under /o/<slug>/panels/... (scoped, 404 for outsiders)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from customers.models import Customer
from customers.services import CardRow, customer_save
from rentoffice import panels
from rentoffice.panels import Panel
from tests.actors import admin_of
from tests.conftest import client_for, make_member
from tests.test_outsiders import panel_leaks
from tests.vehicles.conftest import make_vehicle
from vehicles.models import Vehicle, VehicleGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def temporary_panels():
    saved = {kind: dict(p) for kind, p in panels._registry.items()}
    yield
    panels._registry.clear()
    panels._registry.update(saved)


@pytest.fixture
def fleet(org_a, org_b, station_a1, station_a2, station_b1):
    with scopes_disabled():
        group = VehicleGroup.objects.create(organization=org_a, name="Kleinwagen", code="KLEIN")
        group_b = VehicleGroup.objects.create(organization=org_b, name="Transporter", code="TRANS")
        make_vehicle(org_a, station_a1, group, plate="M-AA 111")
        make_vehicle(org_a, station_a2, group, plate="A-ZZ 999")
        make_vehicle(org_b, station_b1, group_b, plate="HH-BB 222")
        customer = customer_save(
            actor=admin_of(org_a), customer=Customer(organization=org_a, last_name="Kunde"), cards=[CardRow("K-1")]
        )
    return customer


@pytest.fixture
def client_staff_a1(org_a, station_a1):
    with scopes_disabled():
        return client_for(make_member(org_a, "staff1@a.example", stations=[station_a1]))


def card_url(org, customer):
    return reverse("customers:card", kwargs={"org_slug": org.slug, "pk": customer.pk})


def _vehicles_panel(scoped: bool):
    def context(view, customer):
        qs = Vehicle.objects.filter(organization=customer.organization)
        if scoped:
            qs = view.scoped(qs, ("home_station", "current_station"))
        return {"plates": sorted(v.plate for v in qs)}

    return context


def test_second_panel_under_a_key_raises_unless_it_replaces(temporary_panels):
    with pytest.raises(ValueError, match="already registered"):
        panels.register("customer", Panel("transactions", "Transactions", "x.html"))
    panels.register("customer", Panel("transactions", "Contracts", "x.html"), replaces=True)
    assert panels.get("customer", "transactions").title == "Contracts"
    with pytest.raises(ValueError, match="to replace"):
        panels.register("customer", Panel("no-such-panel", "X", "x.html"), replaces=True)


def test_panels_apply_station_scope_on_the_organization_wide_card(
    temporary_panels, fleet, org_a, client_staff_a1, client_admin_a, settings, tmp_path
):
    template_dir = tmp_path / "templates"
    (template_dir / "t").mkdir(parents=True)
    (template_dir / "t" / "plates.html").write_text("<ul>{% for p in ctx.plates %}<li>{{ p }}</li>{% endfor %}</ul>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [template_dir, *settings.TEMPLATES[0]["DIRS"]]}]
    forbidden = {"A-ZZ 999", "HH-BB 222"}

    # A panel that forgets the scope shows Augsburg's vehicle to Munich staff; the walker's check sees it.
    panels.register(
        "customer", Panel("rented_objects", "Rented", "t/plates.html", _vehicles_panel(False)), replaces=True
    )
    assert panel_leaks(client_staff_a1, card_url(org_a, fleet), forbidden, "A1 staff") == [
        "A1 staff sees 'A-ZZ 999' in the panels of " + card_url(org_a, fleet)
    ]

    panels.register(
        "customer", Panel("rented_objects", "Rented", "t/plates.html", _vehicles_panel(True)), replaces=True
    )
    page = client_staff_a1.get(card_url(org_a, fleet)).content.decode()
    assert "M-AA 111" in page
    assert panel_leaks(client_staff_a1, card_url(org_a, fleet), forbidden, "A1 staff") == []
    admin_page = client_admin_a.get(card_url(org_a, fleet)).content.decode()
    assert "M-AA 111" in admin_page and "A-ZZ 999" in admin_page and "HH-BB 222" not in admin_page


def test_lazy_panel_body_is_loaded_by_htmx_and_scoped(fleet, org_a, client_admin_a, client_admin_b):
    from django.contrib.contenttypes.models import ContentType

    from rentoffice.models import OutboundMessage

    with scopes_disabled():
        OutboundMessage.objects.create(
            organization=org_a,
            recipient="kunde@example.com",
            purpose="x",
            subject="Ihre Rechnung März",
            body_text="x",
            related_type=ContentType.objects.get_for_model(Customer),
            related_id=str(fleet.pk),
        )
    body_url = reverse(
        "panel_body", kwargs={"org_slug": org_a.slug, "kind": "customer", "key": "messages", "pk": fleet.pk}
    )
    page = client_admin_a.get(card_url(org_a, fleet)).content.decode()
    assert f'hx-get="{body_url}"' in page
    assert "Ihre Rechnung März" not in page
    response = client_admin_a.get(body_url)
    assert response.status_code == 200 and "Ihre Rechnung März" in response.content.decode()

    assert client_admin_b.get(body_url).status_code == 404
    other_org_url = body_url.replace(f"/o/{org_a.slug}/", "/o/org-b/")
    assert client_admin_b.get(other_org_url).status_code == 404
    not_lazy = body_url.replace("/messages/", "/permissions/")
    assert client_admin_a.get(not_lazy).status_code == 404


def test_lazy_panel_body_needs_the_panels_permission(fleet, org_a):
    with scopes_disabled():
        sales = client_for(make_member(org_a, "sales@a.example", role_key="sales"))  # no messages.view
    body_url = reverse(
        "panel_body", kwargs={"org_slug": org_a.slug, "kind": "customer", "key": "messages", "pk": fleet.pk}
    )
    assert body_url not in sales.get(card_url(org_a, fleet)).content.decode()
    assert sales.get(body_url).status_code == 403

"""The checklist per dealership and brand: edited as a list, offered in the case editor."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from fleetback.models import ChecklistItem
from tests.conftest import client_for

from .helpers import brand_of

pytestmark = pytest.mark.django_db


def test_checklist_is_edited_as_lines_and_offered_in_the_editor(client_admin_a, org_a, station_a1):
    brand = brand_of(station_a1)
    url = reverse("fleetback:checklist_edit", args=[org_a.slug, brand.pk])
    response = client_admin_a.post(url, {"items": "Wischerblätter; 39,90\n\nKlimaservice;129\nSichtprüfung"})
    assert response.status_code == 302
    with scope(organization=org_a):
        rows = list(ChecklistItem.objects.filter(checklist__brand=brand).values_list("title", "price"))
    assert rows == [
        ("Wischerblätter", Decimal("39.90")),
        ("Klimaservice", Decimal("129.00")),
        ("Sichtprüfung", Decimal("0.00")),
    ]
    editor = client_admin_a.get(reverse("fleetback:create_after_sales", args=[org_a.slug])).content.decode()
    assert "VW: Klimaservice" in editor


def test_bad_lines_are_a_field_error_and_keep_the_list(client_admin_a, org_a, station_a1):
    brand = brand_of(station_a1)
    url = reverse("fleetback:checklist_edit", args=[org_a.slug, brand.pk])
    client_admin_a.post(url, {"items": "Öl; 50"})
    for bad in ("Öl; fünfzig", "Öl; -5", "; 10", "Öl; NaN"):
        response = client_admin_a.post(url, {"items": bad})
        assert response.status_code == 200 and response.context["form"].errors, bad
    with scope(organization=org_a):
        assert list(ChecklistItem.objects.values_list("title", flat=True)) == ["Öl"]


def test_only_configurers_of_the_dealership(org_a, org_b, station_a1, station_a2, admin_b):
    from tests.conftest import make_member

    brand = brand_of(station_a2)
    url = reverse("fleetback:checklist_edit", args=[org_a.slug, brand.pk])
    back_office = make_member(org_a, "bo@a.example", "back_office")
    manager_a1 = make_member(org_a, "dm@a.example", "dealer_manager", stations=[station_a1])
    assert client_for(back_office).get(url).status_code == 403
    assert client_for(manager_a1).get(url).status_code == 404
    assert client_for(admin_b).get(url).status_code == 404

"""Station brands: a list per dealership with one main brand, edited on the station page."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_scopes import scope

from rentoffice.models import Brand
from rentoffice.services import station_brands_set
from tests.conftest import in_scope
from tests.rentoffice.test_admin_pages import station_data, url

pytestmark = pytest.mark.django_db


def _brands(station):
    return [(b.name, b.is_main) for b in Brand.objects.filter(station=station).order_by("position")]


@in_scope()
def test_station_page_saves_brands_in_order_with_main_brand(client_admin_a, org_a, station_a1):
    data = station_data(code="A1", name=station_a1.name, brands="VW\nAudi, Škoda", main_brand="Audi")
    response = client_admin_a.post(url("station_edit", org_a, pk=station_a1.pk), data)
    assert response.status_code == 302
    assert _brands(station_a1) == [("VW", False), ("Audi", True), ("Škoda", False)]
    page = client_admin_a.get(url("station_edit", org_a, pk=station_a1.pk)).content.decode()
    assert "VW\nAudi\nŠkoda" in page


@in_scope()
def test_main_brand_defaults_to_first_and_rows_keep_identity(org_a, station_a1):
    first = station_brands_set(station=station_a1, names=["VW", "Audi"])
    again = station_brands_set(station=station_a1, names=["Audi", "VW"], main="vw")
    assert {b.pk for b in first} == {b.pk for b in again}
    assert _brands(station_a1) == [("Audi", False), ("VW", True)]


@in_scope()
def test_bad_brand_input_is_a_field_error_and_changes_nothing(client_admin_a, org_a, station_a1):
    station_brands_set(station=station_a1, names=["VW"])
    for brands, main, field in (("VW\nvw", "", "brands"), ("VW", "Opel", "main_brand"), ("X" * 61, "", "brands")):
        data = station_data(code="A1", name=station_a1.name, brands=brands, main_brand=main)
        response = client_admin_a.post(url("station_edit", org_a, pk=station_a1.pk), data)
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert _brands(station_a1) == [("VW", True)]


def test_one_main_brand_per_station_is_enforced_by_the_database(org_a, station_a1):
    with scope(organization=org_a):
        Brand.objects.create(organization=org_a, station=station_a1, name="VW", is_main=True)
        with pytest.raises(IntegrityError), transaction.atomic():
            Brand.objects.create(organization=org_a, station=station_a1, name="Audi", is_main=True)


@in_scope()
def test_brand_in_use_cannot_be_removed(org_a, station_a1, admin_a):
    from fleetback.models import Case
    from tests.fleetback.helpers import make_case

    station_brands_set(station=station_a1, names=["VW", "Audi"])
    make_case(org=org_a, station=station_a1, brand="Audi")
    with pytest.raises(ValidationError) as exc:
        station_brands_set(station=station_a1, names=["VW"])
    assert "Audi" in str(exc.value)
    assert Case.objects.count() == 1
    assert _brands(station_a1) == [("VW", True), ("Audi", False)]

"""The fleet in a real browser: create a vehicle, record a damage by tapping the sketch and uploading
a photo, see the marker on the vehicle page and open the damage from it; search as you type; the
vehicle page on a phone."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.actors import admin_of
from tests.conftest import PASSWORD, in_scope
from tests.e2e.conftest import login
from vehicles.models import Damage, Vehicle, VehicleGroup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg(tmp_path) -> str:
    path = tmp_path / "kratzer.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 40, 40)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


@in_scope()
def test_create_vehicle_and_mark_a_damage_on_the_sketch(page: Page, live_server, org_a, station_a1, staff_a1, tmp_path):
    VehicleGroup.objects.create(organization=org_a, name="Kompaktklasse", code="KOMPAKT")
    login(page, live_server, "staff1@a.example", PASSWORD)
    page.goto(live_server.url + "/o/org-a/vehicles/")

    # Create the vehicle; the plate is typed carelessly and saved normalised.
    page.click("[data-testid=vehicle-create]")
    page.fill("#id_plate", "m ab 4711")
    page.fill("#id_vin", "WVWZZZ1KZAW000001")
    page.fill("#id_make", "Volkswagen")
    page.fill("#id_model", "Golf")
    page.select_option("#id_group", label="Kompaktklasse")
    page.select_option("#id_home_station", label="A1 München")
    page.select_option("#id_current_station", label="A1 München")
    page.fill("#id_initial_km", "23500")
    page.click("[data-testid=save-vehicle]")
    expect(page.locator("[data-testid=vehicle-plate]")).to_have_text("M-AB 4711")
    expect(page.locator("[data-testid=vehicle-km]")).to_contain_text("23.500")
    expect(page.locator("[data-testid=damage-marker]")).to_have_count(0)

    # Record a damage: tap the left side of the drawing, the area is suggested, attach a photo.
    page.click("[data-testid=damage-create]")
    page.locator('.sketch-hit[data-view="left"]').click(position={"x": 20, "y": 60})
    assert page.input_value("#id_view") == "left"
    assert float(page.input_value("#id_x")) > 0 and float(page.input_value("#id_y")) > 0
    expect(page.locator("#sketch-pending")).to_be_visible()
    expect(page.locator("#id_area")).to_have_value(re.compile("left|wheels"))
    page.select_option("#id_area", "left")
    page.select_option("#id_severity", "medium")
    page.fill("#id_description", "Kratzer an der Fahrertür")
    page.set_input_files("#id_photos", _jpeg(tmp_path))
    page.click("[data-testid=save-damage]")
    expect(page.locator("[data-testid=damage-description]")).to_contain_text("Kratzer an der Fahrertür")
    expect(page.locator("[data-testid=photo-grid-damage] img")).to_have_count(1)
    # The thumbnail is really served (through the access-checked view).
    # (waits for the image to arrive: under load the request may take a moment)
    page.wait_for_function(
        "() => { const img = document.querySelector('[data-testid=photo-grid-damage] img');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )

    # Back on the vehicle page the damage is a marker on the sketch; clicking it opens the damage.
    page.click("nav[aria-label=breadcrumb] >> text=M-AB 4711")
    marker = page.locator("[data-testid=damage-marker]")
    expect(marker).to_have_count(1)
    damage = Damage.objects.get(vehicle__plate="M-AB 4711")
    assert damage.view == "left" and damage.photos.count() == 1
    marker.click()
    expect(page).to_have_url(re.compile(rf"/vehicles/damages/{damage.pk}/$"))


@in_scope()
def test_search_as_you_type(page: Page, live_server, org_a, station_a1, admin_a):
    from tests.vehicles.conftest import make_vehicle

    group = VehicleGroup.objects.create(organization=org_a, name="Kleinwagen", code="KLEIN")
    make_vehicle(org_a, station_a1, group, plate="M-XY 1", model="Polo")
    make_vehicle(org_a, station_a1, group, plate="M-QQ 2", model="Golf")
    login(page, live_server, "admin@a.example", PASSWORD)
    page.goto(live_server.url + "/o/org-a/vehicles/")
    expect(page.locator("[data-testid=vehicle-table] tbody tr")).to_have_count(2)
    page.locator("#id_q").press_sequentially("pol", delay=50)
    expect(page.locator("[data-testid=vehicle-table] tbody tr")).to_have_count(1)
    expect(page.locator("[data-testid=vehicle-table]")).to_contain_text("M-XY 1")
    expect(page).to_have_url(re.compile(r"q=pol"))


@in_scope()
def test_vehicle_page_on_a_phone(page: Page, live_server, org_a, station_a1, admin_a):
    from tests.vehicles.conftest import make_vehicle

    group = VehicleGroup.objects.create(organization=org_a, name="Kleinwagen", code="KLEIN")
    vehicle = make_vehicle(org_a, station_a1, group, plate="M-PH 1")
    from vehicles.services import damage_create

    damage_create(
        vehicle=vehicle,
        actor=admin_of(vehicle),
        damage=Damage(area="front", description="Delle", view="front", x=50, y=50),
    )
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "admin@a.example", PASSWORD)
    page.goto(live_server.url + f"/o/org-a/vehicles/{vehicle.pk}/")
    expect(page.locator("[data-testid=damage-marker]")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.goto(live_server.url + "/o/org-a/vehicles/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert Vehicle.objects.filter(plate="M-PH 1").exists()

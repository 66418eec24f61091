"""Station staff on a phone, in English and German: record a damage with a photo by tapping the
sketch, delete the photo again after confirming, and every fleet page fits the screen."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.actors import membership_of
from tests.conftest import PASSWORD, in_scope
from tests.e2e.conftest import login
from vehicles.models import Damage, DamagePhoto, VehicleGroup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _jpeg(tmp_path, name="delle.jpg") -> str:
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (40, 90, 160)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def _switch_language(page: Page, live_server, language: str) -> None:
    page.evaluate(
        """([url, language]) => {
            const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
            return fetch(url, {method: "POST", headers: {"X-CSRFToken": token,
                "Content-Type": "application/x-www-form-urlencoded"}, body: "language=" + language});
        }""",
        [live_server.url + "/language/", language],
    )


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, page.url


@pytest.mark.browser_context_args(has_touch=True, viewport=PHONE)
@in_scope()
def test_damage_with_photo_on_a_phone_and_delete_the_photo(
    page: Page, live_server, org_a, station_a1, staff_a1, tmp_path
):
    from tests.vehicles.conftest import make_vehicle

    group = VehicleGroup.objects.create(organization=org_a, name="Kleinwagen", code="KLEIN")
    vehicle = make_vehicle(org_a, station_a1, group, plate="M-PH 2")
    login(page, live_server, "staff1@a.example", PASSWORD)
    _switch_language(page, live_server, "en")
    page.goto(live_server.url + f"/o/org-a/vehicles/{vehicle.pk}/")
    expect(page.locator("h2, .card-header").filter(has_text="Km history")).to_have_count(1)

    page.click("[data-testid=damage-create]")
    page.locator('.sketch-hit[data-view="front"]').tap(position={"x": 80, "y": 40})
    assert page.input_value("#id_view") == "front"
    expect(page.locator("#id_area")).to_have_value("front")
    page.fill("#id_description", "Dent in the bumper")
    page.set_input_files("#id_photos", [_jpeg(tmp_path), _jpeg(tmp_path, "second.jpg")])
    page.click("[data-testid=save-damage]")
    expect(page.locator("[data-testid=damage-description]")).to_have_text("Dent in the bumper")
    expect(page.locator("[data-testid=photo-grid-damage] img")).to_have_count(2)
    _fits(page)

    # Delete one photo: the trash button asks first; cancelling keeps it.
    page.locator("[data-testid=photo-delete]").first.click()
    expect(page.locator("h1")).to_have_text("Delete photo")
    _fits(page)
    page.click("text=Cancel")
    expect(page.locator("[data-testid=photo-grid-damage] img")).to_have_count(2)
    page.locator("[data-testid=photo-delete]").first.click()
    page.click("[data-testid=confirm-photo-delete]")
    expect(page.locator(".alert-success, .alert").filter(has_text="The photo has been deleted.")).to_have_count(1)
    expect(page.locator("[data-testid=photo-grid-damage] img")).to_have_count(1)
    damage = Damage.objects.get(vehicle=vehicle)
    assert DamagePhoto.objects.filter(damage=damage).count() == 1

    # The marker is on the vehicle page; the damage opens from it.
    page.click("nav[aria-label=breadcrumb] >> text=M-PH 2")
    marker = page.locator("[data-testid=damage-marker]")
    expect(marker).to_be_visible()
    marker.click()
    expect(page).to_have_url(re.compile(rf"/vehicles/damages/{damage.pk}/$"))


@pytest.mark.parametrize("language", ["de", "en"])
@in_scope()
def test_every_fleet_page_fits_a_phone(page: Page, live_server, org_a, station_a1, admin_a, language, tmp_path):
    from rentoffice.images import process_image
    from tests.vehicles.conftest import grant, jpeg_upload, make_vehicle
    from vehicles.services import condition_record_create, damage_create

    grant(admin_a, org_a, "vehicles.groups")
    group = VehicleGroup.objects.create(organization=org_a, name="Transporter mit langem Namen", code="TRANS")
    vehicle = make_vehicle(
        org_a,
        station_a1,
        group,
        plate="M-LANG 1234",
        model="Transporter T6.1 Kombi",
        variant="Langer Radstand, 9 Sitze, Automatik",
        vin="WVWZZZ1KZAW000001",
    )
    damage = damage_create(
        vehicle=vehicle,
        actor=membership_of(admin_a, vehicle),
        photos=[process_image(jpeg_upload())],
        damage=Damage(area="left", description="Kratzer " * 30, view="left", x=50, y=50),
    )
    record = condition_record_create(
        vehicle=vehicle,
        actor=membership_of(admin_a, vehicle),
        note="Sauber " * 40,
        photos=[process_image(jpeg_upload())],
    )
    page.set_viewport_size(PHONE)
    login(page, live_server, "admin@a.example", PASSWORD)
    _switch_language(page, live_server, language)
    base = live_server.url + "/o/org-a/vehicles/"
    paths = [
        "../",
        "",
        "new/",
        "groups/",
        "groups/new/",
        f"groups/{group.pk}/",
        f"condition/{record.pk}/",
        f"condition/{record.pk}/photos/",
        f"{vehicle.pk}/condition/",
        f"photos/damage/{damage.photos.get().pk}/delete/",
    ]
    paths += [
        f"{vehicle.pk}/{suffix}"
        for suffix in ("", "edit/", "retire/", "km/", "km/history/", "photos/", "condition/new/", "damages/new/")
    ]
    paths += [f"damages/{damage.pk}/{suffix}" for suffix in ("", "edit/", "status/", "photos/")]
    for path in paths:
        response = page.goto(base + path)
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == language
        _fits(page)

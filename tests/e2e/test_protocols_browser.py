"""Station staff hand a car over and take it back with the protocol flow, on a tablet and on a phone:
km and fuel, cleanliness, a damage marked on the sketch with a photo, condition photos, notes and
both signatures drawn on the pad; the draft survives a reload; the check-in shows the check-out
beside it and marks the new damage "new since check-out". Every page is accessible (axe-core), fits
the screen and runs under the Content-Security-Policy."""

import io
import re

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from PIL import Image
from playwright.sync_api import Page, expect

from contracts.models import Contract
from protocols.models import Protocol, ProtocolFinding, ProtocolSignature
from protocols.tasks import protocol_deliver
from tests.conftest import PASSWORD
from tests.contracts.conftest import book
from tests.customers.conftest import make_customer
from tests.e2e.conftest import assert_accessible, login
from tests.vehicles.conftest import make_vehicle
from vehicles.models import VehicleGroup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(org_a, station_a1, staff_a1, tmp_path):
    with scopes_disabled():
        group = VehicleGroup.objects.create(organization=org_a, name="Kleinwagen", code="KLEIN")
        car = make_vehicle(org_a, station_a1, group, plate="M-PR 1", km=12000)
    customer = make_customer(org_a, first_name="Jürgen", last_name="Müller", email="juergen@example.com")
    now = timezone.now().replace(microsecond=0)
    contract = book(
        customer, group, station_a1, now - timezone.timedelta(hours=1), now + timezone.timedelta(days=2), vehicle=car
    )
    photos = {}
    for name, color in (("front", (40, 90, 160)), ("delle", (160, 40, 40)), ("rear", (30, 140, 60))):
        path = tmp_path / f"{name}.jpg"
        buffer = io.BytesIO()
        Image.new("RGB", (800, 600), color).save(buffer, "JPEG")
        path.write_bytes(buffer.getvalue())
        photos[name] = str(path)
    return {"contract": contract, "car": car, "photos": photos}


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, page.url


def _check(page: Page) -> None:
    assert_accessible(page)
    _fits(page)


def _save_next(page: Page, title: str) -> None:
    page.click("[data-testid=save-next]")
    expect(page.locator("[data-testid=step-title], h2").first).to_have_text(title)


def _sign(page: Page, role: str, name: str) -> None:
    pad = page.locator(f"[data-testid=signature-pad-{role}]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.fill(f"#id_sig-{role}-signer_name", name)
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * box["width"] / 14, box["y"] + box["height"] * (0.3 + 0.4 * (step % 2)))
    page.mouse.up()
    page.click(f"[data-testid=signature-save-{role}]")
    expect(page.locator(f"[data-testid=signature-saved-{role}]")).to_be_visible()


def _add_damage(page: Page, description: str, photo: str, view: str = "left") -> None:
    hit = page.locator(f'.sketch-hit[data-view="{view}"]')
    hit.scroll_into_view_if_needed()
    hit.click()
    assert page.input_value("#id_view") == view
    page.select_option("#id_severity", "medium")
    page.fill("#id_description", description)
    page.set_input_files("#id_photos", photo)
    expect(page.locator("[data-preview-for=id_photos] img")).to_have_count(1)
    page.click("[data-testid=damage-add]")
    expect(page.locator("[data-testid=new-damages]")).to_contain_text(description)


def _upload(page: Page, view: str, photo: str) -> None:
    field = page.locator(f"#id_photo-{view}-photo")
    field.scroll_into_view_if_needed()
    field.set_input_files(photo)
    expect(page.locator(f"[data-preview-for=id_photo-{view}-photo] img")).to_have_count(1)
    page.click(f"[data-testid=photo-upload-{view}]")
    expect(page.locator(f"[data-testid=view-{view}] [data-testid=condition-photo]")).to_have_count(1)


def _check_out(page: Page, live_server, world) -> None:
    contract = world["contract"]
    page.goto(live_server.url + f"/o/org-a/contracts/{contract.pk}/")
    page.click("[data-testid=action-check-out]")
    _check(page)
    page.click("[data-testid=protocol-start-submit]")
    expect(page.locator("[data-testid=step-title]")).to_have_text("Kilometer und Tank")
    expect(page.locator("#id_km_fuel-km")).to_have_value("12000")
    _check(page)
    page.fill("#id_km_fuel-km", "11000")  # below the last reading: refused on the field
    page.click("[data-testid=save-next]")
    expect(page.locator("#id_km_fuel-km")).to_have_class(re.compile("is-invalid"))
    page.fill("#id_km_fuel-km", "12005")
    page.select_option("#id_km_fuel-fuel", "7")
    _save_next(page, "Sauberkeit")

    # The draft survives a reload and a visit back to a saved step.
    page.reload()
    page.click("[data-testid=step-km_fuel]")
    expect(page.locator("#id_km_fuel-km")).to_have_value("12005")
    expect(page.locator("[data-testid=step-km_fuel]")).to_have_attribute("data-saved", "1")
    page.click("[data-testid=step-cleanliness]")
    page.check("#id_cleanliness-clean_inside_0")
    page.check("#id_cleanliness-clean_outside_1")
    _check(page)
    _save_next(page, "Schäden")

    _add_damage(page, "Kratzer hinten links", world["photos"]["delle"])
    _check(page)
    _save_next(page, "Zustandsfotos")
    _upload(page, "front", world["photos"]["front"])
    _check(page)
    _save_next(page, "Notizen")
    page.fill("#id_notes-notes", "Kindersitz übergeben")
    _save_next(page, "Unterschriften")
    _sign(page, "customer", "Jürgen Müller")
    _sign(page, "staff", "Stefanie Station")
    _check(page)
    page.click("[data-testid=save-next]")
    expect(page.locator("[data-testid=protocol-submit]")).to_be_enabled()
    expect(page.locator("[data-testid=protocol-missing]")).to_have_count(0)
    _check(page)
    page.click("[data-testid=protocol-submit]")
    expect(page.locator("[data-testid=protocol-status]")).to_contain_text("abgeschlossen")
    expect(page.locator("[data-testid=summary-damages]")).to_contain_text("Kratzer hinten links")
    _check(page)
    with scope(organization=contract.organization):
        contract.refresh_from_db()
        assert (contract.status, contract.km_out, contract.fuel_out) == (Contract.Status.CHECKED_OUT, 12005, 7)
        protocol = Protocol.objects.get(contract=contract, kind=Protocol.Kind.CHECK_OUT)
        assert set(ProtocolSignature.objects.filter(protocol=protocol).values_list("role", flat=True)) == {
            "customer",
            "staff",
        }


def _check_in(page: Page, live_server, world) -> None:
    contract = world["contract"]
    page.goto(live_server.url + f"/o/org-a/contracts/{contract.pk}/")
    expect(page.locator("[data-testid=contract-status]")).to_have_text("Übergeben")
    page.click("[data-testid=action-check-in]")
    page.click("[data-testid=protocol-start-submit]")
    expect(page.locator("[data-testid=check-out-km]")).to_have_text("12005")  # the check-out beside
    page.fill("#id_km_fuel-km", "12480")
    page.select_option("#id_km_fuel-fuel", "5")
    _check(page)
    _save_next(page, "Sauberkeit")
    page.check("#id_cleanliness-clean_inside_1")
    page.check("#id_cleanliness-clean_outside_2")
    _save_next(page, "Schäden")
    expect(page.locator("[data-testid=check-out-damages]")).to_contain_text("Kratzer hinten links")
    _add_damage(page, "Delle Heckklappe", world["photos"]["rear"], view="rear")
    new = page.locator("[data-testid=new-damages] [data-testid=damage-item]")
    expect(new.locator("[data-testid=new-since-check-out]")).to_have_count(1)
    _check(page)
    _save_next(page, "Zustandsfotos")
    expect(page.locator("[data-testid=view-front] img").first).to_be_visible()  # check-out's front photo
    _upload(page, "rear", world["photos"]["rear"])
    _check(page)
    _save_next(page, "Notizen")
    _save_next(page, "Unterschriften")
    _sign(page, "customer", "Jürgen Müller")
    _sign(page, "staff", "Stefanie Station")
    page.click("[data-testid=save-next]")
    _check(page)
    page.click("[data-testid=protocol-submit]")
    expect(page.locator("[data-testid=protocol-status]")).to_contain_text("abgeschlossen")
    summary = page.locator("[data-testid=summary-damages]")
    expect(summary).to_contain_text("Delle Heckklappe")
    expect(summary.locator("[data-testid=new-since-check-out]")).to_have_count(1)
    _check(page)
    with scope(organization=contract.organization):
        contract.refresh_from_db()
        assert (contract.status, contract.km_in, contract.fuel_in) == (Contract.Status.CHECKED_IN, 12480, 5)
        check_in = Protocol.objects.get(contract=contract, kind=Protocol.Kind.CHECK_IN)
        new_findings = ProtocolFinding.objects.filter(protocol=check_in, kind="new")
        assert [(f.damage.description, f.new_since_check_out) for f in new_findings] == [("Delle Heckklappe", True)]


def _both_protocols_and_their_emails(page: Page, live_server, world) -> None:
    """After the worker has delivered them: the contract page lists both protocols with their PDFs,
    and its messages panel the two e-mails to the customer."""
    contract = world["contract"]
    with scope(organization=contract.organization):
        submitted = list(Protocol.objects.filter(contract=contract).values_list("pk", flat=True))
    assert len(submitted) == 2
    for pk in submitted:  # what the worker does after the commit (no worker runs in the tests)
        protocol_deliver(organization_id=contract.organization_id, protocol_id=pk)
    page.goto(live_server.url + f"/o/org-a/contracts/{contract.pk}/")
    protocols = page.locator("[data-testid=contract-protocol]")
    expect(protocols).to_have_count(2)
    expect(page.locator("[data-testid=contract-protocols] [data-testid=protocol-pdf]")).to_have_count(2)
    messages = page.locator("#panel-messages")
    expect(messages).to_contain_text("Übergabe")
    expect(messages).to_contain_text("Rücknahme")
    response = page.request.get(
        live_server.url + page.locator("[data-testid=protocol-pdf]").first.get_attribute("href")
    )
    assert response.ok and response.body().startswith(b"%PDF")
    _check(page)


@pytest.mark.browser_context_args(viewport=TABLET, has_touch=True)
def test_check_out_and_in_on_a_tablet(page: Page, live_server, world):
    login(page, live_server, "staff1@a.example", PASSWORD)
    _check_out(page, live_server, world)
    _check_in(page, live_server, world)
    _both_protocols_and_their_emails(page, live_server, world)


@pytest.mark.browser_context_args(viewport=PHONE, has_touch=True)
def test_check_out_and_in_on_a_phone(page: Page, live_server, world):
    login(page, live_server, "staff1@a.example", PASSWORD)
    _check_out(page, live_server, world)
    _check_in(page, live_server, world)

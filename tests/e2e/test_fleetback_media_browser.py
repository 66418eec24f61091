"""Dealer-case media in the browser: the back office creates a mechanics case with three work
items, uploads two photos (one request per file with progress), draws a rectangle on one (the
original kept), reorders, sends the case; the customer sees both photos on a phone. axe-core on
every page, no Content-Security-Policy violation."""

import io

import pytest
from django_scopes import scope
from PIL import Image
from playwright.sync_api import Page, expect

from fleetback.models import Case, Medium
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, login
from tests.fleetback.helpers import brand_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
ITEMS = [("Bremsbeläge vorne", "urgent", "100"), ("Wischerblätter", "recommended", "50"), ("Klimaservice", "ok", "")]


def _photo(path, colour):
    Image.new("RGB", (320, 240), colour).save(path, format="PNG")
    return str(path)


def test_case_with_two_photos_drawn_on_and_sent(page: Page, browser, live_server, org_a, station_a1, admin_a, tmp_path):
    brand = brand_of(station_a1)
    login(page, live_server, "admin@a.example", PASSWORD)
    page.goto(live_server.url + "/o/org-a/cases/after-sales/new/")
    page.select_option("#id_station", str(station_a1.pk))
    page.select_option("#id_brand", str(brand.pk))
    page.select_option("#id_module", "mechanics")
    page.fill("#id_reference", "AU-0815")
    page.select_option("#id_contact_salutation", "mr")
    page.fill("#id_contact_last_name", "Kunde")
    page.fill("#id_contact_email", "kunde@example.com")
    page.select_option("#id_contact_language", "en")
    page.click("[data-testid=add-row]")
    page.click("[data-testid=add-row]")
    for index, (title, urgency, price) in enumerate(ITEMS):
        page.fill(f"#id_items-{index}-title", title)
        page.select_option(f"#id_items-{index}-urgency", urgency)
        page.fill(f"#id_items-{index}-price", price)
    page.click("[data-testid=case-save]")
    expect(page.locator("[data-testid=case-status]")).to_have_text("Versand ausstehend")

    # two photos through the script's upload: one request per file, each with its progress bar
    page.set_input_files("#media-files", [_photo(tmp_path / "rot.png", "red"), _photo(tmp_path / "blau.png", "blue")])
    page.locator("[data-testid=media-upload] button[type=submit]").click()
    expect(page.locator("[data-testid=medium]")).to_have_count(2)
    assert_accessible(page)
    with scope(organization=org_a):
        case = Case.objects.get(reference="AU-0815")
        first, second = Medium.objects.filter(case=case).order_by("position")
    assert (first.original_name, second.original_name) == ("rot.png", "blau.png")

    # keyboard-reachable reordering: the second photo one step earlier
    page.locator("[data-testid=medium]").nth(1).get_by_role("button", name="Nach vorn verschieben").click()
    expect(page.locator("[data-testid=medium]").first).to_have_attribute("data-id", str(second.pk))
    # and by dragging: the (now) first photo dropped on the right half of the second one
    tiles = page.locator("[data-testid=medium]")
    box = tiles.nth(1).bounding_box()
    with page.expect_navigation(), page.expect_response(lambda r: "/media/reorder/" in r.url) as saved:
        tiles.nth(0).drag_to(tiles.nth(1), target_position={"x": box["width"] - 5, "y": 20})
    assert saved.value.status == 200
    expect(page.locator("[data-testid=medium]").first).to_have_attribute("data-id", str(first.pk))
    with scope(organization=org_a):
        assert list(Medium.objects.filter(case=case).order_by("position").values_list("pk", flat=True)) == [
            first.pk,
            second.pk,
        ]

    # draw a rectangle on the red photo, undo a stray line, save
    page.locator(f"[data-testid=medium][data-id='{first.pk}'] [data-testid=medium-draw]").click()
    canvas = page.locator("[data-testid=draw-canvas]")
    expect(canvas).to_be_visible()
    assert_accessible(page)
    box = canvas.bounding_box()
    page.get_by_text("gelb", exact=True).click()
    page.get_by_text("Stift", exact=True).click()
    page.mouse.move(box["x"] + 10, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 50, box["y"] + 50, steps=5)
    page.mouse.up()
    page.click("[data-testid=draw-undo]")
    page.get_by_text("Rechteck", exact=True).click()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.8, steps=5)
    page.mouse.up()
    page.click("[data-testid=draw-save]")
    expect(page.locator(".alert-success")).to_contain_text("Original bleibt erhalten")
    with scope(organization=org_a):
        version = Medium.objects.get(original=first)
        kept = Medium.objects.get(pk=first.pk)
    with version.file.open("rb") as handle:
        drawn = Image.open(io.BytesIO(handle.read())).convert("RGB")
    with kept.file.open("rb") as handle:
        original = Image.open(io.BytesIO(handle.read())).convert("RGB")

    def yellow(image, region):
        # On the red photo, any pixel with much green in it comes from the yellow pen (JPEG blurs
        # a thin line's colour, so no exact match).
        return sum(1 for r, g, b in image.crop(region).get_flattened_data() if r > 180 and g > 100)

    assert yellow(drawn, (0, 0, 320, 240)) > 300  # the rectangle's outline
    assert yellow(drawn, (0, 0, 60, 45)) == 0  # the undone pen stroke is not there
    assert yellow(original, (0, 0, 320, 240)) == 0  # the original stays as it was
    expect(page.locator("[data-testid=medium]")).to_have_count(2)

    page.click("[data-testid=case-send]")
    page.check("input[name=channel][value=email]")
    page.click("[data-testid=send-submit]")
    expect(page.locator("[data-testid=case-status]")).to_have_text("Gesendet")
    link = page.input_value("[data-testid=recipient-link]")

    phone = browser.new_context(viewport=PHONE, has_touch=True, locale="en-GB")
    customer = phone.new_page()
    customer.goto(link)
    photos = customer.locator("[data-testid=customer-medium] img")
    expect(photos).to_have_count(2)
    for index in range(2):
        expect(photos.nth(index)).to_have_js_property("complete", True)
        assert photos.nth(index).evaluate("img => img.naturalWidth") > 0
    assert customer.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    expect(customer.locator("[data-testid=customer-item]")).to_have_count(3)
    assert_accessible(customer)
    phone.close()


def test_customer_plays_the_video_on_a_phone(page: Page, browser, live_server, org_a, station_a1, admin_a, tmp_path):
    from fleetback.services import media as media_services
    from fleetback.services import sending
    from fleetback.video import check_video
    from tests.actors import admin_of
    from tests.fleetback.helpers import make_case
    from tests.fleetback.media_files import video

    case = make_case(org=org_a, station=station_a1, language="fr")
    with scope(organization=org_a):
        media_services.video_add(actor=admin_of(org_a), case=case, video=check_video(video(2)))
        [recipient] = sending.case_send(
            actor=admin_of(org_a), case=case, channel="link", base_url=live_server.url + "/"
        )
    phone = browser.new_context(viewport=PHONE, has_touch=True, locale="fr-FR")
    customer = phone.new_page()
    customer.goto(f"{live_server.url}/c/{recipient.token}/")
    expect(customer.get_by_role("heading", name="Photos et vidéos")).to_be_visible()
    player = customer.locator("[data-testid=customer-medium] video")
    expect(player).to_have_count(1)
    # The browser reads the video's metadata (duration) through the token's file URL.
    customer.wait_for_function("() => document.querySelector('video').readyState >= 1", timeout=15000)
    assert 1.5 < player.evaluate("v => v.duration") < 2.5
    assert_accessible(customer)
    phone.close()

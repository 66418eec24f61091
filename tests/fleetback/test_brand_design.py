"""Brand design: colour and logo per brand, edited by configurers, shown on the customer page."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_scopes import scope
from PIL import Image

from fleetback.services import sending
from fleetback.services.branding import text_colour_on
from rentoffice.models import Brand
from tests.actors import admin_of
from tests.conftest import client_for, make_member

from .helpers import brand_of, make_case

pytestmark = pytest.mark.django_db


def png(colour=(200, 10, 40), size=(120, 48)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def _brand(org, pk) -> Brand:
    with scope(organization=org):
        return Brand.objects.get(pk=pk)


def _customer_page(org, station):
    with scope(organization=org):
        case = make_case(org=org, station=station)
        (recipient,) = sending.case_send(actor=admin_of(org), case=case, channel="link", base_url="https://x/")
    client = Client()
    return client, client.get(reverse("fleetback_public:page", args=[recipient.token])), recipient


def test_colour_and_logo_are_saved_through_the_image_pipeline(client_admin_a, org_a, station_a1):
    brand = brand_of(station_a1)
    url = reverse("fleetback:brand_design", args=[org_a.slug, brand.pk])
    response = client_admin_a.post(url, {"colour": "#001E50", "logo": png()})
    assert response.status_code == 302
    saved = _brand(org_a, brand.pk)
    assert saved.colour == "#001e50"
    with saved.logo.open("rb") as handle:
        stored = Image.open(handle)
        assert stored.format == "JPEG" and stored.size == (120, 48)  # re-encoded, metadata gone
    listing = client_admin_a.get(reverse("fleetback:brands", args=[org_a.slug])).content.decode()
    assert "#001e50" in listing
    assert client_admin_a.get(reverse("fleetback:brand_logo", args=[org_a.slug, brand.pk])).status_code == 200


def test_customer_page_shows_brand_colour_and_logo(org_a, station_a1):
    brand = brand_of(station_a1)
    with scope(organization=org_a):
        from fleetback.services.branding import brand_design_save
        from rentoffice.images import process_image

        brand_design_save(actor=admin_of(org_a), brand=brand, colour="#bb0a30", logo=process_image(png()))
    client, page, recipient = _customer_page(org_a, station_a1)
    html = page.content.decode()
    style = re.search(r'<style nonce="([^"]+)">(.*?)</style>', html, re.S)
    assert style, "the brand colour is set in a style element"
    assert ".fb-brand { background: #bb0a30; color: #ffffff;" in style.group(2)
    assert f"'nonce-{style.group(1)}'" in page["Content-Security-Policy"]  # allowed by the policy
    assert 'data-testid="customer-logo"' in html and f'alt="{brand.name}"' in html
    logo = client.get(reverse("fleetback_public:logo", args=[recipient.token]))
    with _brand(org_a, brand.pk).logo.open("rb") as handle:
        assert b"".join(logo.streaming_content) == handle.read()


def test_without_design_the_page_keeps_the_neutral_look(org_a, station_a1):
    brand_of(station_a1)
    _client, page, _recipient = _customer_page(org_a, station_a1)
    html = page.content.decode()
    assert "<style" not in html and 'data-testid="customer-logo"' not in html


def test_light_colours_get_dark_text():
    assert text_colour_on("#ffff00") == "#000000"
    assert text_colour_on("#f1f3f5") == "#000000"
    assert text_colour_on("#001e50") == "#ffffff"


def test_bad_input_is_a_field_error_and_keeps_the_design(client_admin_a, org_a, station_a1):
    brand = brand_of(station_a1)
    url = reverse("fleetback:brand_design", args=[org_a.slug, brand.pk])
    client_admin_a.post(url, {"colour": "#4ba82e", "logo": png()})
    before = _brand(org_a, brand.pk)
    for data in (
        {"colour": "red;}</style><script>alert(1)</script>"},
        {"colour": "#12345"},
        {"colour": "#gggggg"},
        {"colour": "#4ba82e", "logo": SimpleUploadedFile("x.png", b"<html><script>1</script>", "image/png")},
        {"colour": "#4ba82e", "logo": png(), "remove_logo": "on"},
    ):
        response = client_admin_a.post(url, data)
        assert response.status_code == 200 and response.context["form"].errors, data
    after = _brand(org_a, brand.pk)
    assert (after.colour, after.logo.name) == (before.colour, before.logo.name)
    assert after.logo.storage.exists(after.logo.name)


def test_replacing_and_removing_the_logo_deletes_the_old_file(
    client_admin_a, org_a, station_a1, django_capture_on_commit_callbacks
):
    brand = brand_of(station_a1)
    url = reverse("fleetback:brand_design", args=[org_a.slug, brand.pk])
    client_admin_a.post(url, {"colour": "", "logo": png()})
    first = _brand(org_a, brand.pk).logo
    storage = first.storage
    with django_capture_on_commit_callbacks(execute=True):
        client_admin_a.post(url, {"colour": "", "logo": png((0, 0, 255))})
    second = _brand(org_a, brand.pk).logo
    assert second.name != first.name and storage.exists(second.name)
    assert not storage.exists(first.name)
    with django_capture_on_commit_callbacks(execute=True):
        client_admin_a.post(url, {"colour": "", "remove_logo": "on"})
    assert not _brand(org_a, brand.pk).logo
    assert not storage.exists(second.name)


def test_only_configurers_of_the_dealership(org_a, org_b, station_a1, station_a2, back_office_a, admin_b):
    brand = brand_of(station_a1)
    other = brand_of(station_a2, "Audi")
    manager = make_member(org_a, "mgr2@a.example", "dealer_manager", stations=[station_a2])
    url = reverse("fleetback:brand_design", args=[org_a.slug, brand.pk])
    assert client_for(back_office_a).get(url).status_code == 403
    assert client_for(manager).get(url).status_code == 404  # another dealership's brand
    assert client_for(manager).post(url, {"colour": "#000000"}).status_code == 404
    assert client_for(manager).get(reverse("fleetback:brand_design", args=[org_a.slug, other.pk])).status_code == 200
    assert client_for(admin_b).get(reverse("fleetback:brand_design", args=[org_b.slug, brand.pk])).status_code == 404
    logo = reverse("fleetback:brand_logo", args=[org_b.slug, brand.pk])
    assert client_for(admin_b).get(logo).status_code == 404
    assert _brand(org_a, brand.pk).colour == ""

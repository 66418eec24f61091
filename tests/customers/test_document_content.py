"""What is stored for an uploaded document: no metadata in pictures, no active content in any encoding."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled
from PIL import Image

from customers.models import CustomerDocument
from rentoffice.images import process_image

from .conftest import make_customer

pytestmark = pytest.mark.django_db


def _jpeg_with_metadata() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update({1: "N", 2: (48.0, 8.0, 30.0), 3: "E", 4: (11.0, 34.0, 0.0)})
    out = io.BytesIO()
    Image.new("RGB", (200, 100), (10, 120, 200)).save(out, "JPEG", exif=exif, comment=b"secret comment")
    return out.getvalue()


@pytest.fixture
def customer(org_a):
    with scopes_disabled():
        return make_customer(org_a, first_name="Jürgen", last_name="Müller")


def _upload(client, org, customer, name, content):
    return client.post(
        reverse("customers:document_upload", kwargs={"org_slug": org.slug, "pk": customer.pk}),
        {"file": SimpleUploadedFile(name, content), "doc_type": "other"},
        follow=True,
    )


def test_photo_pipeline_drops_jpeg_comments():
    source = Image.open(io.BytesIO(_jpeg_with_metadata()))
    assert source.info.get("comment") == b"secret comment"  # the corpus really carries one
    processed = process_image(SimpleUploadedFile("p.jpg", _jpeg_with_metadata()))
    for data in (processed.content, processed.thumbnail):
        stored = Image.open(io.BytesIO(data))
        assert "comment" not in stored.info and b"secret comment" not in data
        assert len(stored.getexif()) == 0


def test_image_document_is_stored_without_gps_or_comment(client_admin_a, org_a, customer):
    _upload(client_admin_a, org_a, customer, "Führerschein.jpg", _jpeg_with_metadata())
    with scopes_disabled():
        document = CustomerDocument.objects.get(customer=customer)
        with document.file.open("rb") as handle:
            data = handle.read()
    stored = Image.open(io.BytesIO(data))
    assert stored.format == "JPEG" and stored.size == (200, 100)
    assert not stored.getexif().get_ifd(0x8825) and len(stored.getexif()) == 0
    assert b"secret comment" not in data and b"PhoneMaker" not in data
    assert document.content_type == "image/jpeg" and document.size == len(data)


SVG_SCRIPT = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.svg", "\ufeff".encode("utf-16-le") + SVG_SCRIPT.encode("utf-16-le")),  # UTF-16 with BOM
        ("logo.svg", SVG_SCRIPT.encode("utf-16-be")),  # UTF-16 without BOM
        ("logo.svg", SVG_SCRIPT.encode("utf-32")),
        ("logo.svg", SVG_SCRIPT.encode("utf-7")),
        (
            "data.xml",
            b'<?xml version="1.0"?><doc xmlns:h="http://www.w3.org/1999/xhtml"><h:script>alert(1)</h:script></doc>',
        ),
        ("drawing.svg", b'<svg:svg xmlns:svg="http://www.w3.org/2000/svg"><svg:script>alert(1)</svg:script></svg:svg>'),
        ("data.xml", b'<?xml-stylesheet type="text/xsl" href="evil.xsl"?><doc/>'),
    ],
)
def test_active_content_is_refused_whatever_the_encoding(client_admin_a, org_a, customer, name, content):
    response = _upload(client_admin_a, org_a, customer, name, content)
    assert response.status_code == 200
    with scopes_disabled():
        assert not CustomerDocument.objects.filter(customer=customer).exists()


def test_plain_text_in_utf16_is_still_accepted(client_admin_a, org_a, customer):
    _upload(client_admin_a, org_a, customer, "notiz.txt", "Übergabe um 9 Uhr, Schlüssel im Safe.".encode("utf-16"))
    with scopes_disabled():
        assert CustomerDocument.objects.get(customer=customer).content_type == "text/plain"

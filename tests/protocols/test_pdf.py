"""The protocol PDF: what the customer receives must show the readings, the damages and both
signatures, and nothing a customer typed may make the renderer read files or the network."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django_scopes import scope, scopes_disabled
from PIL import Image

from protocols.models import Protocol
from protocols.pdf import BASE_URL, ProtocolURLFetcher, StoredFiles, protocol_pdf_render
from tests.customers.conftest import make_customer
from tests.protocols.ppdf_data import contract_for, make_protocol
from tests.vehicles.conftest import make_vehicle
from vehicles.models import VehicleGroup

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


def pdf_images(pdf: bytes, tmp_path: Path) -> list[Image.Image]:
    target = tmp_path / "images"
    target.mkdir(exist_ok=True)
    subprocess.run(["pdfimages", "-png", "-", str(target / "img")], input=pdf, check=True, capture_output=True)
    return [Image.open(p).convert("RGB") for p in sorted(target.glob("img-*.png"))]


@pytest.fixture
def group(org_a):
    return VehicleGroup.objects.create(organization=org_a, name="Kleinwagen", code="KLEIN")


@pytest.fixture
def car(org_a, station_a1, group):
    return make_vehicle(
        org_a, station_a1, group, plate="M-PD 1", make="Skoda", model="Octavia", vin="TMBJJ7NE0H0123456"
    )


@pytest.fixture
def customer(org_a):
    return make_customer(
        org_a, first_name="Jürgen", last_name="Müller", email="juergen@example.com", street="Hauptstr. 5", city="Pasing"
    )


@pytest.fixture
def contract(customer, group, station_a1, car):
    return contract_for(customer, group, station_a1, car)


def _check_in_with_damages(contract):
    return make_protocol(
        contract,
        kind=Protocol.Kind.CHECK_IN,
        km=23_456,
        fuel=3,
        clean_inside="dirty",
        notes="Kindersitz zurückgegeben.",
        photo_views=("front", "rear", "dashboard"),
        damages=(
            {
                "description": "Delle in der Fahrertür",
                "area": "left",
                "view": "left",
                "x": 40,
                "y": 55,
                "new": True,
                "new_since_check_out": True,
                "photos": 2,
            },
            {"description": "Steinschlag in der Frontscheibe", "area": "glass", "new": False, "photos": 1},
        ),
        signatures=(("customer", "Jürgen Müller"), ("staff", "Sabine Station")),
    )


def test_pdf_shows_readings_damages_photos_and_both_signatures(org_a, contract, tmp_path):
    protocol = _check_in_with_damages(contract)
    with scope(organization=org_a):
        pdf = protocol_pdf_render(protocol=protocol)

    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    # German: the customer's language (the organization's default).
    for expected in (
        contract.number,
        "Jürgen Müller",
        "Hauptstr. 5",
        "M-PD 1",
        "Skoda Octavia",
        "TMBJJ7NE0H0123456",
        "23.456 km",
        "3/8",
        "innen: verschmutzt, Reinigung nötig",
        "Kindersitz zurückgegeben.",
        "Delle in der Fahrertür",
        "neu seit Übergabe",
        "Steinschlag in der Frontscheibe",
        "bereits bekannt",
        "Sabine Station (Mitarbeiter)",
        "Jürgen Müller (Kunde)",
        "A1 München",
    ):
        assert expected in text, expected

    images = pdf_images(pdf, tmp_path)
    # 3 damage photos, 3 condition photos, 2 signatures; nothing else.
    assert len(images) == 8
    signatures = [image for image in images if image.size == (600, 200)]
    assert len(signatures) == 2
    # Each signature image is the drawn stroke on white (dark pixels present), not an empty box.
    for image in signatures:
        assert image.convert("L").getextrema()[0] < 80
        assert image.convert("L").getpixel((5, 5)) > 240


def test_pdf_is_in_the_customers_language(org_a, group, station_a1, car):
    english = make_customer(org_a, first_name="Jane", last_name="Doe", email="jane@example.com", language_code="en")
    contract = contract_for(english, group, station_a1, car)
    protocol = make_protocol(contract, km=5_000, photo_views=(), signatures=(("customer", "Jane Doe"),))
    with scope(organization=org_a):
        text = pdf_text(protocol_pdf_render(protocol=protocol))
    assert "Mileage" in text and "5,000 km" in text
    assert "Kilometerstand" not in text


def test_pdf_shows_the_organizations_logo_and_address(org_a, contract, tmp_path):
    logo = io.BytesIO()
    Image.new("RGB", (300, 90), (200, 20, 20)).save(logo, "PNG")
    with scopes_disabled():
        org_a.street, org_a.postal_code, org_a.city = "Leopoldstr. 1", "80802", "München"
        org_a.logo.save("logo.png", ContentFile(logo.getvalue()), save=False)
        org_a.save()
    protocol = make_protocol(contract, photo_views=(), signatures=())
    with scope(organization=org_a):
        pdf = protocol_pdf_render(protocol=protocol)
    assert "Leopoldstr. 1 80802 München" in pdf_text(pdf)
    assert [image.size for image in pdf_images(pdf, tmp_path)] == [(300, 90)]


def test_markup_typed_by_customers_is_printed_as_text_and_fetches_nothing(org_a, group, station_a1, car, tmp_path):
    # A short path: it has to fit into a first name (100 characters).
    secret = Path(tempfile.mkdtemp(prefix="s", dir="/tmp")) / "s.png"
    Image.new("RGB", (77, 33), (0, 0, 0)).save(secret, "PNG")
    attacker = make_customer(
        org_a,
        first_name=f'<img src="file://{secret}">',
        last_name='<img src="file:///etc/passwd">',
        email="x@example.com",
    )
    contract = contract_for(attacker, group, station_a1, car)
    protocol = make_protocol(
        contract,
        notes='<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><img src="http://169.254.169.254/latest">',
        photo_views=(),
        signatures=(("customer", f'<img src="file://{secret}">'),),
        damages=({"description": f'<iframe src="file://{secret}"></iframe>', "photos": 0},),
    )
    with scope(organization=org_a):
        pdf = protocol_pdf_render(protocol=protocol)
    # Long markup wraps across lines; compare without the line breaks.
    text = "".join(pdf_text(pdf).split())
    for typed in (
        f'<img src="file://{secret}">',
        '<img src="file:///etc/passwd">',
        '<img src="http://169.254.169.254/latest">',
        "<iframe",
    ):
        assert "".join(typed.split()) in text, typed
    # The only image is the signature the capture stored; the file the markup named is not in it.
    assert [image.size for image in pdf_images(pdf, tmp_path)] == [(600, 200)]


def test_fetcher_serves_only_the_files_registered_for_this_rendering(org_a, contract, tmp_path):
    protocol = make_protocol(contract, photo_views=("front",), signatures=())
    readable = tmp_path / "readable.png"
    Image.new("RGB", (10, 10)).save(readable, "PNG")
    files = StoredFiles()
    with scopes_disabled():
        url = files.url_for(protocol.photos.get().thumbnail)
    fetcher = ProtocolURLFetcher(files)

    assert fetcher.fetch(url).read().startswith(b"\xff\xd8")  # the stored JPEG, from storage
    for refused in (
        f"file://{readable}",
        "file:///etc/passwd",
        "http://127.0.0.1:8000/",
        "https://example.com/logo.png",
        "data:image/png;base64,iVBORw0KGgo=",
        f"{BASE_URL}stored/999",
        f"{BASE_URL}o/{org_a.slug}/logo/",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(refused)


def test_renderer_with_the_fetcher_leaves_out_a_local_file_named_in_html(tmp_path):
    """WeasyPrint really goes through the fetcher: a readable file named in the HTML is not embedded."""
    from weasyprint import HTML

    readable = tmp_path / "readable.png"
    Image.new("RGB", (40, 40), (0, 200, 0)).save(readable, "PNG")
    html = f'<p>x</p><img src="file://{readable}"><img src="{readable}">'
    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=ProtocolURLFetcher(StoredFiles())).write_pdf()
    assert pdf_images(pdf, tmp_path) == []

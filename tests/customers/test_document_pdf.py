"""Document templates as PDF: what they may embed, what they may not, and how the file is named.

Each rendered PDF is inspected with poppler (pdfimages, pdftotext), so "the logo is in the PDF" and
"the server's file did not leak" are checked in the produced document, not in our code.
"""

from __future__ import annotations

import base64
import io
import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django_scopes import scopes_disabled
from PIL import Image

from customers.models import DocumentTemplate
from rentoffice.models import OutboundMessage

from .conftest import make_customer

pytestmark = pytest.mark.django_db


def _png(color=(200, 30, 30), size=(40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def _jpeg(size=(60, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


DATA_PNG = "data:image/png;base64," + base64.b64encode(_png()).decode()
DATA_PNG_SMALL = "data:image/png;base64," + base64.b64encode(_png(size=(8, 8))).decode()


def _images(pdf: bytes, tmp_path) -> list[tuple[int, int]]:
    """(width, height) of every image embedded in the PDF, from `pdfimages -list`."""
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    return [(int(row[3]), int(row[4])) for row in rows]


def _image_objects(pdf: bytes) -> list[tuple[int, int]]:
    """(width, height) of every image object, including those only used in patterns (CSS backgrounds),
    which pdfimages does not list. Image streams are never inside compressed object streams."""
    return [(int(w), int(h)) for w, h in re.findall(rb"/Subtype /Image/Width (\d+)/Height (\d+)", pdf)]


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _template(org, body: str, name: str = "Mandat") -> DocumentTemplate:
    with scopes_disabled():
        return DocumentTemplate.objects.create(organization=org, name=name, body_html=body)


def _preview(client, org, template, **params):
    url = reverse("customers:document_template_preview", kwargs={"org_slug": org.slug, "template_pk": template.pk})
    return client.get(url, params)


@pytest.fixture
def spy_server():
    """A loopback HTTP server that records every request: proof that the renderer stays off the network."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = b"p::after { content: 'FROM-NETWORK'; }"
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def test_data_image_and_data_stylesheet_are_in_the_pdf(client_admin_a, org_a, tmp_path):
    css = "data:text/css;base64," + base64.b64encode(b"p::after { content: ' STYLED-BY-DATA-CSS'; }").decode()
    template = _template(
        org_a,
        f'<link rel="stylesheet" href="{css}"><p>Mandat</p><img src="{DATA_PNG}" alt="logo">'
        f'<div style="width:30px;height:30px;background:url({DATA_PNG_SMALL})"></div>',
    )
    response = _preview(client_admin_a, org_a, template)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert _images(response.content, tmp_path) == [(40, 20)]  # the <img>
    assert sorted(_image_objects(response.content)) == [(8, 8), (40, 20)]  # and the CSS background
    assert "STYLED-BY-DATA-CSS" in _text(response.content, tmp_path)


def test_the_organizations_own_logo_is_embedded(client_admin_a, org_a, tmp_path):
    with scopes_disabled():
        org_a.logo.save("logo.jpg", ContentFile(_jpeg()), save=True)
    logo_path = reverse("organization_logo", kwargs={"org_slug": org_a.slug})
    template = _template(org_a, f'<p>Kopf</p><img src="{logo_path}"><img src="https://rent.example.com{logo_path}">')
    response = _preview(client_admin_a, org_a, template)
    assert response.status_code == 200
    assert _images(response.content, tmp_path) == [(60, 30), (60, 30)]


def test_the_organizations_vehicle_group_pictures_are_embedded(client_admin_a, org_a, org_b, tmp_path):
    from vehicles.models import VehicleGroup

    with scopes_disabled():
        own = VehicleGroup(organization=org_a, name="Kleinwagen", code="KW")
        own.photo.save("g.jpg", ContentFile(_jpeg(size=(64, 32))), save=False)
        own.photo_thumbnail.save("t.jpg", ContentFile(_jpeg(size=(16, 8))), save=False)
        own.save()
        foreign = VehicleGroup(organization=org_b, name="Bus", code="BUS")
        foreign.photo.save("f.jpg", ContentFile(_jpeg(size=(50, 50))), save=True)

    def photo(org, group, name="vehicles:group_photo"):
        return reverse(name, kwargs={"org_slug": org.slug, "pk": group.pk})

    template = _template(
        org_a,
        f'<img src="{photo(org_a, own)}"><img src="{photo(org_a, own, "vehicles:group_photo_thumb")}">'
        f'<img src="{photo(org_b, foreign)}"><img src="{photo(org_a, foreign)}">',
    )
    response = _preview(client_admin_a, org_a, template)
    assert response.status_code == 200
    assert _images(response.content, tmp_path) == [(64, 32), (16, 8)]


def test_another_organizations_logo_is_not_embedded(client_admin_a, org_a, org_b, tmp_path):
    with scopes_disabled():
        org_b.logo.save("logo.jpg", ContentFile(_jpeg()), save=True)
    foreign = reverse("organization_logo", kwargs={"org_slug": org_b.slug})
    template = _template(org_a, f'<p>Kopf</p><img src="{foreign}">')
    response = _preview(client_admin_a, org_a, template)
    assert response.status_code == 200
    assert _images(response.content, tmp_path) == []


def test_the_file_system_is_refused(client_admin_a, org_a, tmp_path):
    secret_css = tmp_path / "secret.css"
    secret_css.write_text("p::after { content: 'FROM-DISK'; }")
    secret_png = tmp_path / "secret.png"
    secret_png.write_bytes(_png(size=(33, 11)))
    template = _template(
        org_a,
        f'<link rel="stylesheet" href="file://{secret_css}"><style>@import url("file://{secret_css}");</style>'
        f'<p>Mandat</p><img src="file://{secret_png}"><div style="background:url(file://{secret_png})">x</div>'
        '<img src="file:///etc/passwd">',
    )
    response = _preview(client_admin_a, org_a, template)
    assert response.status_code == 200
    assert _images(response.content, tmp_path) == [] and _image_objects(response.content) == []
    assert "FROM-DISK" not in _text(response.content, tmp_path)


def test_the_network_is_refused(client_admin_a, org_a, tmp_path, spy_server):
    base, hits = spy_server
    template = _template(
        org_a,
        f'<link rel="stylesheet" href="{base}/style.css"><style>@import url("{base}/import.css");</style>'
        f'<p>Mandat</p><img src="{base}/logo.png"><div style="background:url({base}/bg.png)">x</div>',
    )
    response = _preview(client_admin_a, org_a, template)
    assert response.status_code == 200
    assert hits == []
    assert "FROM-NETWORK" not in _text(response.content, tmp_path)


def test_a_template_with_an_image_is_attached_to_an_email(client_admin_a, org_a, tmp_path):
    with scopes_disabled():
        customer_a = make_customer(org_a, first_name="Jürgen", last_name="Müller", email="juergen@example.com")
    template = _template(org_a, f'<p>Hallo {{first_name}}</p><img src="{DATA_PNG}">')
    response = client_admin_a.post(
        reverse("customers:email", kwargs={"org_slug": org_a.slug, "pk": customer_a.pk}),
        {"purpose": "standard", "subject": "Mandat", "body": "Anbei", "doc_templates": [template.pk], "send": "1"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        message = OutboundMessage.objects.get(purpose="customer_email")
    assert [a["name"] for a in message.attachments] == ["Mandat.pdf"]
    with default_storage.open(message.attachments[0]["path"], "rb") as handle:
        pdf = handle.read()
    assert _images(pdf, tmp_path) == [(40, 20)]
    assert "Hallo Jürgen" in _text(pdf, tmp_path)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Mandat\r\nX-Injected: 1", "inline; filename*=utf-8''Mandat%0D%0AX-Injected%3A%201.pdf"),
        ('Ver"trag; filename=evil.exe', 'inline; filename="Ver\\"trag; filename=evil.exe.pdf"'),
        ("Übergabe Müller", "inline; filename*=utf-8''%C3%9Cbergabe%20M%C3%BCller.pdf"),
    ],
)
def test_preview_file_name_is_one_safe_header_parameter(client_admin_a, org_a, name, expected):
    template = _template(org_a, "<p>x</p>", name=name)
    response = _preview(client_admin_a, org_a, template)
    assert response.status_code == 200
    assert response["Content-Disposition"] == expected
    assert "X-Injected" not in response.headers

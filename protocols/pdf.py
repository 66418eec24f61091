"""The protocol as PDF (WeasyPrint), with a fetcher that can only read this protocol's own files.

What a protocol prints comes from people outside our control (a customer's name, a note, a damage
description), so the renderer must never become a way to read the server's disk (`file:`), reach the
network or internal services, or embed another organization's files. The template never names a
storage path or a real URL: `StoredFiles.url_for()` hands it an opaque `https://rentoffice.invalid/
stored/<n>` address for each file this protocol may show (the organization's logo, the condition
photos, the photos of its damages, the signatures), and `ProtocolURLFetcher` answers exactly those
addresses from storage. Everything else — `file:`, `data:`, any other host or path — is refused and
WeasyPrint leaves the resource out; text is escaped by the template, so markup in a name is printed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db.models import Prefetch
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint.urls import URLFetcher, URLFetcherResponse

from vehicles import sketch
from vehicles.models import Damage, DamagePhoto

from .models import Protocol, ProtocolFinding, ProtocolPhoto, ProtocolSignature

logger = logging.getLogger(__name__)

# Relative URLs are resolved against this base; nothing is ever fetched from it.
BASE_URL = "https://rentoffice.invalid/"
_STORED_PREFIX = BASE_URL + "stored/"


class StoredFiles:
    """The files one rendering may embed, each under an opaque address of its own."""

    def __init__(self) -> None:
        self._files: dict[str, FieldFile] = {}

    def url_for(self, fieldfile: FieldFile | None) -> str:
        if not fieldfile:
            return ""
        url = f"{_STORED_PREFIX}{len(self._files) + 1}"
        self._files[url] = fieldfile
        return url

    def get(self, url: str) -> FieldFile | None:
        return self._files.get(url)


class ProtocolURLFetcher(URLFetcher):
    """Serves the registered stored files of one protocol; refuses every other URL."""

    def __init__(self, files: StoredFiles):
        # No protocol is allowed for the parent's opener: `fetch` below never calls it.
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.files = files

    def fetch(self, url, headers=None):
        stored = self.files.get(url)
        if stored is None:
            logger.info("protocol PDF resource refused", extra={"url": str(url)[:200]})
            raise ValueError(f"resource refused: {str(url)[:200]}")
        with stored.open("rb") as handle:
            content = handle.read()
        return URLFetcherResponse(url, content, {"Content-Type": _image_type(content)})


def _image_type(content: bytes) -> str:
    # Photos and signatures went through the image pipeline (JPEG); older logos may be PNG.
    if content.startswith(b"\x89PNG"):
        return "image/png"
    return "image/jpeg"


@dataclass(frozen=True)
class PdfPhoto:
    src: str
    caption: str


@dataclass(frozen=True)
class PdfDamage:
    number: int
    damage: Damage
    is_new: bool
    new_since_check_out: bool
    photos: list[PdfPhoto]


def protocol_for_pdf(*, protocol_id: int) -> Protocol:
    """The protocol with everything the PDF prints, in a fixed number of queries."""
    return (
        Protocol.objects.select_related(
            "organization",
            "contract__customer",
            "contract__pickup_station",
            "contract__return_station",
            "vehicle",
            "type",
            "station",
            "recorded_by",
        )
        .prefetch_related(
            Prefetch("photos", queryset=ProtocolPhoto.objects.order_by("view", "uploaded_at", "id")),
            Prefetch(
                "findings",
                queryset=ProtocolFinding.objects.select_related("damage").prefetch_related(
                    Prefetch("damage__photos", queryset=DamagePhoto.objects.order_by("uploaded_at", "id"))
                ),
            ),
            Prefetch("signatures", queryset=ProtocolSignature.objects.order_by("role")),
        )
        .get(pk=protocol_id)
    )


def _photo_views() -> list[str]:
    return [value for value, _label in ProtocolPhoto.View.choices]


def protocol_pdf_context(*, protocol: Protocol, files: StoredFiles) -> dict:
    views = _photo_views()
    photos = sorted(protocol.photos.all(), key=lambda p: (views.index(p.view) if p.view in views else 99, p.pk))
    findings = sorted(protocol.findings.all(), key=lambda f: (f.kind != ProtocolFinding.Kind.NEW, f.pk))
    damages = [
        PdfDamage(
            number=number,
            damage=finding.damage,
            is_new=finding.kind == ProtocolFinding.Kind.NEW,
            new_since_check_out=finding.new_since_check_out,
            photos=[
                PdfPhoto(src=files.url_for(p.thumbnail or p.image), caption="") for p in finding.damage.photos.all()
            ],
        )
        for number, finding in enumerate(findings, start=1)
    ]
    markers = [
        sketch.Marker(damage=d.damage, cx=marker.cx, cy=marker.cy, number=d.number)
        for d in damages
        for marker in sketch.markers_for([d.damage])
    ]
    signatures = list(protocol.signatures.all())
    organization = protocol.organization
    return {
        "protocol": protocol,
        "organization": organization,
        "contract": protocol.contract,
        "customer": protocol.contract.customer,
        "vehicle": protocol.vehicle,
        "place": protocol.station or protocol.contract.pickup_station,
        "moment": timezone.localtime(protocol.submitted_at or timezone.now()),
        "logo_src": files.url_for(organization.logo),
        "photos": [PdfPhoto(src=files.url_for(p.thumbnail or p.image), caption=p.get_view_display()) for p in photos],
        "damages": damages,
        "sketch_svg": _sketch_svg(markers) if damages else "",
        "signatures": [(signature, files.url_for(signature.image)) for signature in signatures],
        "generated_at": timezone.localtime(),
    }


def _sketch_svg(markers: list[sketch.Marker]) -> str:
    """The fleet's sketch drawing with numbered markers for the damages that have a position.

    The drawing is rendered without its markers (those link into the back office) and the PDF's own
    markers are drawn into the same coordinate space.
    """
    drawing = render_to_string("vehicles/_sketch.html", {"boxes": sketch.BOXES, "markers": [], "interactive": False})
    marks = render_to_string("protocols/pdf/_sketch_markers.svg", {"markers": markers})
    head, _sep, _tail = drawing.rpartition("</svg>")
    return f"{head}{marks}</svg>"


def protocol_pdf_render(*, protocol: Protocol) -> bytes:
    """The protocol as PDF, in its customer's language (the PDF is what the customer receives)."""
    from weasyprint import HTML

    full = protocol_for_pdf(protocol_id=protocol.pk)
    files = StoredFiles()
    with translation.override(full.contract.customer.message_language):
        html = render_to_string("protocols/pdf/protocol.html", protocol_pdf_context(protocol=full, files=files))
    return HTML(string=html, base_url=BASE_URL, url_fetcher=ProtocolURLFetcher(files)).write_pdf()

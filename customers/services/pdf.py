"""Document templates rendered to PDF (WeasyPrint), with a fetcher that keeps organization HTML in its box.

Template HTML is written by an organization's staff, so the renderer must not become a way to read
the server's disk (`file:`), to reach the network or internal services (`http:`, `ftp:` ...), or to
read another organization's files. What a template may embed:

- `data:` URIs (an inline logo, a stylesheet, a font);
- the organization's own stored images through the URLs the application shows for them: its logo
  (`/o/<slug>/logo/`) and its vehicle-group pictures (`/o/<slug>/vehicles/groups/<id>/photo/`,
  `.../photo/thumb/`). They are read from storage, never over the network, and only when the URL
  names the template's own organization.

Every other URL is refused; WeasyPrint then leaves the resource out and renders the rest.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django_scopes import scope
from weasyprint.urls import URLFetcher, URLFetcherResponse

from rentoffice.models import Organization

from ..models import Customer, DocumentTemplate

logger = logging.getLogger(__name__)

# Relative URLs ("/o/koenig/logo/") are resolved against this base; nothing is ever fetched from it.
BASE_URL = "https://rentoffice.invalid/"


class OrganizationURLFetcher(URLFetcher):
    """`data:` URIs and the organization's own stored images; nothing else."""

    def __init__(self, organization: Organization):
        super().__init__(allowed_protocols=("data", "http", "https"), allow_redirects=False)
        self.organization = organization

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme in ("http", "https"):
            stored = self._stored_image(url)
            if stored is not None:
                with stored.open("rb") as handle:
                    content = handle.read()
                return URLFetcherResponse(url, content, {"Content-Type": _image_type(content)})
        logger.info("document template resource refused", extra={"url": url[:200]})
        raise ValueError(f"resource refused: {url[:200]}")

    def _stored_image(self, url: str):
        """The stored file behind one of the organization's own image URLs, else None."""
        path = urlsplit(url).path
        try:
            match = resolve(path)
        except Resolver404:
            return None
        if match.kwargs.get("org_slug") != self.organization.slug:
            return None
        if match.view_name == "organization_logo":
            return self.organization.logo or None
        if match.view_name in ("vehicles:group_photo", "vehicles:group_photo_thumb"):
            from vehicles.models import VehicleGroup

            with scope(organization=self.organization):
                group = VehicleGroup.objects.filter(organization=self.organization, pk=match.kwargs["pk"]).first()
            if group is None:
                return None
            field = group.photo_thumbnail if match.kwargs.get("variant") == "thumb" else group.photo
            return field or None
        return None


def _image_type(content: bytes) -> str:
    # Stored images went through the image pipeline (JPEG); older logos may be PNG.
    if content.startswith(b"\x89PNG"):
        return "image/png"
    return "image/jpeg"


def document_template_pdf(*, template: DocumentTemplate, customer: Customer | None) -> bytes:
    """The template as PDF for a customer; without one the placeholders stay visible (template preview)."""
    from weasyprint import HTML

    from .documents import fill_placeholders

    body = fill_placeholders(template.body_html, customer, escape=True) if customer else template.body_html
    fetcher = OrganizationURLFetcher(template.organization)
    return HTML(string=body, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()

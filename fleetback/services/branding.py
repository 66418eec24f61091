"""Brand design of the customer page: colour and logo per brand of a dealership."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rentoffice.authorization import require, require_station
from rentoffice.images import ProcessedImage
from rentoffice.models import Brand, Membership

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@transaction.atomic
def brand_design_save(
    *, actor: Membership, brand: Brand, colour: str, logo: ProcessedImage | None = None, remove_logo: bool = False
) -> Brand:
    """Set the brand's colour ("#rrggbb" or empty) and logo (cleaned by the image pipeline). A
    replaced or removed logo file is deleted only after commit, so a failed save keeps it."""
    require(actor, "cases.configure", organization_id=brand.organization_id)
    require_station(actor, brand.station_id)
    colour = colour.strip().lower()
    if colour and not COLOUR.match(colour):
        raise ValidationError({"colour": _("Enter a colour as #rrggbb, e.g. #001e50.")})
    if logo is not None and remove_logo:
        raise ValidationError({"remove_logo": _("Either upload a new logo or remove the current one.")})
    storage = brand.logo.storage
    old = brand.logo.name
    brand.colour = colour
    if logo is not None:
        brand.logo.save("logo.jpg", logo.content_file(), save=False)
    elif remove_logo:
        brand.logo = ""
    new = brand.logo.name if logo is not None else None
    try:
        with transaction.atomic():
            brand.save(update_fields=["colour", "logo"])
    except Exception:
        if new:
            storage.delete(new)
        raise
    if old and old != brand.logo.name:
        transaction.on_commit(lambda: storage.delete(old))
    return brand


def text_colour_on(colour: str) -> str:
    """Black or white, whichever reads better on the brand colour (WCAG relative luminance)."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    # Contrast with white (1.05 / (L + 0.05)) against contrast with black ((L + 0.05) / 0.05).
    return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 else "#000000"


def brand_context(brand: Brand, organization) -> dict:
    """What the customer page needs for the brand's look (the colour is validated on save and
    checked again here, as it is written into a style element)."""
    colour = brand.colour if COLOUR.match(brand.colour or "") else ""
    return {
        "brand_colour": colour,
        "brand_text_colour": text_colour_on(colour) if colour else "",
        "has_logo": bool(brand.logo or organization.logo),
    }

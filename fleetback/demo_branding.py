"""Demo brand design: colours and simple generated logos for the demo dealerships' brands."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from rentoffice.images import process_image
from rentoffice.models import Brand, Membership

from .services.branding import brand_design_save

COLOURS = {"VW": "#001e50", "Audi": "#bb0a30", "Škoda": "#4ba82e", "Ford": "#003478"}


def _logo(name: str, colour: str) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 96), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, 236, 92), radius=18, outline=colour, width=6)
    draw.text((24, 34), name, fill=colour, font_size=28)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile(f"{name}.png", buffer.getvalue(), content_type="image/png")


def seed_brand_design(organizations, stdout) -> None:
    for org in (organizations["koenig"], organizations["nord"]):
        with scope(organization=org):
            actor = (
                Membership.objects.select_related("user", "role", "organization")
                .filter(organization=org, role__key="administrator")
                .order_by("pk")
                .first()
            )
            for brand in Brand.objects.filter(organization=org, colour=""):
                colour = COLOURS.get(brand.name)
                if colour:
                    brand_design_save(
                        actor=actor, brand=brand, colour=colour, logo=process_image(_logo(brand.name, colour))
                    )
    stdout.write("  brand colours and logos\n")

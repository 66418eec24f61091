"""Drawing on a photo: shapes (rectangle, circle, free pen) in a colour, rendered onto the pixels.

The browser sends shapes, not pixels: coordinates are fractions of the photo's width and height
(0..1), so the drawing lands in the same place whatever size the photo was shown at, and the server
paints them on the stored full-size photo. Nothing the browser rendered is stored.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw

from rentoffice.images import JPEG_QUALITY, THUMBNAIL_SIZE, ProcessedImage

KINDS = ("rect", "circle", "pen")
MAX_SHAPES = 200
MAX_POINTS = 2000
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Shape:
    kind: str
    colour: str
    width: float  # stroke width as a fraction of the photo's width
    points: tuple[tuple[float, float], ...]


def _fraction(value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError
    return min(1.0, max(0.0, float(value)))


def parse_shapes(raw: str) -> list[Shape]:
    """Shapes from the drawing page's JSON; anything malformed is one ValidationError."""
    invalid = ValidationError(_("The drawing could not be read. Please draw again."), code="invalid")
    try:
        data = json.loads(raw)
    except (TypeError, ValueError) as exc:
        raise invalid from exc
    if not isinstance(data, list):
        raise invalid
    if not data:
        raise ValidationError(_("Draw something on the photo before saving."), code="empty")
    if len(data) > MAX_SHAPES:
        raise ValidationError(_("At most %(n)d shapes can be drawn on one photo.") % {"n": MAX_SHAPES}, code="too_many")
    shapes = []
    try:
        for entry in data:
            kind, colour, points = entry["kind"], entry["colour"], entry["points"]
            if kind not in KINDS or not isinstance(colour, str) or not _COLOUR.match(colour):
                raise ValueError
            if not isinstance(points, list) or not (2 <= len(points) <= (MAX_POINTS if kind == "pen" else 2)):
                raise ValueError
            width = min(0.05, max(0.002, _fraction(entry.get("width", 0.006))))
            shapes.append(Shape(kind, colour.lower(), width, tuple((_fraction(x), _fraction(y)) for x, y in points)))
    except (KeyError, TypeError, ValueError) as exc:
        raise invalid from exc
    return shapes


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def render(content: bytes, shapes: list[Shape], *, original_name: str = "") -> ProcessedImage:
    """The photo with the shapes painted on, encoded like the image pipeline's output.

    The pixels are our own (the stored photo already went through the pipeline, the shapes are
    validated numbers), so the untrusted-input checks are not run again: on a 12-megapixel photo
    they cost seconds (a lossless intermediate file scanned byte for byte) and prove nothing new.
    """
    with Image.open(io.BytesIO(content), formats=("JPEG",)) as source:
        image = source.convert("RGB")
    draw = ImageDraw.Draw(image)
    w, h = image.size
    for shape in shapes:
        stroke = max(2, round(shape.width * w))
        points = [(x * w, y * h) for x, y in shape.points]
        if shape.kind == "pen":
            draw.line(points, fill=shape.colour, width=stroke, joint="curve")
            continue
        (x0, y0), (x1, y1) = points
        box = [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]
        if shape.kind == "rect":
            draw.rectangle(box, outline=shape.colour, width=stroke)
        else:
            draw.ellipse(box, outline=shape.colour, width=stroke)
    thumb = image.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    return ProcessedImage(
        content=_jpeg(image),
        thumbnail=_jpeg(thumb),
        width=w,
        height=h,
        original_name=original_name,
        source_format="JPEG",
    )

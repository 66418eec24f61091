"""The vehicle sketch: five drawings (front, left, top, right, rear) in one SVG.

A damage position is stored as the drawing (`view`) plus x/y in percent of that drawing's box, so
the drawing can be redrawn or rescaled without moving stored marks. Boxes are in SVG user units of
the `viewBox` below; `static/js/vehicle-sketch.js` reads the same boxes from the markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

VIEWBOX = (0, 0, 400, 560)


@dataclass(frozen=True)
class Box:
    view: str
    x: int
    y: int
    w: int
    h: int
    default_area: str

    def point(self, px: Decimal | float, py: Decimal | float) -> tuple[float, float]:
        return self.x + float(px) * self.w / 100, self.y + float(py) * self.h / 100


BOXES = {
    "front": Box("front", 120, 10, 160, 90, "front"),
    "left": Box("left", 10, 110, 100, 340, "left"),
    "top": Box("top", 130, 110, 140, 340, "roof"),
    "right": Box("right", 290, 110, 100, 340, "right"),
    "rear": Box("rear", 120, 460, 160, 90, "rear"),
}


@dataclass(frozen=True)
class Marker:
    damage: object
    cx: float
    cy: float
    number: int


def markers_for(damages) -> list[Marker]:
    """Markers of the damages that have a position (numbered in the order given)."""
    result = []
    for number, damage in enumerate(damages, start=1):
        box = BOXES.get(damage.view)
        if box is None or damage.x is None or damage.y is None:
            continue
        cx, cy = box.point(damage.x, damage.y)
        result.append(Marker(damage=damage, cx=round(cx, 1), cy=round(cy, 1), number=number))
    return result

"""What a dealership prepares: the checklist of a brand (a simple editable list for now)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rentoffice.authorization import require, require_station
from rentoffice.models import Brand, Membership

from ..models import Checklist, ChecklistItem


@transaction.atomic
def checklist_save(*, actor: Membership, brand: Brand, items: Sequence[tuple[str, Decimal]]) -> Checklist:
    """Replace the checklist of a dealership's brand with these (title, price incl. VAT) rows.
    Work items made from a removed row keep their text and price (their link is cleared)."""
    require(actor, "cases.configure", organization_id=brand.organization_id)
    require_station(actor, brand.station_id)
    for index, (title, price) in enumerate(items, start=1):
        if not title.strip() or len(title.strip()) > 200:
            raise ValidationError({"items": _("Line %(n)s: enter the work (at most 200 characters).") % {"n": index}})
        if price < 0 or price >= Decimal("100000000"):
            raise ValidationError({"items": _("Line %(n)s: the price is not valid.") % {"n": index}})
    checklist, _created = Checklist.objects.get_or_create(
        organization_id=brand.organization_id, station_id=brand.station_id, brand=brand
    )
    checklist.items.all().delete()
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            organization_id=brand.organization_id, checklist=checklist, title=title.strip(), price=price, position=n
        )
        for n, (title, price) in enumerate(items)
    )
    return checklist

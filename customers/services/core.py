"""Creating and editing customers: numbers, search text, cards, permissions, settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from rentoffice.authorization import require
from rentoffice.models import Membership, Station
from rentoffice.services import sequence_next
from vehicles.models import VehicleGroup

from ..models import AccessCard, Customer, CustomerAttribute, CustomerSettings
from ..search import build_search_text
from .rights import CHANGE, require_customer, require_own


@dataclass
class CardRow:
    number: str
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


def search_text_refresh(*, customer: Customer) -> str:
    cards = list(
        AccessCard.objects.filter(organization=customer.organization_id, customer=customer).values_list(
            "number", flat=True
        )
    )
    text = build_search_text(customer, cards)
    Customer.objects.filter(pk=customer.pk).update(search_text=text)
    customer.search_text = text
    return text


def _sync_cards(customer: Customer, cards: Iterable[CardRow]) -> None:
    keep = []
    for row in cards:
        number = row.number.strip()
        if not number:
            continue
        card: AccessCard | None = (
            AccessCard.objects.select_for_update()
            .annotate(upper=Upper("number"))
            .filter(organization=customer.organization_id, upper=number.upper())
            .first()
        )
        if card is None:
            card = AccessCard(organization_id=customer.organization_id, number=number)
        elif card.customer_id and card.customer_id != customer.pk:
            raise ValidationError(
                _("Card %(number)s is already assigned to another customer.") % {"number": card.number}
            )
        card.customer = customer
        card.valid_from = row.valid_from or card.valid_from or timezone.localdate()
        card.valid_until = row.valid_until
        card.full_clean()
        card.save()
        keep.append(card.pk)
    # Cards taken off the customer go back to the pool instead of disappearing.
    AccessCard.objects.filter(organization=customer.organization_id, customer=customer).exclude(pk__in=keep).update(
        customer=None
    )


@transaction.atomic
def customer_save(
    *,
    actor: Membership,
    customer: Customer,
    attributes: Iterable[CustomerAttribute] | None = None,
    vehicle_groups: Iterable[VehicleGroup] | None = None,
    stations: Iterable[Station] | None = None,
    cards: Iterable[CardRow] | None = None,
    new_attribute_names: Iterable[str] = (),
) -> Customer:
    """Create or update a customer with its many-to-many data and cards; refreshes the search text."""
    if customer.pk is None and customer.organization_id is None:
        customer.organization = actor.organization
    require_customer(actor, customer)
    handed_in = [*(attributes or ()), *(vehicle_groups or ()), *(stations or ())]
    require_own(actor, [o for o in (*handed_in, customer.home_station, customer.main_customer) if o is not None])
    if customer.pk is None:
        customer.number = sequence_next(organization=customer.organization, name="customer")
    if customer.is_blocked and customer.blocked_at is None:
        customer.blocked_at = timezone.now()
    if not customer.is_blocked:
        customer.blocked_at = None
    customer.full_clean(exclude=["search_text"])
    customer.last_activity_at = timezone.now()
    customer.save()
    new_attributes = [attribute_create(actor=actor, name=n) for n in new_attribute_names]
    if attributes is not None or new_attributes:
        customer.attributes.set(
            [*(attributes if attributes is not None else customer.attributes.all()), *new_attributes]
        )
    if vehicle_groups is not None:
        customer.allowed_vehicle_groups.set(vehicle_groups)
    if stations is not None:
        customer.allowed_stations.set(stations)
    if cards is not None:
        _sync_cards(customer, cards)
    search_text_refresh(customer=customer)
    return customer


@transaction.atomic
def attribute_create(*, actor: Membership, name: str) -> CustomerAttribute:
    require(actor, CHANGE)
    attribute, _created = CustomerAttribute.objects.get_or_create(organization=actor.organization, name=name.strip())
    return attribute


@transaction.atomic
def settings_save(*, actor: Membership, settings_obj: CustomerSettings) -> CustomerSettings:
    require(actor, "organization.manage", organization_id=settings_obj.organization_id)
    settings_obj.full_clean()
    settings_obj.save()
    return settings_obj

"""Renaming and deleting the organization's customer attributes (Customers → Settings → Attributes)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rentoffice.models import Membership

from ..models import CustomerAttribute
from .rights import CHANGE, DELETE, require_customer


@transaction.atomic
def attribute_rename(*, actor: Membership, attribute: CustomerAttribute, name: str) -> CustomerAttribute:
    """Raises ValidationError({"name": ...}) if another attribute of the organization has the name in any case.

    The database constraint is case-sensitive; "VIP" and "vip" side by side would be two tags the user
    cannot tell apart in the filter, so the service refuses them.
    """
    require_customer(actor, attribute, CHANGE)
    attribute.name = (name or "").strip()
    attribute.full_clean()
    duplicate = (
        CustomerAttribute.objects.filter(organization=attribute.organization_id, name__iexact=attribute.name)
        .exclude(pk=attribute.pk)
        .exists()
    )
    if duplicate:
        raise ValidationError({"name": _("An attribute with this name already exists.")})
    attribute.save(update_fields=["name"])
    return attribute


@transaction.atomic
def attribute_delete(*, actor: Membership, attribute: CustomerAttribute) -> None:
    """Deleting the attribute removes it from every customer (the M2M rows cascade); the activity log gets
    one entry for the attribute, not one per customer."""
    require_customer(actor, attribute, DELETE)
    attribute.delete()

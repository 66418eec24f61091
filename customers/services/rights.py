"""The customers app's rights checks, made by the services themselves (see rentoffice.authorization).

Customers are organization-wide (docs/customers.md): station scope does not narrow them, so the
checks are the permission and the organization.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied

from rentoffice.authorization import require
from rentoffice.models import Membership

VIEW = "customers.view"
CHANGE = "customers.change"
DELETE = "customers.delete"


def require_customer(actor: Membership, customer, permission: str = CHANGE) -> None:
    require(actor, permission, organization_id=customer.organization_id)


def require_own(actor: Membership, objects: Iterable) -> None:
    """Related rows handed in (groups, stations, attributes, documents) belong to the actor's organization."""
    if any(obj.organization_id != actor.organization_id for obj in objects):
        raise PermissionDenied

"""Who may act in an organization: the one membership and permission resolver.

Every entry point asks the same two questions here, whatever authenticated the person:

- `membership_resolve(user=, organization=)`: the user's active membership in an active
  organization, or None. None means "outsider" and every caller answers **404** (an outsider cannot
  tell whether the organization or the object exists).
- `permission_check(membership, permission)`: raises `PermissionDenied` (403) for a member whose
  role lacks the permission.

Users of it: the back-office middleware (session), the `requires` decorator and `TenantViewMixin`,
the DRF permission class `rentoffice.api.permissions.OrganizationPermission` — and an API token
authentication later, which only has to produce a user (or a membership) for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django_scopes import scope, scopes_disabled

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import Membership, Organization, User


def organization_by_slug(slug: str) -> Organization | None:
    """The active organization of a URL, or None (unknown and deactivated look the same)."""
    from .models import Organization

    return Organization.objects.filter(slug=slug, is_active=True).first()


def membership_resolve(
    *,
    user: User | AnonymousUser | None,
    organization: Organization | None = None,
    organization_slug: str | None = None,
) -> Membership | None:
    """The user's active membership in the active organization (given as row or URL slug), or None
    for outsiders. By slug it is one query: the back office resolves every page this way."""
    from .models import Membership

    if user is None or not user.is_authenticated:
        return None
    if organization is not None:
        if not organization.is_active:
            return None
        with scope(organization=organization):
            return (
                Membership.objects.select_related("organization", "role", "user")
                .filter(user=user, is_active=True)
                .first()
            )
    if organization_slug is None:
        return None
    # No scope exists before the organization is known; the filter names it explicitly instead. All of
    # the user's memberships in one query (a person has a handful): the top bar's organization switcher
    # lists them on every page, and would otherwise ask again (docs/performance.md, pass 4).
    with scopes_disabled():
        memberships = list(
            Membership.objects.select_related("organization", "role").filter(
                user=user, is_active=True, organization__is_active=True
            )
        )
    membership = next((m for m in memberships if m.organization.slug == organization_slug), None)
    if membership is not None:
        membership.user = user  # already loaded by the session: no join on every page (docs/performance.md)
        membership.user_memberships = memberships
    return membership


def permission_check(membership: Membership, permission: str | None) -> None:
    """Raise `PermissionDenied` unless the membership holds `permission` (None: any member may)."""
    if permission and not membership.has_perm(permission):
        raise PermissionDenied

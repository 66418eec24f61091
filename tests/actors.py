"""Memberships to act as: services take the acting person's membership (`actor=`)."""

from django_scopes import scopes_disabled

from rentoffice.models import Membership, Organization


def _organization_id(org_or_record) -> int:
    if isinstance(org_or_record, Organization):
        return org_or_record.pk
    return org_or_record.organization_id


def membership_of(user, org_or_record) -> Membership:
    """The user's membership in the organization (given itself or by one of its records)."""
    with scopes_disabled():
        return Membership.objects.select_related("role", "organization", "user").get(
            user=user, organization_id=_organization_id(org_or_record)
        )


def admin_of(org_or_record) -> Membership:
    """The organization's first administrator (made by `make_org`), for setting up data."""
    with scopes_disabled():
        return (
            Membership.objects.select_related("role", "organization", "user")
            .filter(organization_id=_organization_id(org_or_record), role__key="administrator")
            .order_by("pk")
            .first()
        )

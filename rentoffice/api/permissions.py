"""The API's tenancy check: the same resolver as the back office (`rentoffice.access`)."""

from __future__ import annotations

from django.http import Http404
from rest_framework.permissions import BasePermission

from ..access import membership_resolve, permission_check


class OrganizationPermission(BasePermission):
    """Member of the URL's organization (else 404), holding the view's `required_permission` (else 403).

    Runs after DRF's authentication: an anonymous caller gets 401 before anything about the
    organization is looked at. Sets `request.membership` for the view (and for selectors/services,
    which take the membership as actor). A view declares `required_permission = "customers.view"`;
    None lets every member in.
    """

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False  # DRF turns this into 401 (NotAuthenticated)
        membership = membership_resolve(user=request.user, organization=getattr(request, "organization", None))
        if membership is None:
            raise Http404
        permission_check(membership, getattr(view, "required_permission", None))
        request.membership = membership
        request._request.membership = membership
        return True

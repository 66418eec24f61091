"""The one tenancy mechanism, for requests.

URLs carry the organization (`/o/<org_slug>/...`, API: `/api/v1/o/<org_slug>/...`).
`TenantMiddleware` resolves it once per request and runs the view inside
`django_scopes.scope(organization=...)`, so a query on a tenant-owned model that forgets the
organization raises instead of leaking. Who may act there is decided by `rentoffice.access` (the
membership/permission resolver shared with the API and tasks); outsiders get 404 — they cannot tell
whether the organization exists. Station scope is applied by selectors through `scope_to_stations`
(which also honours the top bar's `station_filter`). Background work: `rentoffice.background`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, Protocol, cast

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils import translation
from django.views import View
from django_scopes import scope
from rest_framework.views import APIView

from .access import membership_resolve, organization_by_slug, permission_check

if TYPE_CHECKING:
    from .models import Membership, Organization

STATION_FILTER_SESSION_KEY = "station_filter"


class TenantRequest(HttpRequest):
    """What `TenantMiddleware` adds to every request (for type checking: annotate views with it)."""

    organization: Organization | None
    membership: Membership | None
    station_filter: int | None


class PermissionView(Protocol):
    """A view wrapped by `requires`: the outsider walker reads `required_permission` from it."""

    required_permission: str

    def __call__(self, request: TenantRequest, *args: Any, **kwargs: Any) -> HttpResponse: ...


def _is_api(match: ResolverMatch) -> bool:
    view_class = getattr(match.func, "cls", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)


class TenantMiddleware:
    """Resolves the organization of `/o/<org_slug>/...` URLs and runs the view inside its scope.

    Back-office pages (session users): anonymous → login, outsider → 404, member →
    `request.membership` and `request.station_filter` are set. API views (DRF) are only resolved and
    scoped here: authentication and the membership check are DRF's (`OrganizationPermission`, which
    uses the same resolver), so a request without a session reaches DRF's authentication and gets a
    JSON 401 instead of a login redirect, and an unknown organization looks the same as a foreign one.
    """

    def __init__(self, get_response: Callable):
        self.get_response = get_response

    def __call__(self, request: TenantRequest):
        request.organization = None
        request.membership = None
        request.station_filter = None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        org_slug = match.kwargs.get("org_slug")
        if org_slug is None:
            return self.get_response(request)
        if _is_api(match):
            organization = organization_by_slug(org_slug)
            if organization is None:
                return self.get_response(request)  # the permission class answers (401 or 404)
            request.organization = organization
            with scope(organization=organization):
                return self.get_response(request)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        membership = membership_resolve(user=request.user, organization_slug=org_slug)
        if membership is None:
            raise Http404("organization not found")
        request.membership = membership
        request.organization = membership.organization
        request.station_filter = _station_filter(request, membership)
        if request.session.get("last_org") != org_slug:  # avoid a session write on every page view
            request.session["last_org"] = org_slug
        with scope(organization=membership.organization):
            return self.get_response(request)


def _station_filter(request: HttpRequest, membership: Membership) -> int | None:
    """The station the user narrowed the back office to (top bar), if any and still allowed."""
    chosen = request.session.get(STATION_FILTER_SESSION_KEY, {}).get(membership.organization.slug)
    if chosen and membership.covers_station(chosen):
        return chosen
    return None


def visible_station_ids(request_or_membership, station_filter: int | None = None) -> frozenset[int] | None:
    """Station ids the actor may see right now; None means all stations of the organization."""
    membership = getattr(request_or_membership, "membership", request_or_membership)
    if station_filter is None:
        station_filter = getattr(request_or_membership, "station_filter", None)
    if station_filter is not None:
        return frozenset({station_filter})
    return membership.station_ids


def scope_to_stations(
    qs: QuerySet,
    membership,
    field: str | tuple[str, ...] = "station",
    *,
    station_filter: int | None = None,
    allow_unassigned: bool = False,
) -> QuerySet:
    """Restrict a queryset of station-owned rows to what the membership may see.

    `field` names the station foreign key (or a path to it, e.g. "vehicle__station"); several
    fields mean a row is visible if any of them is one of the member's stations (a vehicle's home
    or current station). Rows without a station are visible to everyone in the organization only
    if `allow_unassigned`.
    """
    ids = visible_station_ids(membership, station_filter)
    if ids is None:
        return qs
    fields = (field,) if isinstance(field, str) else field
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__in": ids})
    if allow_unassigned:
        condition |= Q(**{f"{fields[0]}__isnull": True})
    return qs.filter(condition)


def requires(permission: str) -> Callable[[Callable[..., HttpResponse]], PermissionView]:
    """Decorator for views under /o/<org_slug>/: the membership must hold `permission` (else 403)."""

    def decorator(view: Callable[..., HttpResponse]) -> PermissionView:
        @wraps(view)
        def wrapper(request: TenantRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.membership is None:
                raise Http404
            permission_check(request.membership, permission)
            return view(request, *args, **kwargs)

        marked = cast("PermissionView", wrapper)
        marked.required_permission = permission
        return marked

    return decorator


class TenantViewMixin(View):
    """Class-based view counterpart of `requires`."""

    permission: str | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        tenant = cast("TenantRequest", request)  # TenantMiddleware set the attributes on every request
        if tenant.membership is None:
            raise Http404
        permission_check(tenant.membership, self.permission)
        self.organization = tenant.organization
        self.membership = tenant.membership
        return super().dispatch(request, *args, **kwargs)


class UserLanguageMiddleware:
    """Staff who have not picked a language in this browser get the one stored on their profile."""

    def __init__(self, get_response: Callable):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if (
            request.user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and getattr(request.user, "language", None)
        ):
            translation.activate(request.user.language)
            request.LANGUAGE_CODE = request.user.language
        return self.get_response(request)

from django.conf import settings
from django_scopes import scopes_disabled


def shell(request) -> dict:
    """What the base layout needs: memberships for the switcher, station scope, navigation rights."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"LANGUAGES": settings.LANGUAGES}
    membership = getattr(request, "membership", None)
    with scopes_disabled():
        # The tenant middleware read them with the membership (`membership_resolve`); pages outside an
        # organization read them here.
        memberships = getattr(membership, "user_memberships", None)
        if memberships is None:
            memberships = list(
                user.memberships.filter(is_active=True, organization__is_active=True).select_related("organization")
            )
        stations = []
        if membership is not None:
            from .models import Station

            stations = Station.objects.filter(organization=membership.organization, is_active=True)
            ids = membership.station_ids
            if ids is not None:
                stations = stations.filter(id__in=ids)
            stations = list(stations.only("id", "name"))
    return {
        "memberships": memberships,
        "membership": membership,
        "organization": getattr(request, "organization", None),
        "scope_stations": stations,
        "station_filter": getattr(request, "station_filter", None),
        "perms_org": membership.permission_set if membership else frozenset(),
    }

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class MeView(APIView):
    """The caller's organization and membership (role, permissions, station scope)."""

    required_permission = None

    def get(self, request: Request, org_slug: str) -> Response:
        membership = request.membership
        organization = membership.organization
        return Response(
            {
                "organization": {"slug": organization.slug, "name": organization.name},
                "membership": {
                    "id": membership.pk,
                    "user": {"email": membership.user.email, "name": membership.user.full_name},
                    "role": {"key": membership.role.key, "name": membership.role.display_name},
                    "permissions": sorted(membership.permission_set),
                    "station_scope": membership.scope,
                    "station_ids": None if membership.station_ids is None else sorted(membership.station_ids),
                },
            }
        )


class StationListView(APIView):
    """Stations the caller may manage, as on the back office's station list (same selector and right)."""

    required_permission = "stations.manage"

    def get(self, request: Request, org_slug: str) -> Response:
        from ..selectors import stations_for

        stations = stations_for(membership=request.membership)
        return Response(
            {"results": [{"id": s.pk, "code": s.code, "name": s.name, "is_active": s.is_active} for s in stations]}
        )

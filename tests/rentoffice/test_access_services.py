"""Rights enforced by the core's services themselves (issue 8 §1), called directly as an API would.

A lesser member (user management only, or limited to one station) tries to escalate; the service
refuses and nothing changes. Data is made with scopes disabled; the calls run inside the
organization's scope like production code.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope, scopes_disabled

from rentoffice import services
from rentoffice.models import Membership, Region, Role, Station
from rentoffice.services import MANAGE_STATION, stations_managed_by
from tests.actors import admin_of, membership_of
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

BASE = "http://testserver/"


@pytest.fixture
def world(org_a, org_b):
    """Org A: admin, a user manager (users.manage + customers.view), a user manager limited to A1,
    a station staff member of A1, stations A1/A2 in one region. Org B: its admin."""
    with scopes_disabled():
        region = Region.objects.create(organization=org_a, name="Süd")
        a1 = Station.objects.create(organization=org_a, region=region, name="A1 München", code="A1")
        a2 = Station.objects.create(organization=org_a, name="A2 Augsburg", code="A2")
        manager_role = Role.objects.create(
            organization=org_a, key="manager", name="Manager", permissions=["users.manage", "customers.view"]
        )
        staff_role = Role.objects.get(organization=org_a, key="station_staff")
        viewer_role = Role.objects.create(
            organization=org_a, key="viewer", name="Viewer", permissions=["customers.view"]
        )
        manager = make_member(org_a, "manager@a.example")
        Membership.objects.filter(user=manager, organization=org_a).update(role=manager_role)
        local = make_member(org_a, "local@a.example", stations=[a1])
        Membership.objects.filter(user=local, organization=org_a).update(role=manager_role)
        staff = make_member(org_a, "staff@a.example", stations=[a1])
        viewer = make_member(org_a, "viewer@a.example", stations=[a1])
        Membership.objects.filter(user=viewer, organization=org_a).update(role=viewer_role)
    return {
        "org": org_a,
        "a1": a1,
        "a2": a2,
        "region": region,
        "admin": admin_of(org_a),
        "manager": membership_of(manager, org_a),
        "local": membership_of(local, org_a),
        "staff": membership_of(staff, org_a),
        "viewer": membership_of(viewer, org_a),
        "admin_b": admin_of(org_b),
        "manager_role": manager_role,
        "staff_role": staff_role,
        "viewer_role": viewer_role,
        "admin_role": Role.objects.get(organization=org_a, key="administrator"),
    }


def _refused_field(exc_info) -> set[str]:
    return set(exc_info.value.error_dict)


def test_role_create_never_grants_more_than_the_actor_holds(world):
    with scope(organization=world["org"]):
        with pytest.raises(ValidationError) as refused:
            services.role_create(actor=world["manager"], name="Flotte", permissions=["vehicles.change"])
        assert _refused_field(refused) == {"permissions"}
        assert not Role.objects.filter(organization=world["org"], name="Flotte").exists()
        role = services.role_create(actor=world["manager"], name="Ansicht", permissions=["customers.view"])
    assert role.permissions == ["customers.view"]


def test_role_update_accepts_no_permission_beyond_the_actor(world):
    role = world["viewer_role"]
    with scope(organization=world["org"]), pytest.raises(ValidationError) as refused:
        services.role_update(
            actor=world["manager"], role=role, name="Viewer", permissions=["customers.view", "organization.manage"]
        )
    assert _refused_field(refused) == {"permissions"}
    role.refresh_from_db()
    assert role.permissions == ["customers.view"]


def test_roles_stronger_than_ones_own_are_not_edited_or_deleted(world):
    admin_role = world["admin_role"]
    with scope(organization=world["org"]):
        with pytest.raises(PermissionDenied):
            services.role_update(actor=world["manager"], role=admin_role, name="Admin", permissions=["users.manage"])
        with pytest.raises(PermissionDenied):
            services.role_delete(actor=world["manager"], role=world["staff_role"])  # holds vehicles.change etc.
    admin_role.refresh_from_db()
    assert "organization.manage" in admin_role.permissions
    with scope(organization=world["org"]):
        assert Role.objects.filter(pk=world["staff_role"].pk).exists()


def test_nobody_removes_user_management_from_their_own_role(world):
    role = world["manager_role"]
    with scope(organization=world["org"]), pytest.raises(ValidationError) as refused:
        services.role_update(actor=world["manager"], role=role, name="Manager", permissions=["customers.view"])
    assert _refused_field(refused) == {"permissions"}
    role.refresh_from_db()
    assert "users.manage" in role.permissions


def test_roles_need_user_management_and_the_same_organization(world):
    with scope(organization=world["org"]):
        with pytest.raises(PermissionDenied):
            services.role_create(actor=world["staff"], name="X", permissions=[])
        with pytest.raises(PermissionDenied):
            services.role_update(actor=world["admin_b"], role=world["viewer_role"], name="Hacked", permissions=[])
    world["viewer_role"].refresh_from_db()
    assert world["viewer_role"].name == "Viewer"


def test_invite_refuses_a_role_beyond_the_actor(world):
    with scope(organization=world["org"]), pytest.raises(ValidationError) as refused:
        services.membership_invite(
            actor=world["manager"],
            email="new@a.example",
            full_name="Neu",
            role=world["admin_role"],
            base_url=BASE,
        )
    assert _refused_field(refused) == {"role"}
    with scope(organization=world["org"]):
        assert not Membership.objects.filter(user__email="new@a.example").exists()


def test_a_station_limited_actor_gives_access_only_to_their_stations(world):
    with scope(organization=world["org"]):
        for kwargs, field in (
            ({"scope": Membership.Scope.ALL}, "scope"),
            ({"scope": Membership.Scope.REGIONS, "regions": [world["region"]]}, "scope"),
            ({"scope": Membership.Scope.STATIONS, "stations": [world["a1"], world["a2"]]}, "stations"),
        ):
            with pytest.raises(ValidationError) as refused:
                services.membership_invite(
                    actor=world["local"],
                    email="new@a.example",
                    full_name="Neu",
                    role=world["viewer_role"],
                    base_url=BASE,
                    **kwargs,
                )
            assert _refused_field(refused) == {field}
        assert not Membership.objects.filter(user__email="new@a.example").exists()
        membership = services.membership_invite(
            actor=world["local"],
            email="new@a.example",
            full_name="Neu",
            role=world["viewer_role"],
            scope=Membership.Scope.STATIONS,
            stations=[world["a1"]],
            base_url=BASE,
        )
    assert membership.station_ids == {world["a1"].pk}


def test_inviting_an_existing_member_does_not_overwrite_their_role(world):
    """Otherwise a user manager could demote (or re-scope) an administrator by inviting them."""
    admin = world["admin"]
    with scope(organization=world["org"]), pytest.raises(ValidationError) as refused:
        services.membership_invite(
            actor=world["manager"],
            email=admin.user.email.upper(),
            full_name="Admin",
            role=world["viewer_role"],
            base_url=BASE,
        )
    assert _refused_field(refused) == {"email"}
    admin.refresh_from_db()
    assert admin.role_id == world["admin_role"].pk


def test_nobody_removes_their_own_administration_rights(world):
    admin = world["admin"]
    with scope(organization=world["org"]):
        with pytest.raises(ValidationError) as deactivated:
            services.membership_update(
                actor=admin, membership=admin, role=world["admin_role"], scope=Membership.Scope.ALL, is_active=False
            )
        with pytest.raises(ValidationError) as demoted:
            services.membership_update(
                actor=admin, membership=admin, role=world["viewer_role"], scope=Membership.Scope.ALL
            )
    assert deactivated.value.code == demoted.value.code == "own_rights"
    admin.refresh_from_db()
    assert admin.is_active and admin.role_id == world["admin_role"].pk


def test_memberships_beyond_the_actor_are_not_changed(world):
    with scope(organization=world["org"]):
        # The administrator holds more than the manager: not theirs to change.
        with pytest.raises(PermissionDenied):
            services.membership_update(
                actor=world["manager"],
                membership=world["admin"],
                role=world["viewer_role"],
                scope=Membership.Scope.ALL,
            )
        # Promoting someone to a role beyond one's own.
        with pytest.raises(ValidationError) as refused:
            services.membership_update(
                actor=world["manager"],
                membership=world["viewer"],
                role=world["admin_role"],
                scope=Membership.Scope.ALL,
            )
        assert _refused_field(refused) == {"role"}
        # Widening a member's stations beyond the actor's own.
        with pytest.raises(ValidationError):
            services.membership_update(
                actor=world["local"],
                membership=world["viewer"],
                role=world["viewer_role"],
                scope=Membership.Scope.ALL,
            )
    with scopes_disabled():
        assert Membership.objects.get(pk=world["admin"].pk).role_id == world["admin_role"].pk
        viewer = Membership.objects.get(pk=world["viewer"].pk)
    assert viewer.role_id == world["viewer_role"].pk and viewer.scope == Membership.Scope.STATIONS


def test_station_leads_are_made_only_for_stations_one_may_edit_oneself(world):
    """Making someone a station lead hands out the right to edit the station."""
    viewer = world["viewer"]
    with scope(organization=world["org"]):
        with pytest.raises(ValidationError) as refused:
            services.membership_update(
                actor=world["manager"],
                membership=viewer,
                role=world["viewer_role"],
                scope=Membership.Scope.STATIONS,
                stations=[world["a1"]],
                managed_stations=[world["a1"]],
            )
        assert _refused_field(refused) == {"managed_stations"}
        assert stations_managed_by(membership=viewer) == []
        services.membership_update(
            actor=world["admin"],
            membership=viewer,
            role=world["viewer_role"],
            scope=Membership.Scope.STATIONS,
            stations=[world["a1"]],
            managed_stations=[world["a1"]],
        )
    assert viewer.user.has_perm(MANAGE_STATION, world["a1"])


def test_station_and_region_writes_need_the_rights(world):
    org = world["org"]
    with scope(organization=org):
        station = Station.objects.get(pk=world["a1"].pk)
        station.name = "Übernommen"
        with pytest.raises(PermissionDenied):
            services.station_save(actor=world["staff"], station=station, opening_hours=[], exceptions=[])
        with pytest.raises(PermissionDenied):
            services.station_save(
                actor=world["staff"], station=Station(name="Neu", code="N1"), opening_hours=[], exceptions=[]
            )
        with pytest.raises(PermissionDenied):
            services.station_save(actor=world["admin_b"], station=station, opening_hours=[], exceptions=[])
        with pytest.raises(PermissionDenied):
            services.region_save(actor=world["staff"], region=Region(name="Nord"))
        with pytest.raises(PermissionDenied):
            services.region_delete(actor=world["admin_b"], region=world["region"])
        assert Station.objects.get(pk=world["a1"].pk).name == "A1 München"
        assert not Station.objects.filter(code="N1").exists() and Region.objects.filter(pk=world["region"].pk).exists()


def test_regions_are_not_reshaped_by_station_limited_members(world, org_a):
    with scopes_disabled():
        Role.objects.filter(pk=world["manager_role"].pk).update(permissions=["users.manage", "stations.manage"])
    local = membership_of(world["local"].user, org_a)
    with scope(organization=org_a), pytest.raises(PermissionDenied):
        services.region_save(actor=local, region=Region(name="Nord"))
    with scopes_disabled():
        assert not Region.objects.filter(name="Nord").exists()


def test_organization_settings_and_email_texts_need_the_rights(world):
    org = world["org"]
    with scope(organization=org):
        org.name = "Übernommen"
        with pytest.raises(PermissionDenied):
            services.organization_settings_save(actor=world["manager"], organization=org)
        with pytest.raises(PermissionDenied):
            services.organization_settings_save(actor=world["admin_b"], organization=org)
        with scopes_disabled():
            Role.objects.filter(pk=world["viewer_role"].pk).update(permissions=["templates.manage"])
        editor = membership_of(world["viewer"].user, org)
        # Texts carrying access links are for user managers only.
        with pytest.raises(PermissionDenied):
            services.message_template_save(
                actor=editor, key="staff_invitation", language="de", subject="Hallo", body_text="{link}"
            )
        with pytest.raises(PermissionDenied):
            services.message_template_reset(actor=world["staff"], key="staff_invitation", language="de")
    org.refresh_from_db()
    assert org.name == "Autohaus A"

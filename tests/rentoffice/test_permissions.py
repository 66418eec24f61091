"""Per-app permission declarations and the post-migrate sync of default roles."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django_scopes import scopes_disabled

from rentoffice import permissions
from rentoffice.models import DefaultGrant, Organization, Role
from rentoffice.planned_app_permissions import PLANNED_APPS
from tests.conftest import make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    """Declarations a test adds are taken back afterwards."""
    saved = dict(permissions._declarations)
    yield permissions
    permissions._declarations.clear()
    permissions._declarations.update(saved)
    permissions._rebuild()


def roles_of(org) -> dict[str, list[str]]:
    with scopes_disabled():
        return {r.key: sorted(r.permissions) for r in Role.objects.filter(organization=org)}


def test_no_app_permission_in_core_catalogue():
    core = next(d for d in permissions.declarations() if d.app == permissions.CORE)
    app_areas = {"customers", "vehicles", *PLANNED_APPS}
    assert not [k for k in core.permissions if k.split(".")[0] in app_areas]
    assert permissions.owner_of("customers.view") == "customers"
    assert permissions.owner_of("vehicles.groups") == "vehicles"
    assert permissions.owner_of("contracts.view") == "contracts"
    assert permissions.owner_of("cases.sales_only") == "cases"
    assert {"cases.sales_only"} == permissions.RESTRICTIONS


def test_planned_apps_are_not_installed_apps():
    # An arrived app moves its declarations from rentoffice/planned_app_permissions.py to its own module.
    assert not [label for label in PLANNED_APPS if apps.is_installed(label)]


def test_migrated_database_has_offered_every_declared_grant():
    """The grants table frozen in the migration matches the declarations: a deployment adds nothing."""
    offered = set(DefaultGrant.objects.values_list("role_key", "permission"))
    assert offered == permissions.default_grants()
    assert permissions.sync_default_roles() == {}


def test_sync_keeps_existing_roles_exactly(org_a):
    with scopes_disabled():
        staff = Role.objects.get(organization=org_a, key="station_staff")
        staff.permissions = [p for p in staff.permissions if p != "contracts.change"]  # an admin took it away
        staff.save()
    before = roles_of(org_a)
    call_command("migrate", verbosity=0)  # post_migrate runs the sync
    assert roles_of(org_a) == before


def test_new_grant_reaches_existing_organizations_once(registry, org_a, org_b):
    registry.declare(
        "tyres",
        {"tyres.view": "View tyres", "tyres.change": "Change tyres"},
        grants={"station_staff": {"tyres.view"}, "auditor": {"tyres.view"}},
    )
    untouched = {k: v for k, v in roles_of(org_a).items() if k not in {"station_staff", "auditor", "administrator"}}
    offered = registry.sync_default_roles()
    assert offered == {
        "administrator": ["tyres.change", "tyres.view"],
        "auditor": ["tyres.view"],
        "station_staff": ["tyres.view"],
    }
    for org in (org_a, org_b):
        roles = roles_of(org)
        assert "tyres.view" in roles["station_staff"]
        assert "tyres.change" not in roles["station_staff"]
        assert {"tyres.view", "tyres.change"} <= set(roles["administrator"])
    assert {k: v for k, v in roles_of(org_a).items() if k in untouched} == untouched

    # An admin removes it again: the next deployment does not give it back.
    with scopes_disabled():
        staff = Role.objects.get(organization=org_a, key="station_staff")
        staff.permissions = [p for p in staff.permissions if p != "tyres.view"]
        staff.save()
    call_command("migrate", verbosity=0)
    assert "tyres.view" not in roles_of(org_a)["station_staff"]
    assert "tyres.view" in roles_of(org_b)["station_staff"]


def test_new_organization_gets_declared_grants(registry, db):
    registry.declare("tyres", {"tyres.view": "View tyres"}, grants={"technician": {"tyres.view"}})
    registry.sync_default_roles()
    org, _admin = make_org("org-c", "Autohaus C", "ORGC", "admin@c.example")
    assert roles_of(org)["technician"] == ["cases.capture", "tyres.view"]
    assert Organization.objects.filter(slug="org-c").exists()


@pytest.mark.parametrize(
    ("app", "declared", "grants", "message"),
    [
        ("customers", {"customers.export": "x"}, {}, "declared twice"),
        ("tyres", {"vehicles.tyres": "x"}, {}, "not in its area"),
        ("tyres", {"tyres.view": "x"}, {"mechanic": {"tyres.view"}}, "unknown default role"),
        ("tyres", {"tyres.view": "x"}, {"sales": {"tyres.change"}}, "does not declare"),
    ],
)
def test_declarations_are_checked(registry, app, declared, grants, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        registry.declare(app, declared, grants=grants)


def test_role_editor_lists_app_permissions(client_admin_a, org_a):
    from django.urls import reverse

    with scopes_disabled():
        role = Role.objects.get(organization=org_a, key="auditor")
    response = client_admin_a.get(reverse("role_edit", kwargs={"org_slug": org_a.slug, "pk": role.pk}))
    assert response.status_code == 200
    for key in ("customers.delete", "vehicles.km_override", "contracts.change", "cases.capture", "users.manage"):
        assert f'value="{key}"' in response.content.decode()

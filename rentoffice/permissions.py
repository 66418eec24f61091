"""Permissions: core's own catalogue, the default roles, and what every app declares for itself.

Permissions are plain strings ("<area>.<action>"). A role is a named set of them per organization;
admins edit the sets in the UI. Core declares only its own permissions and the default roles'
names; every app declares its permissions and what the default roles get of them in
`<app>/permissions.py` by calling `declare()` (imported in its `AppConfig.ready()`). Apps that do
not exist yet are declared in `rentoffice/planned_app_permissions.py` under their future label;
the app moves its block to its own module when it arrives (declaring a key twice raises).

New grants reach existing organizations through `sync_default_roles`, run after every `migrate`:
a grant (role key, permission) is added to every organization's role with that key **once**; the
`DefaultGrant` table remembers what was offered, so a permission an admin took away from a role
is not given back by the next deployment. No data migration per app permission is needed.

`PERMISSIONS`, `ALL`, `RESTRICTIONS` and `DEFAULT_ROLES` are filled in place as apps declare, so
code that imported them keeps seeing the whole catalogue once the apps are ready.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

CORE = "rentoffice"

# Default roles: key → name. Apps grant their permissions to these keys; the administrator gets
# every permission that is not a restriction without being named.
ROLE_NAMES: dict[str, object] = {
    "administrator": _("Administrator"),
    "station_staff": _("Station staff"),
    "dealer_manager": _("Dealer manager"),
    "back_office": _("Back office"),
    "sales": _("Sales"),
    "technician": _("Technician"),
    "auditor": _("Auditor"),
}
ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class Declaration:
    app: str
    permissions: Mapping[str, object]
    grants: Mapping[str, frozenset[str]]
    restrictions: frozenset[str]
    planned: bool


_declarations: dict[str, Declaration] = {}

PERMISSIONS: dict[str, object] = {}
ALL: set[str] = set()
# Permissions that narrow what a role may do rather than grant something.
RESTRICTIONS: set[str] = set()
DEFAULT_ROLES: dict[str, tuple[object, set[str]]] = {key: (name, set()) for key, name in ROLE_NAMES.items()}


def declare(
    app: str,
    permissions: Mapping[str, object],
    *,
    grants: Mapping[str, Iterable[str]] | None = None,
    restrictions: Iterable[str] = (),
    planned: bool = False,
) -> None:
    """An app's permissions (key → label), which default roles get which of them, and which of
    them are restrictions. An app declares only keys of its own area (`<app>.`)."""
    if app in _declarations:
        raise ImproperlyConfigured(f"permissions of {app!r} are declared twice")
    grants = {role: frozenset(keys) for role, keys in (grants or {}).items()}
    restrictions = frozenset(restrictions)
    for key in permissions:
        if app != CORE and not key.startswith(f"{app}."):
            raise ImproperlyConfigured(f"{app!r} declares {key!r}, which is not in its area ({app}.*)")
        owner = next((d.app for d in _declarations.values() if key in d.permissions), None)
        if owner:
            raise ImproperlyConfigured(f"{key!r} is declared by {owner!r} and again by {app!r}")
    for role, keys in grants.items():
        if role not in ROLE_NAMES:
            raise ImproperlyConfigured(f"{app!r} grants to unknown default role {role!r}")
        if not keys <= set(permissions):
            raise ImproperlyConfigured(
                f"{app!r} grants permissions it does not declare: {sorted(keys - set(permissions))}"
            )
    if not restrictions <= set(permissions):
        raise ImproperlyConfigured(f"{app!r} marks undeclared permissions as restrictions")
    _declarations[app] = Declaration(app, dict(permissions), grants, restrictions, planned)
    _rebuild()


def declarations() -> list[Declaration]:
    """Core first, then apps in the order they declared, then planned apps."""
    return sorted(_declarations.values(), key=lambda d: (d.app != CORE, d.planned))


def _rebuild() -> None:
    PERMISSIONS.clear()
    RESTRICTIONS.clear()
    grants: dict[str, set[str]] = defaultdict(set)
    for declaration in declarations():
        PERMISSIONS.update(declaration.permissions)
        RESTRICTIONS.update(declaration.restrictions)
        for role, keys in declaration.grants.items():
            grants[role] |= keys
    ALL.clear()
    ALL.update(PERMISSIONS)
    grants[ADMINISTRATOR] = ALL - RESTRICTIONS
    for key, (_name, keys) in DEFAULT_ROLES.items():
        keys.clear()
        keys.update(grants[key])


def owner_of(permission: str) -> str | None:
    return next((d.app for d in _declarations.values() if permission in d.permissions), None)


def default_grants() -> set[tuple[str, str]]:
    """Every (default role key, permission) the declarations give."""
    return {(key, permission) for key, (_name, keys) in DEFAULT_ROLES.items() for permission in keys}


def sync_default_roles(*, apps=None, using: str = "default", **_signal_kwargs) -> dict[str, list[str]]:
    """Add grants declared since the last run to every organization's default roles (once).

    Runs as a `post_migrate` receiver (`apps` is then the migration state) and can be called
    directly. Returns {role key: permissions newly offered}. Roles that exist keep every permission
    they have; a role key never offered before is created in every organization."""
    from django.apps import apps as global_apps
    from django.db import transaction
    from django_scopes import scopes_disabled

    apps = apps or global_apps
    try:
        Grant = apps.get_model("rentoffice", "DefaultGrant")
        Role = apps.get_model("rentoffice", "Role")
        Organization = apps.get_model("rentoffice", "Organization")
    except LookupError:  # migrated to a state before the grants table
        return {}
    with scopes_disabled(), transaction.atomic(using=using):
        offered = set(Grant._base_manager.using(using).values_list("role_key", "permission"))
        new = default_grants() - offered
        if not new:
            return {}
        per_role: dict[str, set[str]] = defaultdict(set)
        for key, permission in new:
            per_role[key].add(permission)
        known_roles = {key for key, _permission in offered}
        for key in per_role.keys() - known_roles:
            name = str(ROLE_NAMES[key])
            for organization_id in Organization._base_manager.using(using).values_list("pk", flat=True):
                Role._base_manager.using(using).get_or_create(
                    organization_id=organization_id, key=key, defaults={"name": name, "permissions": []}
                )
        for role in Role._base_manager.using(using).select_for_update().filter(key__in=per_role):
            missing = per_role[role.key] - set(role.permissions)
            if missing:
                role.permissions = sorted({*role.permissions, *missing})
                role.save(update_fields=["permissions"])
        Grant._base_manager.using(using).bulk_create(
            [Grant(role_key=key, permission=permission) for key, permission in sorted(new)], ignore_conflicts=True
        )
    return {key: sorted(keys) for key, keys in per_role.items()}


declare(
    CORE,
    {
        "organization.manage": _("Edit organization settings"),
        "stations.manage": _("Manage stations and regions"),
        "users.manage": _("Manage users, memberships and roles"),
        "activity.view": _("View the activity log"),
        "messages.view": _("View sent messages"),
        "templates.manage": _("Edit e-mail templates"),
        # Statistics span every app (the overview page is core's), so core owns the permission.
        "statistics.view": _("View statistics"),
    },
    grants={
        "station_staff": {"activity.view", "messages.view"},
        "dealer_manager": {"statistics.view", "activity.view", "messages.view", "templates.manage"},
        "back_office": {"messages.view", "activity.view"},
        "auditor": {"statistics.view", "activity.view", "messages.view"},
    },
)

"""Who may do what: roles, memberships, invitations and station leads' object grants.

Every function acting for a person takes `actor: Membership` and enforces the rules itself (see
`rentoffice.authorization`): nobody hands out a permission, a role or a station they do not hold,
and nobody takes their own administration rights away.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditlog.models import LogEntry
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from . import selectors
from .authorization import check_grant_ceiling, require
from .models import Membership, Region, Role, Station, User
from .outbox import message_queue
from .permissions import ALL

MANAGE_STATION = "rentoffice.manage_station"
USERS_MANAGE = "users.manage"


class RoleInUse(Exception):
    pass


class InvitationNotPending(Exception):
    pass


def _check_role_name(actor: Membership, name: str, role: Role | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    taken = Role.objects.filter(organization=actor.organization, name__iexact=name)
    if role is not None:
        taken = taken.exclude(pk=role.pk)
    if taken.exists():
        raise ValidationError({"name": _("There is already a role with this name.")})
    return name


def _require_role_editable(actor: Membership, role: Role) -> None:
    require(actor, USERS_MANAGE, organization_id=role.organization_id)
    if role.pk not in selectors.grantable_role_ids(membership=actor):
        raise PermissionDenied  # a role stronger than one's own is not edited or deleted by them


@transaction.atomic
def role_create(*, actor: Membership, name: str, permissions: Iterable[str]) -> Role:
    require(actor, USERS_MANAGE)
    permissions = set(permissions) & ALL
    check_grant_ceiling(actor, permissions)
    name = _check_role_name(actor, name)
    organization = actor.organization
    base = slugify(name)[:40] or "role"
    key, n = base, 1
    while Role.objects.filter(organization=organization, key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return Role.objects.create(organization=organization, key=key, name=name, permissions=sorted(permissions))


@transaction.atomic
def role_update(*, actor: Membership, role: Role, name: str, permissions: Iterable[str]) -> Role:
    _require_role_editable(actor, role)
    permissions = set(permissions) & ALL
    check_grant_ceiling(actor, permissions)
    name = _check_role_name(actor, name, role)
    if role.pk == actor.role_id and USERS_MANAGE not in permissions:
        raise ValidationError({"permissions": _("You cannot remove user management from your own role.")})
    role.name = name
    role.permissions = sorted(permissions)
    role.save()
    return role


@transaction.atomic
def role_delete(*, actor: Membership, role: Role) -> None:
    """Only unused roles go; the administrator role always stays so an organization can be managed."""
    _require_role_editable(actor, role)
    if role.key == "administrator":
        raise RoleInUse(_("The administrator role cannot be deleted."))
    if role.memberships.exists():
        raise RoleInUse(_("The role is still assigned to users. Give them another role first."))
    role.delete()


def _password_set_link(user: User, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return base_url.rstrip("/") + reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def _check_access_ceiling(
    actor: Membership, *, role: Role, scope: str, regions: list[Region], stations: list[Station]
) -> None:
    """The role and station scope handed out lie within the actor's own."""
    if role.organization_id != actor.organization_id or role.pk not in selectors.grantable_role_ids(membership=actor):
        raise ValidationError({"role": _("You cannot give a role with permissions you do not hold yourself.")})
    handed_out: list[Region | Station] = [*regions, *stations]
    foreign = [o for o in handed_out if o.organization_id != actor.organization_id]
    if foreign:
        raise PermissionDenied
    own = actor.station_ids
    if own is None:
        return
    # Someone limited to some stations can only give access to those stations.
    if scope != Membership.Scope.STATIONS:
        raise ValidationError({"scope": _("You can only give access to stations you cover yourself.")})
    outside = sorted(s.name for s in stations if s.pk not in own)
    if outside:
        raise ValidationError(
            {"stations": _("Outside your own station scope: %(names)s") % {"names": ", ".join(outside)}}
        )


def _check_scope_given(scope: str, regions: list[Region], stations: list[Station]) -> None:
    if scope not in Membership.Scope.values:
        raise ValidationError({"scope": _("Choose a valid station scope.")})
    if scope == Membership.Scope.REGIONS and not regions:
        raise ValidationError({"regions": _("Choose at least one region.")})
    if scope == Membership.Scope.STATIONS and not stations:
        raise ValidationError({"stations": _("Choose at least one station.")})


@transaction.atomic
def membership_invite(
    *,
    actor: Membership,
    email: str,
    full_name: str,
    role: Role,
    scope: str = Membership.Scope.ALL,
    regions: Iterable[Region] = (),
    stations: Iterable[Station] = (),
    language: str = "de",
    base_url: str,
) -> Membership:
    """Give a person access to the actor's organization; new users get an e-mail to set their password."""
    require(actor, USERS_MANAGE)
    regions, stations = list(regions), list(stations)
    _check_scope_given(scope, regions, stations)
    _check_access_ceiling(actor, role=role, scope=scope, regions=regions, stations=stations)
    organization = actor.organization
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        # Re-inviting would silently overwrite the role of someone the actor may not manage.
        raise ValidationError({"email": _("This person is already a member of the organization.")})
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, None, full_name=full_name, language=language)
    membership = Membership.objects.create(user=user, organization=organization, role=role, scope=scope, is_active=True)
    membership.regions.set(regions if scope == Membership.Scope.REGIONS else [])
    membership.stations.set(stations if scope == Membership.Scope.STATIONS else [])
    _send_access_message(membership=membership, actor=actor.user, base_url=base_url)
    return membership


def invitation_pending(user: User) -> bool:
    """Invited, but has never set a password (nor logged in)."""
    return not user.has_usable_password() and user.last_login is None


def _send_access_message(*, membership: Membership, actor: User, base_url: str) -> None:
    user = membership.user
    pending = invitation_pending(user)
    message_queue(
        organization=membership.organization,
        recipient=user.email,
        template="staff_invitation" if pending else "staff_membership_added",
        language=user.language,
        related=membership,
        context={
            "user": user,
            "actor": actor,
            "link": _password_set_link(user, base_url) if pending else base_url.rstrip("/") + "/",
        },
    )


def _require_manageable(actor: Membership, membership: Membership) -> None:
    """Only memberships the actor could have granted (role and stations within their own)."""
    require(actor, USERS_MANAGE, organization_id=membership.organization_id)
    if not selectors.memberships_for(membership=actor).filter(pk=membership.pk).exists():
        raise PermissionDenied


@transaction.atomic
def membership_invitation_resend(*, actor: Membership, membership: Membership, base_url: str) -> None:
    """A new set-password link for someone whose invitation expired or got lost."""
    _require_manageable(actor, membership)
    if not invitation_pending(membership.user):
        raise InvitationNotPending(_("This person has already set a password."))
    _send_access_message(membership=membership, actor=actor.user, base_url=base_url)


def _scope_station_ids(scope: str, regions: list[Region], stations: list[Station]) -> set[int] | None:
    if scope == Membership.Scope.STATIONS:
        return {s.pk for s in stations}
    if scope == Membership.Scope.REGIONS:
        with scopes_disabled():
            return set(Station.objects.filter(region__in=regions).values_list("pk", flat=True))
    return None


@transaction.atomic
def membership_update(
    *,
    actor: Membership,
    membership: Membership,
    role: Role,
    scope: str,
    regions: Iterable[Region] = (),
    stations: Iterable[Station] = (),
    is_active: bool = True,
    managed_stations: Iterable[Station] | None = None,
) -> Membership:
    _require_manageable(actor, membership)
    regions, stations = list(regions), list(stations)
    _check_scope_given(scope, regions, stations)
    _check_access_ceiling(actor, role=role, scope=scope, regions=regions, stations=stations)
    if membership.pk == actor.pk and (not is_active or USERS_MANAGE not in role.permissions):
        raise ValidationError(_("You cannot remove your own administration rights."), code="own_rights")
    if managed_stations is not None:
        managed_stations = list(managed_stations)
        allowed = _scope_station_ids(scope, regions, stations)
        outside = sorted(s.name for s in managed_stations if allowed is not None and s.pk not in allowed)
        if outside:
            raise ValidationError(
                {
                    "managed_stations": _("Outside this person's station scope: %(names)s")
                    % {"names": ", ".join(outside)}
                }
            )
        before = {s.pk for s in stations_managed_by(membership=membership)}
        added = [s for s in managed_stations if s.pk not in before]
        beyond = sorted(s.name for s in added if not station_manageable(membership=actor, station=s))
        if beyond:
            # Making someone a station lead is handing out a right: only for stations one leads oneself.
            raise ValidationError(
                {"managed_stations": _("Outside your own station scope: %(names)s") % {"names": ", ".join(beyond)}}
            )
    membership.role = role
    membership.scope = scope
    membership.is_active = is_active
    membership.save()
    membership.regions.set(regions if scope == Membership.Scope.REGIONS else [])
    membership.stations.set(stations if scope == Membership.Scope.STATIONS else [])
    if managed_stations is not None:
        _station_managers_set(membership=membership, stations=managed_stations)
    return membership


def _station_managers_set(*, membership: Membership, stations: Iterable[Station]) -> None:
    """Object grants (django-guardian): which stations of the organization this member may edit."""
    wanted = {s.pk for s in stations}
    before = sorted(s.name for s in stations_managed_by(membership=membership))
    with scopes_disabled():
        for station in Station.objects.filter(organization=membership.organization):
            if station.pk in wanted:
                assign_perm(MANAGE_STATION, membership.user, station)
            else:
                remove_perm(MANAGE_STATION, membership.user, station)
    after = sorted(s.name for s in stations_managed_by(membership=membership))
    if before != after:
        LogEntry.objects.log_create(
            membership,
            action=LogEntry.Action.UPDATE,
            changes={"managed_stations": [before, after]},  # names as data, see rentoffice.audit
        )


def stations_managed_by(*, membership: Membership) -> list[Station]:
    with scopes_disabled():
        stations = Station.objects.filter(organization=membership.organization)
        return list(
            get_objects_for_user(
                membership.user, MANAGE_STATION, klass=stations, with_superuser=False, accept_global_perms=False
            )
        )


def station_manageable(*, membership: Membership, station: Station) -> bool:
    if not membership.is_active or not membership.covers_station(station.pk):
        return False
    return membership.has_perm("stations.manage") or membership.user.has_perm(MANAGE_STATION, station)

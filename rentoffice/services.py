"""Use cases of the core: organizations, roles, memberships, stations, number sequences."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from auditlog.models import LogEntry
from django.contrib.auth.tokens import default_token_generator
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from .models import (
    Membership,
    NumberSequence,
    OpeningException,
    OpeningHours,
    Organization,
    Region,
    Role,
    Station,
    User,
)
from .outbox import message_queue
from .permissions import ALL, DEFAULT_ROLES

MANAGE_STATION = "rentoffice.manage_station"


def sequence_next(*, organization: Organization, name: str) -> int:
    """Next number of a per-organization sequence. The row lock is held until commit, so numbers
    stay gapless: a rolled-back transaction gives its number back."""
    NumberSequence.objects.get_or_create(organization=organization, name=name)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE rentoffice_numbersequence SET last_value = last_value + 1 "
            "WHERE organization_id = %s AND name = %s RETURNING last_value",
            [organization.pk, name],
        )
        return cursor.fetchone()[0]


@transaction.atomic
def roles_ensure_defaults(*, organization: Organization) -> dict[str, Role]:
    roles = {}
    for key, (name, permissions) in DEFAULT_ROLES.items():
        role, _ = Role.objects.get_or_create(
            organization=organization, key=key, defaults={"name": str(name), "permissions": sorted(permissions)}
        )
        roles[key] = role
    return roles


@transaction.atomic
def organization_create(
    *,
    name: str,
    slug: str,
    operator_code: str,
    admin_email: str,
    admin_name: str,
    admin_password: str | None = None,
    **fields,
) -> tuple[Organization, User]:
    """A new tenant with its default roles and a first administrator."""
    with scopes_disabled():
        organization = Organization(name=name, slug=slug, operator_code=operator_code.strip().upper(), **fields)
        organization.full_clean()
        organization.save()
        roles = roles_ensure_defaults(organization=organization)
        user = User.objects.filter(email__iexact=admin_email).first()
        if user is None:
            user = User.objects.create_user(admin_email, admin_password, full_name=admin_name)
        Membership.objects.create(user=user, organization=organization, role=roles["administrator"])
    return organization, user


@transaction.atomic
def role_update(*, role: Role, name: str, permissions: Iterable[str]) -> Role:
    role.name = name
    role.permissions = sorted(set(permissions) & ALL)
    role.save()
    return role


class RoleInUse(Exception):
    pass


@transaction.atomic
def role_create(*, organization: Organization, name: str, permissions: Iterable[str]) -> Role:
    base = slugify(name)[:40] or "role"
    key, n = base, 1
    while Role.objects.filter(organization=organization, key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return Role.objects.create(
        organization=organization, key=key, name=name, permissions=sorted(set(permissions) & ALL)
    )


@transaction.atomic
def role_delete(*, role: Role) -> None:
    """Only unused roles go; the administrator role always stays so an organization can be managed."""
    if role.key == "administrator":
        raise RoleInUse(_("The administrator role cannot be deleted."))
    if role.memberships.exists():
        raise RoleInUse(_("The role is still assigned to users. Give them another role first."))
    role.delete()


class RegionInUse(Exception):
    pass


@transaction.atomic
def region_delete(*, region: Region) -> None:
    if region.memberships.exists():
        raise RegionInUse(_("Users are scoped to this region. Change their station scope first."))
    region.delete()


def _password_set_link(user: User, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return base_url.rstrip("/") + reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})


@transaction.atomic
def membership_invite(
    *,
    organization: Organization,
    actor: User,
    email: str,
    full_name: str,
    role: Role,
    scope: str = Membership.Scope.ALL,
    regions: Iterable[Region] = (),
    stations: Iterable[Station] = (),
    language: str = "de",
    base_url: str,
) -> Membership:
    """Give a person access to the organization; new users get an e-mail to set their password."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, None, full_name=full_name, language=language)
    membership, _ = Membership.objects.update_or_create(
        user=user, organization=organization, defaults={"role": role, "scope": scope, "is_active": True}
    )
    membership.regions.set(regions)
    membership.stations.set(stations)
    _send_access_message(membership=membership, actor=actor, base_url=base_url)
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


class InvitationNotPending(Exception):
    pass


@transaction.atomic
def membership_invitation_resend(*, membership: Membership, actor: User, base_url: str) -> None:
    """A new set-password link for someone whose invitation expired or got lost."""
    if not invitation_pending(membership.user):
        raise InvitationNotPending(_("This person has already set a password."))
    _send_access_message(membership=membership, actor=actor, base_url=base_url)


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    role: Role,
    scope: str,
    regions: Iterable[Region] = (),
    stations: Iterable[Station] = (),
    is_active: bool = True,
    managed_stations: Iterable[Station] | None = None,
) -> Membership:
    membership.role = role
    membership.scope = scope
    membership.is_active = is_active
    membership.save()
    membership.regions.set(regions if scope == Membership.Scope.REGIONS else [])
    membership.stations.set(stations if scope == Membership.Scope.STATIONS else [])
    if managed_stations is not None:
        station_managers_set(membership=membership, stations=managed_stations)
    return membership


def station_managers_set(*, membership: Membership, stations: Iterable[Station]) -> None:
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
    return membership.has_perm("stations.manage") or membership.user.has_perm(MANAGE_STATION, station)


@transaction.atomic
def station_save(
    *,
    station: Station,
    opening_hours: Iterable[tuple[int, dt.time, dt.time]],
    exceptions: Iterable[dict],
) -> Station:
    """Save a station with its weekly hours and its exceptions from today on (past ones are kept).

    Hours and exceptions are rows of their own; what changed is written to the station's activity
    log as one readable entry.
    """
    is_new = station.pk is None
    before = None if is_new else _hours_summary(station)
    station.full_clean()
    station.save()
    today = timezone.localdate()
    station.opening_hours.all().delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(station=station, weekday=weekday, opens=opens, closes=closes)
        for weekday, opens, closes in opening_hours
    )
    station.opening_exceptions.filter(date__gte=today).delete()
    OpeningException.objects.bulk_create(
        OpeningException(station=station, **exc) for exc in exceptions if exc["date"] >= today
    )
    after = _hours_summary(station)
    changes = {
        key: [before[key] if before else [], after[key]] for key in after if not before or before[key] != after[key]
    }
    if changes and not (is_new and not any(after.values())):
        LogEntry.objects.log_create(station, action=LogEntry.Action.UPDATE, changes=changes)
    return station


def _hours_summary(station: Station) -> dict[str, list]:
    from .audit import opening_hours_state

    return opening_hours_state(station)

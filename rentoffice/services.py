"""Use cases of the core: organizations, regions, stations, number sequences, e-mail texts.

Roles, memberships and station leads are in `services_access` (re-exported here). Functions acting
for a person take `actor: Membership` and check that person's rights (`rentoffice.authorization`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from auditlog.models import LogEntry
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from . import message_templates
from .authorization import require, require_all_stations, require_station
from .images import ProcessedImage
from .models import (
    Brand,
    Membership,
    MessageTemplate,
    NumberSequence,
    OpeningException,
    OpeningHours,
    Organization,
    Region,
    Role,
    Station,
    User,
)
from .permissions import DEFAULT_ROLES
from .services_access import (
    MANAGE_STATION,
    InvitationNotPending,
    RoleInUse,
    invitation_pending,
    membership_invitation_resend,
    membership_invite,
    membership_update,
    role_create,
    role_delete,
    role_update,
    station_manageable,
    stations_managed_by,
)

__all__ = [
    "MANAGE_STATION",
    "InvitationNotPending",
    "RegionInUse",
    "RoleInUse",
    "invitation_pending",
    "membership_invitation_resend",
    "membership_invite",
    "membership_update",
    "message_template_reset",
    "message_template_save",
    "organization_create",
    "organization_settings_save",
    "region_delete",
    "region_save",
    "role_create",
    "role_delete",
    "role_update",
    "roles_ensure_defaults",
    "sequence_next",
    "station_manageable",
    "station_save",
    "stations_managed_by",
]


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
def organization_settings_save(
    *, actor: Membership, organization: Organization, logo: ProcessedImage | None = None
) -> Organization:
    """Save the organization's settings; a new logo (cleaned by the image pipeline) replaces the old.

    The old file is deleted only after the transaction has committed, so a failed save keeps it.
    """
    require(actor, "organization.manage", organization_id=organization.pk)
    organization.full_clean()
    storage = organization.logo.storage
    old_logo, new_logo = organization.logo.name, None
    if logo is not None:
        # Re-encoded by the image pipeline: no metadata, no hidden content.
        organization.logo.save("logo.jpg", logo.content_file(), save=False)
        new_logo = organization.logo.name
    try:
        with transaction.atomic():
            organization.save()
    except Exception as exc:
        if new_logo:
            storage.delete(new_logo)  # the row still names the old logo
            organization.logo.name = old_logo
        if isinstance(exc, IntegrityError):  # the operator code was taken by a concurrent request
            organization.validate_unique()
        raise
    if new_logo and old_logo:
        transaction.on_commit(lambda: storage.delete(old_logo))
    return organization


class RegionInUse(Exception):
    pass


@transaction.atomic
def region_save(*, actor: Membership, region: Region) -> Region:
    require(actor, "stations.manage")
    require_all_stations(actor)
    if region.pk is None:
        region.organization = actor.organization
    elif region.organization_id != actor.organization_id:
        raise PermissionDenied
    region.full_clean()
    region.save()
    return region


@transaction.atomic
def region_delete(*, actor: Membership, region: Region) -> None:
    require(actor, "stations.manage", organization_id=region.organization_id)
    require_all_stations(actor)
    if region.memberships.exists():
        raise RegionInUse(_("Users are scoped to this region. Change their station scope first."))
    region.delete()


def _require_message_kind(actor: Membership, key: str, language: str) -> message_templates.MessageKind:
    require(actor, "templates.manage")
    kind = message_templates.kind_get(key)
    if kind is None:
        raise ValidationError(_("Unknown template."))
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError(_("Unknown language."))
    if not actor.has_perm(kind.permission):
        raise PermissionDenied  # texts carrying access links are for user managers only
    return kind


@transaction.atomic
def message_template_save(
    *, actor: Membership, key: str, language: str, subject: str, body_text: str
) -> MessageTemplate:
    """The organization's own text of a built-in e-mail in one language."""
    kind = _require_message_kind(actor, key, language)
    errors = {}
    for name, text in (("subject", subject), ("body_text", body_text)):
        unknown = message_templates.unknown_placeholders(kind, text or "")
        if unknown:
            errors[name] = _("Unknown placeholder: %(names)s") % {"names": ", ".join("{" + u + "}" for u in unknown)}
    if errors:
        raise ValidationError(errors)
    return message_templates.override_save(
        organization=actor.organization, key=key, language=language, subject=subject, body_text=body_text
    )


@transaction.atomic
def message_template_reset(*, actor: Membership, key: str, language: str) -> None:
    """Use the built-in text again."""
    _require_message_kind(actor, key, language)
    MessageTemplate.objects.filter(organization=actor.organization, template=key, language=language).delete()


@transaction.atomic
def station_save(
    *,
    actor: Membership,
    station: Station,
    opening_hours: Iterable[tuple[int, dt.time, dt.time]],
    exceptions: Iterable[dict],
    brands: Sequence[str] | None = None,
    main_brand: str = "",
) -> Station:
    """Save a station with its weekly hours and its exceptions from today on (past ones are kept),
    and its brands when given (None leaves them as they are).

    Hours and exceptions are rows of their own; what changed is written to the station's activity
    log as one readable entry.
    """
    is_new = station.pk is None
    if is_new:
        # A member limited to some stations may create one outside their scope (but not open it).
        require(actor, "stations.manage")
        station.organization = actor.organization
    else:
        require(actor, organization_id=station.organization_id)
        require_station(actor, station.pk)
        if not station_manageable(membership=actor, station=station):
            raise PermissionDenied
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
    if brands is not None:
        station_brands_set(station=station, names=brands, main=main_brand)
    after = _hours_summary(station)
    changes = {
        key: [before[key] if before else [], after[key]] for key in after if not before or before[key] != after[key]
    }
    if changes and not (is_new and not any(after.values())):
        LogEntry.objects.log_create(station, action=LogEntry.Action.UPDATE, changes=changes)
    return station


@transaction.atomic
def station_brands_set(*, station: Station, names: Sequence[str], main: str = "") -> list[Brand]:
    """A station's brands in this order, one of them main (`main`, else the first). Rows keep their
    identity by name, so cases pointing to a brand keep it; a brand still in use cannot go.

    Called by `station_save`, which checks the actor's rights."""
    cleaned: list[str] = []
    for name in names:
        name = " ".join(name.split())
        if len(name) > 60:
            raise ValidationError({"brands": _("A brand name has at most 60 characters: %(name)s") % {"name": name}})
        if name.casefold() in {n.casefold() for n in cleaned}:
            raise ValidationError({"brands": _("%(name)s is listed twice.") % {"name": name}})
        cleaned.append(name)
    main = " ".join(main.split())
    if main and main.casefold() not in {n.casefold() for n in cleaned}:
        raise ValidationError({"main_brand": _("The main brand must be one of the brands listed.")})
    main_name = next((n for n in cleaned if n.casefold() == main.casefold()), cleaned[0] if cleaned else "")
    existing = {b.name.casefold(): b for b in Brand.objects.filter(station=station)}
    for gone in [b for key, b in existing.items() if key not in {n.casefold() for n in cleaned}]:
        try:
            with transaction.atomic():
                gone.delete()
        except ProtectedError as exc:
            raise ValidationError(
                {"brands": _("%(name)s cannot be removed: dealer cases use it.") % {"name": gone.name}}
            ) from exc
    # Clear the main flag first: the one-main-brand constraint is checked row by row.
    Brand.objects.filter(station=station, is_main=True).update(is_main=False)
    result = []
    for position, name in enumerate(cleaned):
        brand = existing.get(name.casefold()) or Brand(organization_id=station.organization_id, station=station)
        brand.name, brand.position, brand.is_main = name, position, name == main_name
        brand.save()
        result.append(brand)
    return result


def _hours_summary(station: Station) -> dict[str, list]:
    from .audit import opening_hours_state

    return opening_hours_state(station)

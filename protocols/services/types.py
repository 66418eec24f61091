"""Protocol types and the organization's protocol settings (admins, `protocols.manage`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from rentoffice.authorization import require, require_all_stations
from rentoffice.models import Membership, Organization

from ..models import ProtocolKind, ProtocolSettings, ProtocolType, Register
from ..registers import SIGNED_KINDS, registers_check

MANAGE = "protocols.manage"

# The two types every organization has (names are the German trade terms the operators use).
BUILTINS: dict[str, tuple[str, str, list[str]]] = {
    ProtocolType.Builtin.CHECK_OUT: (
        "Übergabe",
        ProtocolKind.CHECK_OUT,
        [
            Register.KM_FUEL,
            Register.CLEANLINESS,
            Register.DAMAGE,
            Register.CONDITION,
            Register.NOTES,
            Register.SIGNATURE,
            Register.DISPATCH,
        ],
    ),
    ProtocolType.Builtin.CHECK_IN: (
        "Rücknahme",
        ProtocolKind.CHECK_IN,
        [
            Register.KM_FUEL,
            Register.CLEANLINESS,
            Register.DAMAGE,
            Register.CONDITION,
            Register.NOTES,
            Register.SIGNATURE,
            Register.DISPATCH,
        ],
    ),
}


def _require_manage(actor: Membership, organization_id: int) -> None:
    require(actor, MANAGE, organization_id=organization_id)
    # Types are organization-wide: members limited to some stations do not reshape them.
    require_all_stations(actor)


def protocol_settings_get(*, organization: Organization) -> ProtocolSettings:
    """The organization's settings; an unsaved row with the defaults when none was stored."""
    found = ProtocolSettings.objects.filter(organization=organization).first()
    return found or ProtocolSettings(organization=organization)


def _builtin_kept(actor: Membership, protocol_type: ProtocolType) -> None:
    """Built-in types keep what makes them built in: their kind, and being there."""
    if protocol_type.pk is None:
        if protocol_type.builtin:
            raise ValidationError(_("Built-in types are created by the system."))
        return
    stored = ProtocolType.objects.filter(pk=protocol_type.pk, organization_id=actor.organization_id).first()
    if stored is None:
        raise PermissionDenied
    protocol_type.builtin = stored.builtin
    if stored.builtin and protocol_type.kind != stored.kind:
        raise ValidationError({"kind": _("A built-in type keeps the kind it records.")})
    if stored.builtin and not protocol_type.active:
        raise ValidationError({"active": _("A built-in type cannot be deactivated; adapt its registers instead.")})


def _type_errors(actor: Membership, protocol_type: ProtocolType) -> dict[str, list[str]]:
    """Every problem of the type at once: name, fields, register rules."""
    errors: dict[str, list[str]] = {}
    taken = ProtocolType.objects.filter(organization_id=protocol_type.organization_id, name__iexact=protocol_type.name)
    if protocol_type.name and taken.exclude(pk=protocol_type.pk).exists():
        errors["name"] = [_("A protocol type of this name exists already.")]
    try:
        protocol_type.full_clean(exclude=["registers"], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    try:
        protocol_type.registers = registers_check(
            kind=protocol_type.kind,
            registers=list(protocol_type.registers or []),
            signatures_required=protocol_settings_get(organization=actor.organization).signatures_required,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    return errors


@transaction.atomic
def protocol_type_save(*, actor: Membership, protocol_type: ProtocolType) -> ProtocolType:
    """Create or change a type; its registers must follow the rules of protocols/registers.py."""
    if protocol_type.pk is None:
        protocol_type.organization_id = actor.organization_id
    _require_manage(actor, protocol_type.organization_id)
    _builtin_kept(actor, protocol_type)
    protocol_type.name = (protocol_type.name or "").strip()
    errors = _type_errors(actor, protocol_type)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            protocol_type.save()
    except IntegrityError as exc:  # the same name saved by a concurrent request
        raise ValidationError({"name": _("A protocol type of this name exists already.")}) from exc
    return protocol_type


@transaction.atomic
def protocol_type_delete(*, actor: Membership, protocol_type: ProtocolType) -> None:
    """Delete a type no protocol uses; built-in types are refused (adapt them instead)."""
    _require_manage(actor, protocol_type.organization_id)
    if protocol_type.builtin:
        raise ValidationError(
            _("%(name)s is a built-in type: it can be adapted but not deleted.") % {"name": protocol_type.name}
        )
    used = protocol_type.protocols.count()
    if used:
        raise ValidationError(
            _("%(name)s is used by %(count)s protocols and cannot be deleted; deactivate it instead.")
            % {"name": protocol_type.name, "count": used}
        )
    protocol_type.delete()


@transaction.atomic
def protocol_settings_save(*, actor: Membership, settings: ProtocolSettings) -> ProtocolSettings:
    """Store the settings; requiring signatures needs check-out/check-in types that ask for them."""
    settings.organization_id = settings.organization_id or actor.organization_id
    _require_manage(actor, settings.organization_id)
    stored = ProtocolSettings.objects.filter(organization_id=settings.organization_id).first()
    if stored is not None:
        settings.pk = stored.pk
    if settings.signatures_required:
        unsigned = [
            t.name
            for t in ProtocolType.objects.filter(organization_id=settings.organization_id, active=True).order_by("name")
            if t.kind in SIGNED_KINDS and Register.SIGNATURE not in t.registers
        ]
        if unsigned:
            raise ValidationError(
                {
                    "signatures_required": _(
                        "These check-out or check-in types have no signature register: %(names)s. "
                        "Add it to them first, or deactivate them."
                    )
                    % {"names": ", ".join(unsigned)}
                }
            )
    settings.full_clean(validate_unique=False)
    settings.save()
    return settings


def _free_name(organization: Organization, name: str) -> str:
    """A custom type may already carry the built-in name; the built-in one then gets a suffix."""
    candidate, n = name, 1
    while ProtocolType.objects.filter(organization=organization, name=candidate).exists():
        n += 1
        candidate = f"{name} ({n})"
    return candidate


@transaction.atomic
def builtin_types_ensure(*, organization: Organization) -> None:
    """Übergabe and Rücknahme exist in the organization (idempotent; adapted ones stay as they are)."""
    present = set(
        ProtocolType.objects.filter(organization=organization).exclude(builtin="").values_list("builtin", flat=True)
    )
    for builtin, (name, kind, registers) in BUILTINS.items():
        if builtin in present:
            continue
        ProtocolType.objects.create(
            organization=organization,
            name=_free_name(organization, name),
            kind=kind,
            builtin=builtin,
            registers=list(registers),
        )

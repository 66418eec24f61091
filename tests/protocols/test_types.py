"""Protocol types and settings through their services: built-ins in every organization, rules enforced,
built-ins adaptable but not deletable, rights."""

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django_scopes import scope, scopes_disabled

from protocols.models import ProtocolSettings, ProtocolType, Register
from protocols.services.capture import protocol_start
from protocols.services.types import (
    builtin_types_ensure,
    protocol_settings_get,
    protocol_settings_save,
    protocol_type_delete,
    protocol_type_save,
)
from tests.actors import admin_of, membership_of
from tests.protocols.conftest import record

pytestmark = pytest.mark.django_db
R = Register
INTERIM = [R.LONG_TERM, R.DAMAGE, R.DISPATCH]


def builtins(org):
    with scope(organization=org):
        return {t.builtin: t for t in ProtocolType.objects.filter(organization=org).exclude(builtin="")}


def test_a_new_organization_has_uebergabe_and_ruecknahme(org_a):
    types = builtins(org_a)
    assert types["check_out"].name == "Übergabe" and types["check_out"].kind == "check_out"
    assert types["check_in"].name == "Rücknahme" and types["check_in"].kind == "check_in"
    assert types["check_out"].registers[-1] == R.DISPATCH


def test_the_migration_gives_existing_organizations_their_builtins_once(org_a):
    with scopes_disabled():
        ProtocolType.objects.filter(organization=org_a).delete()
        ProtocolType.objects.create(organization=org_a, name="Übergabe", kind="interim", registers=INTERIM)
    migration = import_module("protocols.migrations.0002_builtin_types_and_immutability")
    migration.builtin_types(django_apps, connection.schema_editor())
    migration.builtin_types(django_apps, connection.schema_editor())
    types = builtins(org_a)
    assert types["check_out"].name == "Übergabe (2)"  # the custom type kept its name
    assert types["check_in"].name == "Rücknahme"
    with scope(organization=org_a):
        assert ProtocolType.objects.filter(organization=org_a).count() == 3


def test_builtin_types_ensure_is_idempotent_and_keeps_adapted_types(org_a):
    actor = admin_of(org_a)
    with scope(organization=org_a):
        check_out = ProtocolType.objects.get(organization=org_a, builtin="check_out")
        check_out.name = "Fahrzeugübergabe"
        check_out.registers = [R.KM_FUEL, R.SIGNATURE, R.DISPATCH]
        protocol_type_save(actor=actor, protocol_type=check_out)
        builtin_types_ensure(organization=org_a)
        assert ProtocolType.objects.filter(organization=org_a).count() == 2
        check_out.refresh_from_db()
        assert check_out.name == "Fahrzeugübergabe" and check_out.registers == [R.KM_FUEL, R.SIGNATURE, R.DISPATCH]


def test_a_custom_type_is_saved_when_its_registers_follow_the_rules(org_a):
    actor = admin_of(org_a)
    with scope(organization=org_a):
        saved = protocol_type_save(
            actor=actor,
            protocol_type=ProtocolType(
                name=" Langzeit-Meldung ", kind="interim", registers=INTERIM, usable_in_portal=True
            ),
        )
        assert saved.organization_id == org_a.pk and saved.name == "Langzeit-Meldung" and saved.builtin == ""
        with pytest.raises(ValidationError) as exc:
            protocol_type_save(
                actor=actor, protocol_type=ProtocolType(name="Kaputt", kind="interim", registers=[R.DISPATCH, R.NOTES])
            )
        assert "registers" in exc.value.message_dict
        assert not ProtocolType.objects.filter(name="Kaputt").exists()


def test_names_are_unique_and_required(org_a):
    actor = admin_of(org_a)
    with scope(organization=org_a):
        with pytest.raises(ValidationError) as exc:
            protocol_type_save(
                actor=actor, protocol_type=ProtocolType(name="Übergabe", kind="interim", registers=INTERIM)
            )
        assert exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            protocol_type_save(actor=actor, protocol_type=ProtocolType(name="  ", kind="", registers=INTERIM))
        assert {"name", "kind"} <= set(exc.value.message_dict)


def test_builtins_keep_their_kind_stay_active_and_cannot_be_deleted(org_a):
    actor = admin_of(org_a)
    with scope(organization=org_a):
        check_in = ProtocolType.objects.get(organization=org_a, builtin="check_in")
        check_in.kind = "interim"
        with pytest.raises(ValidationError) as exc:
            protocol_type_save(actor=actor, protocol_type=check_in)
        assert "kind" in exc.value.message_dict
        check_in.kind, check_in.active = "check_in", False
        with pytest.raises(ValidationError) as exc:
            protocol_type_save(actor=actor, protocol_type=check_in)
        assert "active" in exc.value.message_dict
        with pytest.raises(ValidationError):
            protocol_type_delete(actor=actor, protocol_type=check_in)
        assert ProtocolType.objects.filter(pk=check_in.pk).exists()


def test_a_type_in_use_cannot_be_deleted_an_unused_one_can(org_a, reserved):
    actor = admin_of(org_a)
    with scope(organization=org_a):
        spare = protocol_type_save(
            actor=actor, protocol_type=ProtocolType(name="Zwischen", kind="interim", registers=INTERIM)
        )
        used = protocol_type_save(
            actor=actor, protocol_type=ProtocolType(name="Meldung", kind="interim", registers=INTERIM)
        )
    record(reserved, "check_out")
    with scope(organization=org_a):
        protocol_start(actor=actor, contract=reserved, kind="interim", protocol_type=used)
        with pytest.raises(ValidationError) as exc:
            protocol_type_delete(actor=actor, protocol_type=used)
        assert "used by 1 protocols" in exc.value.messages[0]
        protocol_type_delete(actor=actor, protocol_type=spare)
        assert not ProtocolType.objects.filter(pk=spare.pk).exists()
        assert ProtocolType.objects.filter(pk=used.pk).exists()


def test_settings_default_without_a_row_and_refuse_requiring_signatures_types_lack(org_a):
    actor = admin_of(org_a)
    with scope(organization=org_a):
        assert protocol_settings_get(organization=org_a).signatures_required is True
        assert not ProtocolSettings.objects.filter(organization=org_a).exists()
        protocol_settings_save(actor=actor, settings=ProtocolSettings(organization=org_a, signatures_required=False))
        check_out = ProtocolType.objects.get(organization=org_a, builtin="check_out")
        check_out.registers = [R.KM_FUEL, R.DISPATCH]
        protocol_type_save(actor=actor, protocol_type=check_out)
        with pytest.raises(ValidationError) as exc:
            protocol_settings_save(actor=actor, settings=ProtocolSettings(organization=org_a, signatures_required=True))
        assert "Übergabe" in exc.value.message_dict["signatures_required"][0]
        assert protocol_settings_get(organization=org_a).signatures_required is False
        assert ProtocolSettings.objects.filter(organization=org_a).count() == 1


def test_only_managers_of_the_organization_change_types_and_settings(org_a, org_b, staff_a1, admin_b):
    with scope(organization=org_a):
        check_out = ProtocolType.objects.get(organization=org_a, builtin="check_out")
        for member in (membership_of(staff_a1, org_a), membership_of(admin_b, org_b)):
            with pytest.raises(PermissionDenied):
                protocol_type_save(actor=member, protocol_type=check_out)
            with pytest.raises(PermissionDenied):
                protocol_settings_save(actor=member, settings=ProtocolSettings(organization=org_a))
        other = ProtocolType(name="x", kind="interim", registers=INTERIM)
        with pytest.raises(PermissionDenied):
            protocol_type_save(actor=membership_of(staff_a1, org_a), protocol_type=other)
    with scope(organization=org_b), pytest.raises(PermissionDenied):
        # an id of another organization, handed to the service: refused, not overwritten
        foreign = ProtocolType(pk=check_out.pk, name="übernommen", kind="check_out", registers=check_out.registers)
        protocol_type_save(actor=membership_of(admin_b, org_b), protocol_type=foreign)
    with scope(organization=org_a):
        check_out.refresh_from_db()
        assert check_out.name == "Übergabe"

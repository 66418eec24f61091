"""The built-in types in every existing organization, and the database's refusal to change a
submitted protocol (docs/protocols.md, "Immutability").

The trigger compares the whole row minus the worker's bookkeeping columns, so a column added later
is protected without touching the trigger again.
"""

from django.db import migrations
from django_scopes import scopes_disabled

REGISTERS = ["km_fuel", "cleanliness", "damage", "condition", "notes", "signature", "dispatch"]
BUILTINS = [("check_out", "Übergabe"), ("check_in", "Rücknahme")]


def builtin_types(apps, schema_editor):
    Organization = apps.get_model("rentoffice", "Organization")
    ProtocolType = apps.get_model("protocols", "ProtocolType")
    with scopes_disabled():
        for organization in Organization.objects.all():
            for builtin, name in BUILTINS:
                if ProtocolType.objects.filter(organization=organization, builtin=builtin).exists():
                    continue
                candidate, n = name, 1
                while ProtocolType.objects.filter(organization=organization, name=candidate).exists():
                    n += 1
                    candidate = f"{name} ({n})"
                ProtocolType.objects.create(
                    organization=organization, name=candidate, kind=builtin, builtin=builtin, registers=REGISTERS
                )


IMMUTABLE_SQL = """
CREATE OR REPLACE FUNCTION protocols_protocol_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    free text[] := ARRAY['pdf', 'pdf_generated_at', 'email_message_id', 'updated_at'];
BEGIN
    IF OLD.status <> 'submitted' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'protocol % is submitted and cannot be deleted', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF (to_jsonb(NEW) - free) IS DISTINCT FROM (to_jsonb(OLD) - free) THEN
        RAISE EXCEPTION 'protocol % is submitted; only its PDF and e-mail columns may change', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER protocols_protocol_immutable
    BEFORE UPDATE OR DELETE ON protocols_protocol
    FOR EACH ROW EXECUTE FUNCTION protocols_protocol_immutable();

CREATE OR REPLACE FUNCTION protocols_part_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF EXISTS (SELECT 1 FROM protocols_protocol WHERE id = OLD.protocol_id AND status = 'submitted') THEN
            RAISE EXCEPTION '% of submitted protocol % cannot be changed', TG_TABLE_NAME, OLD.protocol_id
                USING ERRCODE = 'restrict_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF EXISTS (SELECT 1 FROM protocols_protocol WHERE id = NEW.protocol_id AND status = 'submitted') THEN
            RAISE EXCEPTION '% of submitted protocol % cannot be changed', TG_TABLE_NAME, NEW.protocol_id
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END
$$;

CREATE TRIGGER protocols_photo_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON protocols_protocolphoto
    FOR EACH ROW EXECUTE FUNCTION protocols_part_immutable();
CREATE TRIGGER protocols_finding_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON protocols_protocolfinding
    FOR EACH ROW EXECUTE FUNCTION protocols_part_immutable();
CREATE TRIGGER protocols_signature_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON protocols_protocolsignature
    FOR EACH ROW EXECUTE FUNCTION protocols_part_immutable();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS protocols_signature_immutable ON protocols_protocolsignature;
DROP TRIGGER IF EXISTS protocols_finding_immutable ON protocols_protocolfinding;
DROP TRIGGER IF EXISTS protocols_photo_immutable ON protocols_protocolphoto;
DROP FUNCTION IF EXISTS protocols_part_immutable();
DROP TRIGGER IF EXISTS protocols_protocol_immutable ON protocols_protocol;
DROP FUNCTION IF EXISTS protocols_protocol_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("protocols", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(builtin_types, migrations.RunPython.noop),
        migrations.RunSQL(IMMUTABLE_SQL, DROP_SQL),
    ]

"""Invoices: the database's refusal to change an issued document, the e-mail flag of issuing, and the
invoice number prefix copied from `Organization` into billing's own settings (docs/billing.md,
"Invoices (binv)").

The trigger compares the whole row minus the bookkeeping columns, so a column added later is
protected without touching the trigger again (as protocols' 0002 does). Lines of an issued document
can be neither added, changed nor removed.
"""

from django.db import migrations, models
from django_scopes import scopes_disabled

IMMUTABLE_SQL = """
CREATE OR REPLACE FUNCTION billing_invoice_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    free text[] := ARRAY['pdf', 'pdf_generated_at', 'email_message_id', 'payment_status', 'paid_at', 'updated_at'];
BEGIN
    IF OLD.status <> 'issued' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'invoice % is issued and cannot be deleted', OLD.number
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF (to_jsonb(NEW) - free) IS DISTINCT FROM (to_jsonb(OLD) - free) THEN
        RAISE EXCEPTION 'invoice % is issued; only its PDF, e-mail and payment status may change', OLD.number
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER billing_invoice_immutable
    BEFORE UPDATE OR DELETE ON billing_invoice
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_immutable();

CREATE OR REPLACE FUNCTION billing_invoiceline_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF EXISTS (SELECT 1 FROM billing_invoice WHERE id = OLD.invoice_id AND status = 'issued') THEN
            RAISE EXCEPTION 'lines of issued invoice % cannot be changed', OLD.invoice_id
                USING ERRCODE = 'restrict_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF EXISTS (SELECT 1 FROM billing_invoice WHERE id = NEW.invoice_id AND status = 'issued') THEN
            RAISE EXCEPTION 'lines of issued invoice % cannot be changed', NEW.invoice_id
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END
$$;

CREATE TRIGGER billing_invoiceline_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON billing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION billing_invoiceline_immutable();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS billing_invoiceline_immutable ON billing_invoiceline;
DROP FUNCTION IF EXISTS billing_invoiceline_immutable();
DROP TRIGGER IF EXISTS billing_invoice_immutable ON billing_invoice;
DROP FUNCTION IF EXISTS billing_invoice_immutable();
"""


def copy_invoice_prefix(apps, schema_editor):
    Organization = apps.get_model("rentoffice", "Organization")
    BillingSettings = apps.get_model("billing", "BillingSettings")
    with scopes_disabled():
        for organization in Organization.objects.all():
            # A row already saved in billing keeps its own prefix.
            BillingSettings.objects.get_or_create(
                organization=organization, defaults={"invoice_prefix": organization.invoice_number_prefix[:20]}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="email_requested",
            field=models.BooleanField(default=True),
        ),
        migrations.RunSQL(IMMUTABLE_SQL, DROP_SQL),
        migrations.RunPython(copy_invoice_prefix, migrations.RunPython.noop),
    ]

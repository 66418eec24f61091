"""Managing vehicle groups became its own permission; administrators and dealer managers keep it."""

from django.db import migrations


def grant(apps, schema_editor):
    Role = apps.get_model("rentoffice", "Role")
    for role in Role.objects.filter(key__in=["administrator", "dealer_manager"]):
        if "vehicles.groups" not in role.permissions:
            role.permissions = sorted([*role.permissions, "vehicles.groups"])
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("rentoffice", "0003_postgres_extensions")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

"""Every organization gets the default roles (administrator, station staff, dealer roles).

New organizations receive them from services.organization_create; this migration gives them to
organizations that existed before a role was added to rentoffice.permissions.DEFAULT_ROLES.
"""

from django.db import migrations


def seed_roles(apps, schema_editor):
    from rentoffice.permissions import DEFAULT_ROLES

    Organization = apps.get_model("rentoffice", "Organization")
    Role = apps.get_model("rentoffice", "Role")
    for organization in Organization.objects.all():
        for key, (name, permissions) in DEFAULT_ROLES.items():
            Role.objects.get_or_create(
                organization=organization, key=key, defaults={"name": str(name), "permissions": sorted(permissions)}
            )


class Migration(migrations.Migration):
    dependencies = [("rentoffice", "0001_initial")]
    operations = [migrations.RunPython(seed_roles, migrations.RunPython.noop)]

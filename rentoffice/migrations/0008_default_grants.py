"""The table of default-role grants already offered (rentoffice.permissions.sync_default_roles).

It starts with every grant the default roles had when app permissions moved to per-app
declarations, frozen here, so the first sync adds nothing: existing roles keep exactly the
permissions they have (including any an admin removed).
"""

from django.db import migrations, models

OFFERED = {
    "administrator": [
        "activity.view",
        "billing.change",
        "billing.view",
        "cases.capture",
        "cases.change",
        "cases.configure",
        "cases.view",
        "contracts.change",
        "contracts.view",
        "customers.change",
        "customers.delete",
        "customers.view",
        "messages.view",
        "organization.manage",
        "protocols.manage",
        "stations.manage",
        "statistics.view",
        "templates.manage",
        "users.manage",
        "vehicles.change",
        "vehicles.groups",
        "vehicles.km_override",
        "vehicles.view",
    ],
    "auditor": [
        "activity.view",
        "billing.view",
        "cases.view",
        "contracts.view",
        "customers.view",
        "messages.view",
        "statistics.view",
        "vehicles.view",
    ],
    "back_office": [
        "activity.view",
        "cases.change",
        "cases.view",
        "customers.change",
        "customers.view",
        "messages.view",
    ],
    "dealer_manager": [
        "activity.view",
        "cases.change",
        "cases.configure",
        "cases.view",
        "customers.change",
        "customers.view",
        "messages.view",
        "statistics.view",
        "templates.manage",
        "vehicles.groups",
    ],
    "sales": ["cases.change", "cases.sales_only", "cases.view", "customers.view"],
    "station_staff": [
        "activity.view",
        "billing.view",
        "contracts.change",
        "contracts.view",
        "customers.change",
        "customers.view",
        "messages.view",
        "vehicles.change",
        "vehicles.view",
    ],
    "technician": ["cases.capture"],
}


def record_offered(apps, schema_editor):
    DefaultGrant = apps.get_model("rentoffice", "DefaultGrant")
    DefaultGrant.objects.bulk_create(
        [DefaultGrant(role_key=key, permission=p) for key, perms in OFFERED.items() for p in perms]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rentoffice", "0007_membership_role_restrict"),
    ]

    operations = [
        migrations.CreateModel(
            name="DefaultGrant",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("role_key", models.SlugField()),
                ("permission", models.CharField(max_length=50)),
                ("offered_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("role_key", "permission"), name="uniq_default_grant")],
            },
        ),
        migrations.RunPython(record_offered, migrations.RunPython.noop),
    ]

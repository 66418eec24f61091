from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RentofficeConfig(AppConfig):
    name = "rentoffice"
    verbose_name = _("Rental office")

    def ready(self) -> None:
        # Registrations: audit log, demo data, message templates, panels.
        from django.db.models.signals import post_migrate

        from . import audit, demo_data, message_templates, panels, planned_app_permissions, record_kinds, selectors  # noqa: F401
        from .permissions import sync_default_roles

        post_migrate.connect(sync_default_roles, sender=self, dispatch_uid="rentoffice.sync_default_roles")

        record_kinds.register(
            "station", lambda membership, pk: selectors.station_get(membership=membership, station_id=pk)
        )
        record_kinds.register(
            "membership", lambda membership, pk: selectors.membership_get(membership=membership, membership_id=pk)
        )
        record_kinds.register(
            "region", lambda membership, pk: selectors.region_get(membership=membership, region_id=pk)
        )
        record_kinds.register("role", lambda membership, pk: selectors.role_get(membership=membership, role_id=pk))
        record_kinds.register("organization", selectors.organization_get)
        from .background import periodic_register

        periodic_register("outbox-sweep", task="rentoffice.tasks.outbox_sweep", schedule=60.0)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RentofficeConfig(AppConfig):
    name = "rentoffice"
    verbose_name = _("Rental office")

    def ready(self) -> None:
        # Registrations: audit log, demo data, message templates, panels.
        from . import audit, demo_data, message_templates, panels, records, selectors  # noqa: F401

        records.register("station", lambda membership, pk: selectors.station_get(membership=membership, station_id=pk))
        records.register(
            "membership", lambda membership, pk: selectors.membership_get(membership=membership, membership_id=pk)
        )
        records.register("region", lambda membership, pk: selectors.region_get(membership=membership, region_id=pk))
        records.register("role", lambda membership, pk: selectors.role_get(membership=membership, role_id=pk))
        records.register("organization", selectors.organization_get)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RentofficeConfig(AppConfig):
    name = "rentoffice"
    verbose_name = _("Rental office")

    def ready(self) -> None:
        from . import audit, demo_data, message_templates, panels, records, selectors  # noqa: F401  (registrations: audit log, demo data, panels)

        records.register("station", lambda membership, pk: selectors.station_get(membership=membership, station_id=pk))

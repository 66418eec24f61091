from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtocolsConfig(AppConfig):
    name = "protocols"
    verbose_name = _("Protocols")

    def ready(self) -> None:
        from . import permissions  # noqa: F401

        self._ready_delivery()

    def _ready_delivery(self) -> None:
        """PDF, e-mail, panels and demo data (ppdf's part; kept in one place to merge cleanly)."""
        from datetime import timedelta

        from rentoffice import demo
        from rentoffice.background import periodic_register

        from .demo_data import seed_protocols
        from .messages import register_message_kinds
        from .panels import register_panels

        register_message_kinds()
        register_panels()
        demo.register(45, "protocols", seed_protocols)
        periodic_register(
            "protocols-deliver-pending",
            task="protocols.tasks.protocols_deliver_pending",
            schedule=timedelta(minutes=15),
        )

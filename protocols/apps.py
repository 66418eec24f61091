from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtocolsConfig(AppConfig):
    name = "protocols"
    verbose_name = _("Protocols")

    def ready(self) -> None:
        from . import permissions, receivers  # noqa: F401  (declare the permission; built-in types for new organizations)

        self._register_engine()

    def _register_engine(self) -> None:
        """Protocol types and protocols as records, the type editor in the navigation (pengine)."""
        from rentoffice import demo, navigation, panels, record_kinds

        from . import audit, selectors  # noqa: F401  (audit registers the logged models)
        from .demo_types import seed_types

        record_kinds.register("protocol", selectors.protocol_get, permission="contracts.view")
        record_kinds.register("protocol_type", selectors.protocol_type_get, permission="protocols.manage")
        panels.register_core_panels("protocol")
        panels.register_core_panels("protocol_type")
        navigation.register(
            navigation.NavItem(
                _("Protocol types"), "protocols:type_list", "clipboard-check", "protocols.manage", "admin", 75
            )
        )
        # After the demo organizations exist (core) and before the demo protocols (45, ppdf).
        demo.register(44, "protocols: built-in protocol types", seed_types)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from rentoffice import demo, navigation

        from . import permissions  # noqa: F401
        from .demo_data import seed_contracts

        # After the fleet (20), customers (30, 31) and the demo tariffs (32).
        demo.register(40, "contracts: past, running and future rentals, blocks", seed_contracts)
        navigation.register(
            navigation.NavItem(_("Planning board"), "contracts:board", "calendar3-range", "contracts.view", "main", 12)
        )
        self._register_pages()

    def _register_pages(self) -> None:
        """The contract pages: navigation, record kinds, panels, activity log (cpages)."""
        from rentoffice import demo, navigation, panels, record_kinds

        from . import audit, selectors  # noqa: F401  (audit registers the logged models)
        from .demo_pages import seed_drivers
        from .panels import register_panels

        record_kinds.register("contract", selectors.contract_get, permission="contracts.view")
        panels.register_core_panels("contract")
        register_panels()
        navigation.register(
            navigation.NavItem(_("Contracts"), "contracts:list", "file-earmark-text", "contracts.view", "main", 15)
        )
        demo.register(41, "contracts: a further driver on a reservation", seed_drivers)

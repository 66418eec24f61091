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

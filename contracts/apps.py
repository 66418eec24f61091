from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from . import permissions  # noqa: F401
        from .data_handlers import register_handlers

        register_handlers()

        self._ready_tariffs()
        self._ready_board()
        self._register_pages()

    def _ready_tariffs(self) -> None:
        """Tariffs, extras and rental settings (pricing)."""
        from rentoffice import demo, navigation, panels, record_kinds

        from . import audit_tariffs, selectors_tariffs  # noqa: F401  (audit_tariffs registers the logged models)
        from .demo_tariffs import seed_tariffs

        record_kinds.register("tariff", selectors_tariffs.tariff_get, permission="contracts.tariffs")
        panels.register_core_panels("tariff")
        navigation.register(
            navigation.NavItem(_("Tariffs"), "contracts:tariff_list", "tags", "contracts.tariffs", "admin", 70)
        )
        demo.register(32, "contracts: tariffs and extras", seed_tariffs)

    def _ready_board(self) -> None:
        """Planning board and demo contracts (board)."""
        from rentoffice import demo, navigation

        from .demo_data import seed_contracts

        # After the fleet (20), customers (30, 31) and the demo tariffs (32).
        demo.register(40, "contracts: past, running and future rentals, blocks", seed_contracts)
        navigation.register(
            navigation.NavItem(_("Planning board"), "contracts:board", "calendar3-range", "contracts.view", "main", 12)
        )

    def _register_pages(self) -> None:
        """The contract pages: navigation, record kinds, panels, activity log (cpages)."""
        from rentoffice import demo, navigation, panels, record_kinds

        from . import audit, selectors  # noqa: F401  (audit registers the logged models)
        from .demo_pages import seed_drivers
        from .panels import register_panels

        record_kinds.register("contract", selectors.contract_get, permission="contracts.view")
        # A contract's log and messages stand at the bottom of a busy page: loaded after it (~10 % of
        # the page's Python calls, docs/performance.md).
        panels.register_core_panels("contract", lazy=True)
        register_panels()
        navigation.register(
            navigation.NavItem(_("Contracts"), "contracts:list", "file-earmark-text", "contracts.view", "main", 15)
        )
        demo.register(41, "contracts: a further driver on a reservation", seed_drivers)

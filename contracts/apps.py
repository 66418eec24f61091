from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from rentoffice import navigation

        from . import permissions  # noqa: F401

        navigation.register(
            navigation.NavItem(_("Planning board"), "contracts:board", "calendar3-range", "contracts.view", "main", 12)
        )

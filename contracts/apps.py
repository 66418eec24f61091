from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from . import permissions  # noqa: F401
        from .data_handlers import register_handlers

        register_handlers()

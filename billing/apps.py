from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (declare billing.view / billing.change)

        self._register_invoices()
        self._register_payments()
        self._register_settlement()
        self._register_open_items()

    def _register_invoices(self) -> None:
        """Invoices: record kind, navigation, message kind "invoice", activity log, demo (binv)."""

    def _register_payments(self) -> None:
        """Payments and deposits: record kinds, contract panel, messages, expiring-hold job, demo (bcore, bpay)."""
        # bpay: the contract page's "Payments and deposit" panel.
        from .panels_payments import register_panels as register_payment_panels

        register_payment_panels()

    def _register_settlement(self) -> None:
        """Settlement: the `contract_checked_in` receiver, contract panel, demo (bsettle)."""

    def _register_open_items(self) -> None:
        """Open items: customer card panels, the open-items list in the navigation, demo (bopen)."""

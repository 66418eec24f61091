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
        from datetime import timedelta

        from rentoffice import demo, navigation, panels, record_kinds
        from rentoffice.background import periodic_register

        from . import audit_invoices, selectors_invoices  # noqa: F401  (audit registers the logged models)
        from .data_handlers_invoices import register_deletion_veto, register_handlers
        from .demo_invoices import seed_invoices
        from .messages_invoices import register_message_kinds
        from .panels_invoices import register_panels

        record_kinds.register("invoice", selectors_invoices.invoice_get, permission="billing.view")
        panels.register_core_panels("invoice")
        navigation.register(
            navigation.NavItem(_("Invoices"), "billing:invoice_list", "receipt", "billing.view", "main", 45)
        )
        register_message_kinds()
        register_panels()
        register_handlers()
        register_deletion_veto()
        demo.register(50, "billing: invoices and credit notes", seed_invoices)
        periodic_register(
            "billing-invoices-deliver-pending",
            task="billing.tasks.invoices.invoices_deliver_pending",
            schedule=timedelta(minutes=15),
        )

    def _register_payments(self) -> None:
        """Payments and deposits: record kinds, contract panel, messages, expiring-hold job, demo (bcore, bpay)."""
        from celery.schedules import crontab

        from rentoffice import demo, record_kinds
        from rentoffice.background import periodic_register

        from . import selectors_payments
        from .demo_payments import seed_payments
        from .messages_payments import register_message_kinds

        record_kinds.register("payment", selectors_payments.payment_get, permission="billing.view")
        record_kinds.register("deposit_hold", selectors_payments.hold_get, permission="billing.view")
        register_message_kinds()
        # Hourly: a hold is warned about once, 24 h before it expires (capture_before).
        periodic_register(
            "billing-holds-expiring", task="billing.tasks.payments.holds_expiring", schedule=crontab(minute=7)
        )
        periodic_register("billing-payments-sweep", task="billing.tasks.payments.payments_sweep", schedule=600.0)
        demo.register(51, "billing payments and deposits", seed_payments)

    def _register_settlement(self) -> None:
        """Settlement: the `contract_checked_in` receiver, contract panel, demo (bsettle)."""

    def _register_open_items(self) -> None:
        """Open items: customer card panels, the open-items list in the navigation, demo (bopen)."""
        from rentoffice import demo, navigation

        from .demo_open_items import seed_open_items
        from .panels_open_items import register_panels

        register_panels()
        navigation.register(
            navigation.NavItem(_("Open items"), "billing:open_items", "cash-coin", "billing.view", "main", 62)
        )
        # After invoices (50), payments (51) and settlements (52) of the demo.
        demo.register(53, "billing: open items", seed_open_items)

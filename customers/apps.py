from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from django.conf import settings

        from rentoffice import demo, navigation, record_kinds

        from . import audit, permissions, receivers  # noqa: F401  (audited models, declared permissions, receivers)
        from .demo import seed_customers
        from .panels import register_panels
        from .selectors import customer_get
        from .services.customer_data import register_own_handlers

        record_kinds.register("customer", customer_get)
        register_panels()
        register_own_handlers()
        navigation.register(
            navigation.NavItem(_("Customers"), "customers:list", "person-vcard", "customers.view", "main", 10)
        )
        demo.register(30, "customers", seed_customers)
        # Fixed beat entries live in the settings dict (documented in docs/customers.md).
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "customers-licence-escalations", {"task": "customers.tasks.licence_escalations", "schedule": _daily(6, 30)}
        )
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "customers-deletion-routine", {"task": "customers.tasks.deletion_routine", "schedule": _daily(3, 15)}
        )


def _daily(hour: int, minute: int):
    from celery.schedules import crontab

    return crontab(hour=hour, minute=minute)

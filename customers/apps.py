from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from celery.schedules import crontab

        from rentoffice import demo, navigation, record_kinds
        from rentoffice.background import periodic_register

        from . import audit, permissions, receivers  # noqa: F401  (audited models, declared permissions, receivers)
        from .demo import seed_customers
        from .demo_messages import seed_messages
        from .panels import register_panels
        from .selectors import customer_record_get
        from .services.customer_data import register_own_handlers

        record_kinds.register("customer", customer_record_get, permission="customers.view")
        register_panels()
        register_own_handlers()
        navigation.register(
            navigation.NavItem(_("Customers"), "customers:list", "person-vcard", "customers.view", "main", 10)
        )
        demo.register(30, "customers", seed_customers)
        demo.register(31, "customer messages", seed_messages)
        periodic_register(
            "customers-licence-escalations",
            task="customers.tasks.licence_escalations",
            schedule=crontab(hour=6, minute=30),
        )
        periodic_register(
            "customers-deletion-routine", task="customers.tasks.deletion_routine", schedule=crontab(hour=3, minute=15)
        )

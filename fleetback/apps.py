from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FleetbackConfig(AppConfig):
    name = "fleetback"
    verbose_name = _("Dealer cases")

    def ready(self):
        from rentoffice import demo, navigation, record_kinds

        from . import audit, permissions  # noqa: F401  (audited models, declared permissions)
        from .data_handlers import register_handlers
        from .demo import seed_fleetback
        from .demo_branding import seed_brand_design
        from .selectors import case_get

        record_kinds.register("case", case_get, permission="cases.view")
        register_handlers()
        for label, name, icon, order in (
            (_("After-sales cases"), "fleetback:list_after_sales", "tools", 40),
            (_("Sales cases"), "fleetback:list_sales", "car-front", 41),
            (_("Contacts (CRM)"), "fleetback:contacts", "person-lines-fill", 42),
        ):
            navigation.register(navigation.NavItem(label, name, icon, "cases.view", "main", order))
        navigation.register(
            navigation.NavItem(_("Checklists"), "fleetback:checklists", "list-check", "cases.configure", "admin", 40)
        )
        for label, name, icon, order in (
            (_("Predefined messages"), "fleetback:messages", "chat-text", 41),
            (_("Brand design"), "fleetback:brands", "palette", 42),
        ):
            navigation.register(navigation.NavItem(label, name, icon, "cases.configure", "admin", order))
        demo.register(60, "dealer cases", seed_fleetback)
        navigation.register(
            navigation.NavItem(
                _("Media limits"), "fleetback:media_limits", "camera-video", "cases.configure", "admin", 43
            )
        )
        from .demo_media import seed_fleetback_media

        demo.register(61, "dealer case media", seed_fleetback_media)
        demo.register(62, "brand design", seed_brand_design)
        from .demo_crm import seed_crm

        demo.register(63, "dealer case contacts", seed_crm)

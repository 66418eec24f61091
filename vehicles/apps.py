from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VehiclesConfig(AppConfig):
    name = "vehicles"
    verbose_name = _("Fleet")

    def ready(self) -> None:
        from rentoffice import demo, navigation, panels, record_kinds

        from . import audit, permissions, selectors  # noqa: F401  (audit registers the logged models)
        from .demo_data import seed_fleet
        from .panels import dashboard_fleet_context

        record_kinds.register("vehicle", selectors.vehicle_get, permission="vehicles.view")
        record_kinds.register("damage", selectors.damage_get, permission="vehicles.view")
        record_kinds.register("condition_record", selectors.condition_record_get, permission="vehicles.view")
        record_kinds.register(
            "vehicle_group",
            selectors.group_get,
            # Like the group list: fleet staff and group managers.
            permission=lambda m, group: m.has_perm("vehicles.view") or m.has_perm("vehicles.groups"),
        )
        for kind in ("damage", "condition_record", "vehicle_group"):
            panels.register_core_panels(kind)
        # The vehicle page's log and messages stand at the bottom and grow for years: loaded by htmx
        # after the page (~10 % of the page's CPU, docs/performance.md).
        panels.register_core_panels("vehicle", lazy=True)
        panels.register(
            "dashboard",
            panels.Panel(
                "fleet",
                _("Fleet"),
                "vehicles/panels/dashboard_fleet.html",
                dashboard_fleet_context,
                20,
                "vehicles.view",
            ),
        )
        navigation.register(
            navigation.NavItem(_("Vehicles"), "vehicles:list", "car-front", "vehicles.view", "main", 20)
        )
        navigation.register(
            navigation.NavItem(_("Vehicle groups"), "vehicles:group_list", "collection", "vehicles.groups", "main", 25)
        )
        demo.register(20, "fleet: vehicle groups, vehicles, damages, km", seed_fleet)

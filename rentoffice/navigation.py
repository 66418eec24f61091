"""The side navigation: apps register their entries; each user sees what their role may use."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: object
    url_name: str
    icon: str
    permission: str | None
    section: str = "main"
    order: int = 100


SECTIONS = {"main": (_("Daily work"), 0), "admin": (_("Administration"), 100)}

_items: list[NavItem] = []


def register(item: NavItem) -> None:
    _items.append(item)


def items() -> list[NavItem]:
    return sorted(_items, key=lambda i: (SECTIONS[i.section][1], i.order))


register(NavItem(_("Overview"), "org_dashboard", "speedometer2", None, "main", 0))
register(NavItem(_("Organization"), "organization_settings", "gear", "organization.manage", "admin", 10))
register(NavItem(_("Stations"), "station_list", "geo-alt", "stations.manage", "admin", 20))
register(NavItem(_("Regions"), "region_list", "map", "stations.manage", "admin", 30))
register(NavItem(_("Users"), "user_list", "people", "users.manage", "admin", 40))
register(NavItem(_("Roles"), "role_list", "shield-lock", "users.manage", "admin", 50))
register(NavItem(_("E-mail templates"), "message_template_list", "envelope-paper", "templates.manage", "admin", 60))

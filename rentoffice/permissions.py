"""The permission catalogue and the default roles.

Permissions are plain strings ("<area>.<action>"). A role is a named set of them per organization;
admins edit the sets in the UI. Apps add their permissions here so the role editor shows them.
"""

from django.utils.translation import gettext_lazy as _

PERMISSIONS: dict[str, object] = {
    "organization.manage": _("Edit organization settings"),
    "stations.manage": _("Manage stations and regions"),
    "users.manage": _("Manage users, memberships and roles"),
    "activity.view": _("View the activity log"),
    "messages.view": _("View sent messages"),
    "templates.manage": _("Edit e-mail templates"),
    "customers.view": _("View customers"),
    "customers.change": _("Create and edit customers"),
    "customers.delete": _("Delete, merge and export customers"),
    "vehicles.view": _("View vehicles"),
    "vehicles.change": _("Create and edit vehicles and damages"),
    "vehicles.km_override": _("Override implausible km readings"),
    "vehicles.groups": _("Manage vehicle groups"),
    "contracts.view": _("View contracts"),
    "contracts.change": _("Create and edit contracts"),
    "billing.view": _("View invoices and payments"),
    "billing.change": _("Issue invoices and take payments"),
    "protocols.manage": _("Configure protocol types and portal profiles"),
    "cases.view": _("View dealer cases"),
    "cases.change": _("Create and send dealer cases"),
    "cases.sales_only": _("Restricted to sales cases"),
    "cases.capture": _("Capture cases on a device"),
    "cases.configure": _("Configure dealership settings"),
    "statistics.view": _("View statistics"),
}

ALL = set(PERMISSIONS)
# Permissions that narrow what a role may do rather than grant something.
RESTRICTIONS = {"cases.sales_only"}

DEFAULT_ROLES: dict[str, tuple[object, set[str]]] = {
    "administrator": (_("Administrator"), ALL - RESTRICTIONS),
    "station_staff": (
        _("Station staff"),
        {
            "customers.view",
            "customers.change",
            "vehicles.view",
            "vehicles.change",
            "contracts.view",
            "contracts.change",
            "billing.view",
            "activity.view",
            "messages.view",
        },
    ),
    "dealer_manager": (
        _("Dealer manager"),
        {
            "cases.view",
            "cases.change",
            "cases.configure",
            "statistics.view",
            "vehicles.groups",
            "customers.view",
            "customers.change",
            "activity.view",
            "messages.view",
            "templates.manage",
        },
    ),
    "back_office": (
        _("Back office"),
        {"cases.view", "cases.change", "customers.view", "customers.change", "messages.view", "activity.view"},
    ),
    "sales": (_("Sales"), {"cases.view", "cases.change", "cases.sales_only", "customers.view"}),
    "technician": (_("Technician"), {"cases.capture"}),
    "auditor": (
        _("Auditor"),
        {
            "customers.view",
            "vehicles.view",
            "contracts.view",
            "billing.view",
            "cases.view",
            "statistics.view",
            "activity.view",
            "messages.view",
        },
    ),
}

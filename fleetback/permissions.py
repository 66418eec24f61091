"""Permissions of dealer cases.

The keys keep the area "cases" they were planned under (rentoffice/planned_app_permissions.py):
organizations' roles already hold them, so renaming them to "fleetback.*" would need a data
migration of every role for no gain. `declare()` only asks that keys lie in the declared area,
not that the area is the app's label.
"""

from django.utils.translation import gettext_lazy as _

from rentoffice.permissions import declare

declare(
    "cases",
    {
        "cases.view": _("View dealer cases"),
        "cases.change": _("Create and send dealer cases"),
        "cases.sales_only": _("Restricted to sales cases"),
        "cases.capture": _("Capture cases on a device"),
        "cases.configure": _("Configure dealership settings"),
    },
    grants={
        "dealer_manager": {"cases.view", "cases.change", "cases.configure"},
        "back_office": {"cases.view", "cases.change"},
        "sales": {"cases.view", "cases.change", "cases.sales_only"},
        "technician": {"cases.capture"},
        "auditor": {"cases.view"},
    },
    restrictions={"cases.sales_only"},
)

"""The customers app's permissions and what the default roles get (see rentoffice.permissions)."""

from django.utils.translation import gettext_lazy as _

from rentoffice.permissions import declare

declare(
    "customers",
    {
        "customers.view": _("View customers"),
        "customers.change": _("Create and edit customers"),
        "customers.delete": _("Delete, merge and export customers"),
    },
    grants={
        "station_staff": {"customers.view", "customers.change"},
        "dealer_manager": {"customers.view", "customers.change"},
        "back_office": {"customers.view", "customers.change"},
        "sales": {"customers.view"},
        "auditor": {"customers.view"},
    },
)

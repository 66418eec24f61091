"""The fleet app's permissions and what the default roles get (see rentoffice.permissions)."""

from django.utils.translation import gettext_lazy as _

from rentoffice.permissions import declare

declare(
    "vehicles",
    {
        "vehicles.view": _("View vehicles"),
        "vehicles.change": _("Create and edit vehicles and damages"),
        "vehicles.km_override": _("Override implausible km readings"),
        "vehicles.groups": _("Manage vehicle groups"),
    },
    grants={
        "station_staff": {"vehicles.view", "vehicles.change"},
        "dealer_manager": {"vehicles.groups"},
        "auditor": {"vehicles.view"},
    },
)

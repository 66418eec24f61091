"""The contracts app's permissions and what the default roles get (see rentoffice.permissions)."""

from django.utils.translation import gettext_lazy as _

from rentoffice.permissions import declare

# Same keys and grants as were planned in rentoffice/planned_app_permissions.py, plus tariffs.
declare(
    "contracts",
    {
        "contracts.view": _("View contracts"),
        "contracts.change": _("Create and edit contracts"),
        "contracts.tariffs": _("Edit tariffs and extras"),
    },
    grants={"station_staff": {"contracts.view", "contracts.change"}, "auditor": {"contracts.view"}},
)

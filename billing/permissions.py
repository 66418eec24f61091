"""Permissions of billing (planned in rentoffice/planned_app_permissions.py; roles already hold them).

Taking the booking's card payment and deposit and confirming a contract's settlement are part of
handling the contract (`contracts.change`); issuing invoices and credit notes by hand, refunds,
recording payments and waiving are billing's own right (`billing.change`). Reading invoices and
payments needs `billing.view`.
"""

from django.utils.translation import gettext_lazy as _

from rentoffice.permissions import declare

declare(
    "billing",
    {"billing.view": _("View invoices and payments"), "billing.change": _("Issue invoices and take payments")},
    grants={"station_staff": {"billing.view"}, "auditor": {"billing.view"}},
)

"""Permissions of protocols.

Recording a check-out or check-in is part of handling the contract (`contracts.change`), reading
protocols part of reading it (`contracts.view`); only configuring protocol types (and, later, the
portal's profiles) is a right of its own. The key was planned in rentoffice/planned_app_permissions.py
and roles already hold it.
"""

from django.utils.translation import gettext_lazy as _

from rentoffice.permissions import declare

declare(
    "protocols",
    {"protocols.manage": _("Configure protocol types and portal profiles")},
)

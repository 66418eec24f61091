"""The protocol e-mail as a message kind organizations may adapt (see rentoffice.message_templates).

The built-in text is `protocols/templates/messages/protocol/`; its values are the plain strings of
`services.delivery.protocol_message_context`, already in the customer's language.
"""

from django.utils.translation import gettext_lazy as _

from rentoffice.message_templates import MessageKind, register

PLACEHOLDERS = {
    "customer_name": _("Name of the customer"),
    "contract_number": _("Contract number"),
    "vehicle": _("Vehicle (number plate and model)"),
    "protocol_kind": _("Kind of protocol (check-out, check-in)"),
    "protocol_date": _("Date and time of the protocol"),
    "place": _("Station where the protocol was recorded"),
    "organization_name": _("Name of the organization"),
}

_VALUES = [key for key in PLACEHOLDERS if key != "organization_name"]


def _values(context: dict) -> dict[str, str]:
    return {key: str(context.get(key, "")) for key in _VALUES}


def register_message_kinds() -> None:
    register(
        MessageKind(
            "protocol",
            _("Protocol of a check-out or check-in (PDF attached)"),
            PLACEHOLDERS,
            _values,
            sample={
                "customer_name": "Erika Mustermann",
                "contract_number": "MV-1042",
                "vehicle": "M-AB 123 (Volkswagen Golf)",
                "protocol_kind": "Übergabe",
                "protocol_date": "01.12.2026 10:15",
                "place": "München Zentrum",
            },
            token_context={key: "{" + key + "}" for key in _VALUES},
        )
    )

"""The invoice e-mail as a message kind organizations may adapt (see rentoffice.message_templates).

The built-in text is `billing/templates/messages/invoice/`; its values are the plain strings of
`services.invoice_delivery.invoice_message_context`, already in the recipient's language.
"""

from django.utils.translation import gettext_lazy as _

from rentoffice.message_templates import MessageKind, register

PLACEHOLDERS = {
    "customer_name": _("Name of the invoice recipient"),
    "invoice_number": _("Number of the invoice or credit note"),
    "document_kind": _("Kind of document (invoice, credit note)"),
    "invoice_date": _("Date of the invoice"),
    "amount": _("Amount (gross)"),
    "due_date": _("Due date (empty for a credit note)"),
    "contract_number": _("Contract number (empty for an invoice without contract)"),
    "organization_name": _("Name of the organization"),
}

_VALUES = [key for key in PLACEHOLDERS if key != "organization_name"]


def _values(context: dict) -> dict[str, str]:
    return {key: str(context.get(key, "")) for key in _VALUES}


def register_message_kinds() -> None:
    register(
        MessageKind(
            "invoice",
            _("Invoice or credit note (PDF attached)"),
            PLACEHOLDERS,
            _values,
            sample={
                "customer_name": "Erika Mustermann",
                "invoice_number": "RE-1042",
                "document_kind": "Rechnung",
                "invoice_date": "01.12.2026",
                "amount": "119,00 €",
                "due_date": "15.12.2026",
                "contract_number": "MV-1042",
            },
            token_context={key: "{" + key + "}" for key in _VALUES},
        )
    )

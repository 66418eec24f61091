"""The customer e-mail editor's rules: what the customer will read, and no stray placeholders.

Only `{name}` with a known name is filled in; an unknown ("{unbekannt}") or malformed one
("{first name}", "{{name}}", "{name") would reach the customer as written, so sending is refused
while any is left, naming each.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from rentoffice.message_templates import placeholder_problems

from ..models import Customer
from .documents import PLACEHOLDERS, fill_placeholders


@dataclass
class EmailPreview:
    subject: str
    text: str
    errors: dict[str, list[str]] = field(default_factory=dict)


def _problems(text: str) -> list[str]:
    unknown, malformed = placeholder_problems(text, PLACEHOLDERS)
    messages = []
    if unknown:
        messages.append(_("Unknown placeholder: %(names)s. Use one from the list.") % {"names": ", ".join(unknown)})
    if malformed:
        messages.append(
            _("Malformed placeholder: %(names)s. Write a placeholder as {name}, e.g. {first_name}.")
            % {"names": ", ".join(malformed)}
        )
    return messages


def customer_email_problems(*, subject: str, body: str) -> dict[str, list[str]]:
    """Field → messages naming every unknown or malformed placeholder (empty when all is well)."""
    errors = {name: _problems(text) for name, text in (("subject", subject), ("body", body))}
    return {name: found for name, found in errors.items() if found}


def customer_email_check(*, subject: str, body: str) -> None:
    errors = customer_email_problems(subject=subject, body=body)
    if errors:
        raise ValidationError(errors)


def customer_email_preview(*, customer: Customer, subject: str, body: str) -> EmailPreview:
    """Subject and text as the customer would receive them, with the problems that block sending."""
    return EmailPreview(
        subject=" ".join(fill_placeholders(subject, customer).split()),
        text=fill_placeholders(body, customer),
        errors=customer_email_problems(subject=subject, body=body),
    )

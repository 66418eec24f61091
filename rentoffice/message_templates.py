"""Message templates an organization may adapt, and how their adapted texts are filled in.

Built-in texts are Django templates (`templates/messages/<key>/`), written by us. An organization's
adapted text is plain text with `{placeholder}` fields that are filled from a fixed list of plain
values per kind — never a template language with access to model objects, so an adapted text
cannot reveal secrets, include files or fail at sending time.

Apps register their kinds in AppConfig.ready:

    register(MessageKind("licence_check_escalation", _("Licence check overdue"),
                         placeholders={"first_name": _("First name"), ...},
                         values=lambda ctx: {"first_name": ctx["customer"].first_name, ...}))
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.template.exceptions import TemplateDoesNotExist
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import MessageTemplate, Organization

PLACEHOLDER = re.compile(r"\{(\w+)\}")
# What looks like an attempt at a placeholder, to point out typos and unsupported fields.
PLACEHOLDER_LIKE = re.compile(r"\{([\w.]+)\}")


@dataclass(frozen=True)
class MessageKind:
    key: str
    label: object
    placeholders: dict[str, object]
    values: Callable[[dict], dict[str, str]]
    # Who may adapt it: texts that carry access links are for user managers only.
    permission: str = "templates.manage"
    sample: dict[str, str] = field(default_factory=dict)
    # Context for the built-in template that prints {placeholder} tokens where the values go.
    token_context: dict = field(default_factory=dict)


_kinds: dict[str, MessageKind] = {}


def register(kind: MessageKind) -> None:
    _kinds[kind.key] = kind


def kinds() -> list[MessageKind]:
    return sorted(_kinds.values(), key=lambda k: str(k.label))


def kind_get(key: str) -> MessageKind | None:
    return _kinds.get(key)


def fill(text: str, values: dict[str, str]) -> str:
    """Replace known {placeholders}; anything else stays as written."""
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)


# A run of braces with what they enclose, or an unclosed/unopened brace with the word next to it.
_BRACED = re.compile(r"\{+[^{}\n]{0,60}\}+|\{+[^{}\s]{0,60}|[^{}\s]{0,60}\}+")


def placeholder_problems(text: str, known) -> tuple[list[str], list[str]]:
    """(unknown, malformed) placeholders in a text, as written, in order of appearance.

    Only `{name}` with a known name is filled; anything else with braces would reach the recipient
    as written ("{unbekannt}", "{first name}", "{{name}}", "{name").
    """
    unknown, malformed = [], []
    for match in _BRACED.finditer(text or ""):
        fragment = match.group(0)
        placeholder = PLACEHOLDER.fullmatch(fragment)
        if placeholder is None:
            target = malformed
        elif placeholder.group(1) not in known:
            target = unknown
        else:
            continue
        if fragment not in target:
            target.append(fragment)
    return unknown, malformed


def unknown_placeholders(kind: MessageKind, text: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER_LIKE.findall(text) if name not in kind.placeholders})


def built_in_text(kind: MessageKind, language: str, organization: Organization) -> tuple[str, str]:
    """The built-in subject and text in a language, with placeholders where the values go."""
    from .outbox import render_text

    context = {"organization": {"name": "{organization_name}"}, **kind.token_context}
    with translation.override(language):
        try:
            subject = render_text(f"messages/{kind.key}/subject.txt", context)
            body = render_text(f"messages/{kind.key}/body.txt", context)
        except TemplateDoesNotExist:
            return "", ""
    return " ".join(subject.split()), body.strip() + "\n"


def adapted_text(*, organization: Organization, key: str, language: str, context: dict) -> tuple[str, str] | None:
    """The organization's adapted subject and text, filled in; None if it uses the built-in one."""
    kind = kind_get(key)
    if kind is None or organization is None:
        return None
    override = override_get(organization=organization, key=key, language=language)
    if override is None:
        return None
    values = {"organization_name": organization.name, **kind.values(context)}
    return fill(override.subject, values), fill(override.body_text, values)


def override_get(*, organization: Organization, key: str, language: str) -> MessageTemplate | None:
    return MessageTemplate.objects.filter(organization=organization, template=key, language=language).first()


def override_save(
    *, organization: Organization, key: str, language: str, subject: str, body_text: str
) -> MessageTemplate:
    template, _created = MessageTemplate.objects.update_or_create(
        organization=organization,
        template=key,
        language=language,
        defaults={"subject": subject, "body_text": body_text},
    )
    return template


def overrides_for(organization: Organization) -> dict[tuple[str, str], MessageTemplate]:
    return {(t.template, t.language): t for t in MessageTemplate.objects.filter(organization=organization)}


def _get(obj, name: str) -> str:
    value = obj.get(name, "") if isinstance(obj, dict) else getattr(obj, name, "")
    return "" if value is None else str(value)


_STAFF_PLACEHOLDERS = {
    "user_name": _("Name of the person"),
    "actor_name": _("Name of who gave access"),
    "link": _("Link (set password or log in)"),
    "organization_name": _("Name of the organization"),
}


def _staff_values(context: dict) -> dict[str, str]:
    return {
        "user_name": _get(context.get("user"), "full_name"),
        "actor_name": _get(context.get("actor"), "full_name"),
        "link": str(context.get("link", "")),
    }


_STAFF_SAMPLE = {"user_name": "Erika Mustermann", "actor_name": "Anna Admin", "link": "https://…/password/reset/…"}
_STAFF_TOKENS = {"user": {"full_name": "{user_name}"}, "actor": {"full_name": "{actor_name}"}, "link": "{link}"}

for _key, _label in (
    ("staff_invitation", _("Invitation of a new user")),
    ("staff_membership_added", _("Access for an existing user")),
):
    register(
        MessageKind(
            _key,
            _label,
            _STAFF_PLACEHOLDERS,
            _staff_values,
            permission="users.manage",
            sample=_STAFF_SAMPLE,
            token_context=_STAFF_TOKENS,
        )
    )

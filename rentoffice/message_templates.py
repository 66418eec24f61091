"""Which message templates an organization may override, with sample data for the preview.

Apps register their templates here (in AppConfig.ready) so the admin page lists them:
`register(MessageKind("licence_check_escalation", _("Licence check overdue"), sample_context))`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.template import Context, Template, TemplateSyntaxError
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import MessageTemplate, Organization


@dataclass(frozen=True)
class MessageKind:
    key: str
    label: object
    sample_context: dict = field(default_factory=dict)


_kinds: dict[str, MessageKind] = {}


def register(kind: MessageKind) -> None:
    _kinds[kind.key] = kind


def kinds() -> list[MessageKind]:
    return sorted(_kinds.values(), key=lambda k: str(k.label))


def kind_get(key: str) -> MessageKind | None:
    return _kinds.get(key)


def default_source(key: str, part: str) -> str:
    """The built-in template text of one part (subject.txt, body.txt, body.html), without {% load %}."""
    try:
        source = get_template(f"messages/{key}/{part}").template.source
    except TemplateDoesNotExist:
        return ""
    return source


def check_syntax(text: str) -> None:
    """Raise TemplateSyntaxError if an organization's template text does not compile."""
    Template(text)


def preview(
    *, organization: Organization, key: str, language: str, subject: str, body_text: str, body_html: str
) -> dict:
    kind = kind_get(key)
    context = {"organization": organization, **(kind.sample_context if kind else {})}
    with translation.override(language):
        try:
            return {
                "subject": Template(subject).render(Context(context, autoescape=False)),
                "body_text": Template(body_text).render(Context(context, autoescape=False)),
                "body_html": Template(body_html).render(Context(context)) if body_html else "",
            }
        except TemplateSyntaxError as exc:
            return {"error": str(exc)}


def overrides_for(organization: Organization) -> dict[tuple[str, str], MessageTemplate]:
    return {(t.template, t.language): t for t in MessageTemplate.objects.filter(organization=organization)}


_SAMPLE_USER = {"full_name": "Erika Mustermann", "email": "erika@example.com"}
register(
    MessageKind(
        "staff_invitation",
        _("Invitation of a new user"),
        {"user": _SAMPLE_USER, "actor": {"full_name": "Anna Admin"}, "link": "https://…/password/reset/…"},
    )
)
register(
    MessageKind(
        "staff_membership_added",
        _("Access for an existing user"),
        {"user": _SAMPLE_USER, "actor": {"full_name": "Anna Admin"}, "link": "https://…/"},
    )
)

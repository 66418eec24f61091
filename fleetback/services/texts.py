"""Predefined messages and the default text of new cases, per mode and language (`cases.configure`)."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rentoffice.authorization import require
from rentoffice.models import Membership

from ..models import Language, PredefinedMessage
from .rights import require_mode


def _require(actor: Membership, organization_id: int, mode: str) -> None:
    require(actor, "cases.configure", organization_id=organization_id)
    require_mode(actor, mode)


@transaction.atomic
def predefined_message_save(*, actor: Membership, message: PredefinedMessage) -> PredefinedMessage:
    """Create or change a predefined message. Marked as default text, it replaces the previous
    default of its mode and language (which stays as a predefined message)."""
    if message.pk is None:
        message.organization_id = actor.organization_id
    _require(actor, message.organization_id, message.mode)
    message.title = message.title.strip()
    message.text = message.text.strip()
    message.full_clean(validate_constraints=False)
    if message.is_default:
        PredefinedMessage.objects.filter(
            organization_id=message.organization_id, mode=message.mode, language=message.language, is_default=True
        ).exclude(pk=message.pk).update(is_default=False)
    message.save()
    return message


@transaction.atomic
def predefined_message_delete(*, actor: Membership, message: PredefinedMessage) -> None:
    _require(actor, message.organization_id, message.mode)
    message.delete()


def default_texts_of(*, organization_id: int, mode: str) -> dict[str, PredefinedMessage]:
    return {
        message.language: message
        for message in PredefinedMessage.objects.filter(organization_id=organization_id, mode=mode, is_default=True)
    }


@transaction.atomic
def default_texts_save(*, actor: Membership, mode: str, texts: Mapping[str, str]) -> None:
    """Set the default text of new cases per language of a mode. An emptied text only ends the
    message's role as default (it stays a predefined message staff may pick)."""
    _require(actor, actor.organization_id, mode)
    unknown = set(texts) - set(Language.values)
    if unknown:
        raise ValidationError(_("Unknown language: %(codes)s.") % {"codes": ", ".join(sorted(unknown))})
    current = default_texts_of(organization_id=actor.organization_id, mode=mode)
    for language, raw in texts.items():
        text = raw.strip()
        message = current.get(language)
        if message is None and text:
            message = PredefinedMessage(
                organization_id=actor.organization_id,
                mode=mode,
                language=language,
                title=_("Default text"),
                is_default=True,
            )
        if message is None:
            continue
        if text:
            message.text = text
            message.save()
        else:
            message.is_default = False
            message.save(update_fields=["is_default"])

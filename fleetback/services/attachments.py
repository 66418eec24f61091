"""Attachments of a case (quotes): added, shown to the customer or not, removed. Like the media,
they change only while the case awaits dispatch."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from rentoffice.models import Membership

from ..documents import CheckedDocument
from ..models import Attachment, Case, CaseEvent
from .cases import _event
from .media import locked_for_change


@transaction.atomic
def attachment_add(*, actor: Membership, case: Case, document: CheckedDocument, is_public: bool = True) -> Attachment:
    case = locked_for_change(actor, case)
    top = Attachment.objects.filter(case=case).aggregate(top=Max("position"))["top"]
    attachment = Attachment(
        organization_id=case.organization_id,
        case=case,
        name=document.name,
        content_type=document.content_type,
        size=document.size,
        is_public=is_public,
        position=0 if top is None else top + 1,
        uploaded_by=actor.user,
    )
    attachment.file.save(f"attachment{document.extension}", ContentFile(document.content), save=False)
    attachment.save()
    _event(
        case, CaseEvent.Action.UPDATED, actor=actor, detail=_("Attachment added: %(name)s") % {"name": document.name}
    )
    return attachment


@transaction.atomic
def attachment_set_public(*, actor: Membership, attachment: Attachment, is_public: bool) -> Attachment:
    case = locked_for_change(actor, attachment.case)
    attachment = Attachment.objects.get(pk=attachment.pk, case=case)
    attachment.is_public = is_public
    attachment.save(update_fields=["is_public"])
    return attachment


@transaction.atomic
def attachment_delete(*, actor: Membership, attachment: Attachment) -> None:
    case = locked_for_change(actor, attachment.case)
    attachment = Attachment.objects.get(pk=attachment.pk, case=case)
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    _event(
        case,
        CaseEvent.Action.UPDATED,
        actor=actor,
        detail=_("Attachment removed: %(name)s") % {"name": attachment.name},
    )
    transaction.on_commit(lambda: storage.delete(name))

"""Files on the customer page: only the public, current media and public attachments of the
token's own case; anything else is 404, as an unknown token is."""

from __future__ import annotations

from django.http import Http404
from django_scopes import scope

from rentoffice.images import protected_file_response

from .. import selectors_media
from ..services import answers
from .media import medium_content_type


def _recipient(token: str):
    recipient = answers.recipient_for_token(token)
    if recipient is None:
        raise Http404
    return recipient


def medium_file(request, token: str, medium_pk: int):
    recipient = _recipient(token)
    with scope(organization=recipient.case.organization):
        medium = selectors_media.medium_get(case=recipient.case, pk=medium_pk, public_only=True)
    return protected_file_response(medium.file, content_type=medium_content_type(medium))


def medium_poster(request, token: str, medium_pk: int):
    recipient = _recipient(token)
    with scope(organization=recipient.case.organization):
        medium = selectors_media.medium_get(case=recipient.case, pk=medium_pk, public_only=True)
    return protected_file_response(medium.poster, content_type="image/jpeg")


def attachment_file(request, token: str, attachment_pk: int):
    recipient = _recipient(token)
    with scope(organization=recipient.case.organization):
        attachment = selectors_media.attachment_get(case=recipient.case, pk=attachment_pk, public_only=True)
    return protected_file_response(
        attachment.file, as_attachment=True, download_name=attachment.name, content_type=attachment.content_type
    )


def public_media_context(case, recipient) -> dict:
    """The public media and attachments with their addresses: the token's own file URLs on the
    customer page, the back office's in the staff preview (no token there)."""
    from django.urls import reverse

    media = selectors_media.public_media_of(case)
    attachments = selectors_media.attachments_of(case, public_only=True)
    if recipient is not None:
        token = recipient.token
        for medium in media:
            medium.url = reverse("fleetback_public:medium_file", args=[token, medium.pk])
            medium.poster_url = reverse("fleetback_public:medium_poster", args=[token, medium.pk])
            medium.content_type = medium_content_type(medium)
        for attachment in attachments:
            attachment.url = reverse("fleetback_public:attachment_file", args=[token, attachment.pk])
    else:
        slug = case.organization.slug
        for medium in media:
            medium.url = reverse("fleetback:medium_file", args=[slug, case.pk, medium.pk])
            medium.poster_url = reverse("fleetback:medium_poster", args=[slug, case.pk, medium.pk])
            medium.content_type = medium_content_type(medium)
        for attachment in attachments:
            attachment.url = reverse("fleetback:attachment_file", args=[slug, case.pk, attachment.pk])
    return {"public_media": media, "public_attachments": attachments}

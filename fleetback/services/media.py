"""Media of a case: photos (image pipeline), videos (checked by ffprobe), limits per dealership,
public/private, order, drawing on photos as new versions. Attachments are in `attachments.py`.

Media belong to what the customer is shown, so they change only while the case awaits dispatch,
like its other fields. The *current* media are those nobody has drawn on; a drawn-on photo is kept
as the version's `original` (not shown, not counted, still downloadable and in the zip).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rentoffice.authorization import require, require_station
from rentoffice.images import ProcessedImage
from rentoffice.models import Membership, Station

from .. import drawing
from ..models import Case, CaseEvent, MediaLimits, Medium
from ..video import CheckedVideo
from .cases import _event
from .rights import require_case
from .status import require_editable


def current_media(case: Case):
    return Medium.objects.filter(case=case, versions__isnull=True)


def limits_for(*, station: Station) -> MediaLimits:
    """The dealership's limits; the defaults (unsaved) while it has none of its own."""
    found = MediaLimits.objects.filter(station=station).first()
    return found or MediaLimits(organization_id=station.organization_id, station=station)


@transaction.atomic
def media_limits_save(
    *, actor: Membership, station: Station, max_photos: int, max_video_seconds: int, max_case_video_seconds: int
) -> MediaLimits:
    require(actor, "cases.configure", organization_id=station.organization_id)
    require_station(actor, station.pk)
    errors = {}
    if max_photos < 0 or max_photos > 500:
        errors["max_photos"] = _("Enter a number from 0 to 500.")
    if max_video_seconds < 0 or max_video_seconds > 3600:
        errors["max_video_seconds"] = _("Enter a number of seconds from 0 to 3600.")
    if max_case_video_seconds < 0 or max_case_video_seconds > 4 * 3600:
        errors["max_case_video_seconds"] = _("Enter a number of seconds from 0 to 14400.")
    if errors:
        raise ValidationError(errors)
    limits, _created = MediaLimits.objects.update_or_create(
        station=station,
        defaults={
            "organization_id": station.organization_id,
            "max_photos": max_photos,
            "max_video_seconds": max_video_seconds,
            "max_case_video_seconds": max_case_video_seconds,
        },
    )
    return limits


def locked_for_change(actor: Membership, case: Case) -> Case:
    """The case row locked for the change, so two uploads at once cannot both pass a limit."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    require_case(actor, case)
    require_editable(case)
    return case


def _next_position(case: Case) -> int:
    top = current_media(case).aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def _minutes(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}"


@transaction.atomic
def photo_add(*, actor: Membership, case: Case, image: ProcessedImage, is_public: bool = True) -> Medium:
    case = locked_for_change(actor, case)
    limit = limits_for(station=case.station).max_photos
    if current_media(case).filter(kind=Medium.Kind.PHOTO).count() >= limit:
        raise ValidationError(
            ngettext(
                "This dealership allows at most %(n)d photo per case.",
                "This dealership allows at most %(n)d photos per case.",
                limit,
            )
            % {"n": limit},
            code="too_many_photos",
        )
    medium = Medium(
        organization_id=case.organization_id,
        case=case,
        kind=Medium.Kind.PHOTO,
        is_public=is_public,
        position=_next_position(case),
        original_name=image.original_name,
        uploaded_by=actor.user,
    )
    medium.file.save("photo.jpg", image.content_file(), save=False)
    medium.poster.save("thumb.jpg", image.thumbnail_file(), save=False)
    medium.save()
    _event(case, CaseEvent.Action.UPDATED, actor=actor, detail=_("Photo added"))
    return medium


@transaction.atomic
def video_add(*, actor: Membership, case: Case, video: CheckedVideo, is_public: bool = True) -> Medium:
    case = locked_for_change(actor, case)
    limits = limits_for(station=case.station)
    if video.seconds > limits.max_video_seconds:
        raise ValidationError(
            _("The video is %(length)s minutes long; this dealership accepts videos of at most %(limit)s minutes.")
            % {"length": _minutes(video.seconds), "limit": _minutes(limits.max_video_seconds)},
            code="video_too_long",
        )
    used = current_media(case).filter(kind=Medium.Kind.VIDEO).aggregate(s=Sum("duration_seconds"))["s"] or 0
    if used + video.seconds > limits.max_case_video_seconds:
        raise ValidationError(
            _(
                "The case already holds %(used)s minutes of video; with this one it would exceed the "
                "dealership's limit of %(limit)s minutes per case."
            )
            % {"used": _minutes(used), "limit": _minutes(limits.max_case_video_seconds)},
            code="case_video_too_long",
        )
    medium = Medium(
        organization_id=case.organization_id,
        case=case,
        kind=Medium.Kind.VIDEO,
        is_public=is_public,
        position=_next_position(case),
        duration_seconds=video.seconds,
        original_name=video.original_name,
        uploaded_by=actor.user,
    )
    video.upload.seek(0)
    medium.file.save(f"video{video.extension}", video.upload, save=False)
    medium.poster.save("poster.jpg", video.poster.content_file(), save=False)
    medium.save()
    _event(case, CaseEvent.Action.UPDATED, actor=actor, detail=_("Video added"))
    return medium


@transaction.atomic
def medium_set_public(*, actor: Membership, medium: Medium, is_public: bool) -> Medium:
    case = locked_for_change(actor, medium.case)
    medium = Medium.objects.get(pk=medium.pk, case=case)
    medium.is_public = is_public
    medium.save(update_fields=["is_public"])
    return medium


@transaction.atomic
def media_reorder(*, actor: Membership, case: Case, order: list[int]) -> None:
    """Put the case's current media in the given order; the list must name each exactly once."""
    case = locked_for_change(actor, case)
    media = {m.pk: m for m in current_media(case)}
    if sorted(order) != sorted(media):
        raise ValidationError(_("The order does not match the case's media; please reload the page."), code="stale")
    for position, pk in enumerate(order):
        if media[pk].position != position:
            media[pk].position = position
            media[pk].save(update_fields=["position"])


@transaction.atomic
def medium_move(*, actor: Membership, medium: Medium, offset: int) -> None:
    """One step earlier (-1) or later (+1): the keyboard's way to reorder."""
    order = list(current_media(medium.case).order_by("position", "pk").values_list("pk", flat=True))
    if medium.pk not in order:
        raise ValidationError(_("Only current media can be moved."))
    index = order.index(medium.pk)
    target = min(len(order) - 1, max(0, index + (1 if offset > 0 else -1)))
    order.insert(target, order.pop(index))
    media_reorder(actor=actor, case=medium.case, order=order)


@transaction.atomic
def medium_delete(*, actor: Membership, medium: Medium) -> None:
    """Remove a medium with the originals it was drawn from; the files go after commit."""
    case = locked_for_change(actor, medium.case)
    medium = Medium.objects.get(pk=medium.pk, case=case)
    chain: list[Medium] = []
    step: Medium | None = medium
    while step is not None:
        chain.append(step)
        step = step.original
    names = [(f.storage, f.name) for m in chain for f in (m.file, m.poster) if f]
    for item in chain:
        item.delete()
    _event(case, CaseEvent.Action.UPDATED, actor=actor, detail=_("Medium removed"))
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])


@transaction.atomic
def medium_draw(*, actor: Membership, medium: Medium, shapes: list[drawing.Shape]) -> Medium:
    """A new version of the photo with the shapes painted on; the photo drawn on stays as it was."""
    case = locked_for_change(actor, medium.case)
    original = Medium.objects.select_for_update().get(pk=medium.pk, case=case)
    if original.kind != Medium.Kind.PHOTO:
        raise ValidationError(_("Only photos can be drawn on."))
    if original.versions.exists():
        raise ValidationError(_("This photo has already been drawn on; draw on its newest version."), code="stale")
    with original.file.open("rb") as handle:
        content = handle.read()
    processed = drawing.render(content, shapes, original_name=original.original_name)
    version = Medium(
        organization_id=case.organization_id,
        case=case,
        kind=Medium.Kind.PHOTO,
        original=original,
        is_public=original.is_public,
        position=original.position,
        original_name=original.original_name,
        uploaded_by=actor.user,
    )
    version.file.save("photo.jpg", ContentFile(processed.content), save=False)
    version.poster.save("thumb.jpg", ContentFile(processed.thumbnail), save=False)
    version.save()
    _event(case, CaseEvent.Action.UPDATED, actor=actor, detail=_("Drawn on a photo (original kept)"))
    return version

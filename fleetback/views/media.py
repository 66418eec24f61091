"""Back-office pages of a case's media and attachments: upload (plain form, or one request per
file from `static/fleetback/media.js` for progress), files, public/private, order, drawing, zip,
and the media limits per dealership. Every view first finds the case through the member's scope."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rentoffice.forms import form_errors_from
from rentoffice.images import protected_file_response
from rentoffice.tenancy import TenantRequest, requires

from .. import selectors, selectors_media
from ..archive import media_zip
from ..documents import max_attachment_size
from ..forms_media import AttachmentUploadForm, DrawForm, MediaLimitsForm, MediaUploadForm, ReorderForm
from ..models import Medium
from ..services import attachments as attachment_services
from ..services import media as media_services
from ..services.status import lock_reason

VIDEO_TYPES = {".mp4": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm"}


def medium_content_type(medium: Medium) -> str:
    if medium.kind == Medium.Kind.PHOTO:
        return "image/jpeg"
    return VIDEO_TYPES.get(PurePosixPath(medium.file.name).suffix.lower(), "application/octet-stream")


def medium_download_name(medium: Medium) -> str:
    suffix = PurePosixPath(medium.file.name).suffix.lower()
    stem = PurePosixPath(medium.original_name).stem[:100] if medium.original_name else medium.kind
    return f"{stem}{'-drawn' if medium.original_id else ''}{suffix}"


def _minutes(seconds: int) -> str:
    minutes, rest = divmod(seconds or 0, 60)
    return f"{minutes}:{rest:02d}"


def media_context(case, *, may_change: bool) -> dict:
    """What the media and attachments section of the case page and the editor shows."""
    media = selectors_media.media_of(case)
    limits = media_services.limits_for(station=case.station)
    for medium in media:
        medium.duration_label = _minutes(medium.duration_seconds)
    return {
        "media": media,
        "attachments": selectors_media.attachments_of(case),
        "media_limits": limits,
        "media_usage": {
            "photos": sum(1 for m in media if m.kind == Medium.Kind.PHOTO),
            "video": _minutes(sum(m.duration_seconds or 0 for m in media if m.kind == Medium.Kind.VIDEO)),
            "max_video": _minutes(limits.max_case_video_seconds),
            "per_video": _minutes(limits.max_video_seconds),
        },
        "media_editable": may_change and case.is_editable,
        "media_form": MediaUploadForm(),
        "attachment_form": AttachmentUploadForm(),
        "attachment_max_mb": round(max_attachment_size() / 1024 / 1024),
    }


def print_photos(case) -> list[dict]:
    """The case's photos (and videos' poster frames) as data: URIs for the print PDF: WeasyPrint
    then needs no fetch at all, and the URL fetcher stays as strict as it is."""
    import base64

    found = []
    for medium in selectors_media.media_of(case):
        field = medium.poster or medium.file
        if not field:
            continue
        with field.open("rb") as handle:
            encoded = base64.b64encode(handle.read()).decode()
        found.append({"medium": medium, "src": f"data:image/jpeg;base64,{encoded}"})
    return found


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _back(request: TenantRequest, org_slug: str, pk: int):
    return redirect("fleetback:detail", org_slug=org_slug, pk=pk)


def _errors_of(exc_or_form) -> list[str]:
    if isinstance(exc_or_form, ValidationError):
        return list(exc_or_form.messages)
    return [message for errors in exc_or_form.errors.values() for message in errors]


def _upload_response(request, org_slug: str, pk: int, saved: int, errors: list[str]):
    if _wants_json(request):
        return JsonResponse({"saved": saved, "errors": errors}, status=400 if errors else 200)
    for error in errors:
        messages.error(request, error)
    if saved:
        messages.success(
            request, ngettext("%(n)d file has been added.", "%(n)d files have been added.", saved) % {"n": saved}
        )
    return _back(request, org_slug, pk)


@requires("cases.change")
def media_upload(request: TenantRequest, org_slug: str, pk: int):
    case = selectors.case_get(membership=request.membership, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not case.is_editable:
        # Refused before any file is read (a video check runs ffprobe and ffmpeg).
        return _upload_response(request, org_slug, pk, 0, [lock_reason(case)])
    form = MediaUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_response(request, org_slug, pk, 0, _errors_of(form))
    saved, errors = 0, []
    for kind, content in form.cleaned_data["files"]:
        try:
            if kind == "photo":
                media_services.photo_add(
                    actor=request.membership, case=case, image=content, is_public=form.cleaned_data["is_public"]
                )
            else:
                media_services.video_add(
                    actor=request.membership, case=case, video=content, is_public=form.cleaned_data["is_public"]
                )
        except ValidationError as exc:
            name = content.original_name
            errors.extend(f"{name}: {m}" if name else m for m in exc.messages)
        else:
            saved += 1
    return _upload_response(request, org_slug, pk, saved, errors)


@requires("cases.change")
def attachment_upload(request: TenantRequest, org_slug: str, pk: int):
    case = selectors.case_get(membership=request.membership, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not case.is_editable:
        # Refused before any file is read (a video check runs ffprobe and ffmpeg).
        return _upload_response(request, org_slug, pk, 0, [lock_reason(case)])
    form = AttachmentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_response(request, org_slug, pk, 0, _errors_of(form))
    saved, errors = 0, []
    for document in form.cleaned_data["files"]:
        try:
            attachment_services.attachment_add(
                actor=request.membership, case=case, document=document, is_public=form.cleaned_data["is_public"]
            )
        except ValidationError as exc:
            errors.extend(f"{document.name}: {m}" for m in exc.messages)
        else:
            saved += 1
    return _upload_response(request, org_slug, pk, saved, errors)


def _medium(request: TenantRequest, pk: int, medium_pk: int) -> Medium:
    case = selectors.case_get(membership=request.membership, pk=pk)
    return selectors_media.medium_get(case=case, pk=medium_pk)


@requires("cases.view")
def medium_file(request: TenantRequest, org_slug: str, pk: int, medium_pk: int):
    medium = _medium(request, pk, medium_pk)
    return protected_file_response(medium.file, content_type=medium_content_type(medium))


@requires("cases.view")
def medium_poster(request: TenantRequest, org_slug: str, pk: int, medium_pk: int):
    medium = _medium(request, pk, medium_pk)
    return protected_file_response(medium.poster, content_type="image/jpeg")


@requires("cases.view")
def medium_download(request: TenantRequest, org_slug: str, pk: int, medium_pk: int):
    medium = _medium(request, pk, medium_pk)
    return protected_file_response(
        medium.file,
        as_attachment=True,
        download_name=medium_download_name(medium),
        content_type=medium_content_type(medium),
    )


@requires("cases.view")
def media_zip_download(request: TenantRequest, org_slug: str, pk: int):
    case = selectors.case_get(membership=request.membership, pk=pk)
    archive = media_zip(list(selectors_media.all_media_of(case)))
    response = FileResponse(
        archive, as_attachment=True, filename=f"case-{case.number}-media.zip", content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _post(request: TenantRequest, org_slug: str, pk: int, run, done: str):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        run()
    except ValidationError as exc:
        if _wants_json(request):
            return JsonResponse({"errors": exc.messages}, status=400)
        messages.error(request, " ".join(exc.messages))
    else:
        if _wants_json(request):
            return JsonResponse({"ok": True})
        messages.success(request, done)
    return _back(request, org_slug, pk)


@requires("cases.change")
def medium_public(request: TenantRequest, org_slug: str, pk: int, medium_pk: int):
    medium = _medium(request, pk, medium_pk)
    public = request.POST.get("is_public") == "1"
    return _post(
        request,
        org_slug,
        pk,
        lambda: media_services.medium_set_public(actor=request.membership, medium=medium, is_public=public),
        _("The medium is now visible to the customer.") if public else _("The medium is now internal."),
    )


@requires("cases.change")
def medium_move(request: TenantRequest, org_slug: str, pk: int, medium_pk: int):
    medium = _medium(request, pk, medium_pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    return _post(
        request,
        org_slug,
        pk,
        lambda: media_services.medium_move(actor=request.membership, medium=medium, offset=offset),
        _("The order has been changed."),
    )


@requires("cases.change")
def media_reorder(request: TenantRequest, org_slug: str, pk: int):
    case = selectors.case_get(membership=request.membership, pk=pk)

    def run():
        form = ReorderForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_errors_of(form))
        media_services.media_reorder(actor=request.membership, case=case, order=form.cleaned_data["order"])

    return _post(request, org_slug, pk, run, _("The order has been changed."))


@requires("cases.change")
def medium_delete(request: TenantRequest, org_slug: str, pk: int, medium_pk: int):
    medium = _medium(request, pk, medium_pk)
    return _post(
        request,
        org_slug,
        pk,
        lambda: media_services.medium_delete(actor=request.membership, medium=medium),
        _("The medium has been removed."),
    )


@requires("cases.change")
def medium_draw(request: TenantRequest, org_slug: str, pk: int, medium_pk: int):
    medium = _medium(request, pk, medium_pk)
    if not medium.case.is_editable:
        messages.info(request, lock_reason(medium.case))
        return _back(request, org_slug, pk)
    form = DrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            media_services.medium_draw(actor=request.membership, medium=medium, shapes=form.cleaned_data["shapes"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The drawing has been saved as a new version; the original is kept."))
            return _back(request, org_slug, pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "fleetback/media_draw.html",
        {"case": medium.case, "medium": medium, "form": form, "colours": DRAW_COLOURS},
        status=status,
    )


DRAW_COLOURS = (
    ("#e53935", _("red")),
    ("#fdd835", _("yellow")),
    ("#43a047", _("green")),
    ("#1e88e5", _("blue")),
    ("#ffffff", _("white")),
    ("#000000", _("black")),
)


def _attachment(request: TenantRequest, pk: int, attachment_pk: int):
    case = selectors.case_get(membership=request.membership, pk=pk)
    return selectors_media.attachment_get(case=case, pk=attachment_pk)


@requires("cases.view")
def attachment_file(request: TenantRequest, org_slug: str, pk: int, attachment_pk: int):
    attachment = _attachment(request, pk, attachment_pk)
    return protected_file_response(
        attachment.file, as_attachment=True, download_name=attachment.name, content_type=attachment.content_type
    )


@requires("cases.change")
def attachment_public(request: TenantRequest, org_slug: str, pk: int, attachment_pk: int):
    attachment = _attachment(request, pk, attachment_pk)
    public = request.POST.get("is_public") == "1"
    return _post(
        request,
        org_slug,
        pk,
        lambda: attachment_services.attachment_set_public(
            actor=request.membership, attachment=attachment, is_public=public
        ),
        _("The attachment is now visible to the customer.") if public else _("The attachment is now internal."),
    )


@requires("cases.change")
def attachment_delete(request: TenantRequest, org_slug: str, pk: int, attachment_pk: int):
    attachment = _attachment(request, pk, attachment_pk)
    return _post(
        request,
        org_slug,
        pk,
        lambda: attachment_services.attachment_delete(actor=request.membership, attachment=attachment),
        _("The attachment has been removed."),
    )


@requires("cases.configure")
def media_limits(request: TenantRequest, org_slug: str):
    rows = selectors_media.media_limits_of_stations(membership=request.membership)
    return render(request, "fleetback/media_limits.html", {"rows": rows})


@requires("cases.configure")
def media_limits_edit(request: TenantRequest, org_slug: str, station_pk: int):
    station, limits = selectors_media.station_for_limits(membership=request.membership, pk=station_pk)
    form = MediaLimitsForm(
        request.POST or None,
        initial={
            "max_photos": limits.max_photos,
            "max_video_minutes": limits.max_video_seconds // 60,
            "max_case_video_minutes": limits.max_case_video_seconds // 60,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            media_services.media_limits_save(
                actor=request.membership,
                station=station,
                max_photos=form.cleaned_data["max_photos"],
                max_video_seconds=form.cleaned_data["max_video_minutes"] * 60,
                max_case_video_seconds=form.cleaned_data["max_case_video_minutes"] * 60,
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The media limits have been saved."))
            return redirect("fleetback:media_limits", org_slug=org_slug)
    return render(request, "fleetback/media_limits_edit.html", {"station": station, "form": form})

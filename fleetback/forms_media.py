"""Forms of a case's media and attachments: they translate uploads into checked content
(image pipeline, ffprobe, document check); the services decide the rest."""

from __future__ import annotations

from pathlib import PurePosixPath

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rentoffice.images import process_image

from . import drawing
from .documents import check_document
from .video import check_video, looks_like_video

MAX_FILES = 20


class _MultipleInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _CheckedFilesField(forms.FileField):
    """Several files, each cleaned by `check`; errors name the file so the user knows which one."""

    def __init__(self, *args, check, accept: str, **kwargs):
        self.check = check
        kwargs.setdefault("widget", _MultipleInput(attrs={"accept": accept}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            raise ValidationError(_("Choose at least one file."), code="required")
        if len(files) > MAX_FILES:
            raise ValidationError(_("Please upload at most %(max)d files at once.") % {"max": MAX_FILES})
        cleaned, errors = [], []
        for upload in files:
            try:
                cleaned.append(self.check(super().clean(upload, initial)))
            except ValidationError as exc:
                name = PurePosixPath(getattr(upload, "name", "") or "").name
                errors.extend(f"{name}: {message}" if name else message for message in exc.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


def _photo_or_video(upload):
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if looks_like_video(head):
        return ("video", check_video(upload))
    try:
        return ("photo", process_image(upload))
    except ValidationError as exc:
        if exc.code == "unsupported":
            raise ValidationError(
                _(
                    "This file is neither a supported photo (JPEG, PNG, WebP, HEIC) nor a supported video (MP4, MOV, WebM)."
                ),
                code="unsupported",
            ) from exc
        raise


class MediaUploadForm(forms.Form):
    files = _CheckedFilesField(
        label=_("Photos and videos"),
        check=_photo_or_video,
        accept="image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif,video/mp4,video/quicktime,video/webm",
    )
    is_public = forms.BooleanField(label=_("Visible to the customer"), required=False, initial=True)


class AttachmentUploadForm(forms.Form):
    files = _CheckedFilesField(
        label=_("Attachments (quotes)"),
        check=check_document,
        accept=".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,image/jpeg,image/png,image/webp,.heic",
    )
    is_public = forms.BooleanField(label=_("Visible to the customer"), required=False, initial=True)


class DrawForm(forms.Form):
    shapes = forms.CharField(widget=forms.HiddenInput, max_length=200_000)

    def clean_shapes(self):
        return drawing.parse_shapes(self.cleaned_data["shapes"])


class ReorderForm(forms.Form):
    order = forms.CharField(max_length=5000)

    def clean_order(self):
        parts = [p.strip() for p in self.cleaned_data["order"].split(",") if p.strip()]
        if not parts or not all(p.isdigit() and len(p) < 12 for p in parts):
            raise ValidationError(_("The order could not be read; please reload the page."))
        return [int(p) for p in parts]


class MediaLimitsForm(forms.Form):
    max_photos = forms.IntegerField(label=_("Photos per case"), min_value=0, max_value=500)
    max_video_minutes = forms.IntegerField(label=_("Minutes per video"), min_value=0, max_value=60)
    max_case_video_minutes = forms.IntegerField(label=_("Minutes of video per case"), min_value=0, max_value=240)

"""The project's one image pipeline: every uploaded photo goes through `process_image`.

Uploads are untrusted: the type is decided by the content (never the name or the browser's content
type), only JPEG, PNG, WebP and HEIC/HEIF are accepted, decompression bombs and oversized files are
refused, and the picture is decoded and re-encoded as JPEG. Re-encoding applies the EXIF orientation
and drops every piece of metadata (GPS position, camera serial, embedded HTML in text chunks, trailing
bytes of polyglot files). Stored files are served only through views that check access
(`protected_file_response`), never from a public media URL.
"""

from __future__ import annotations

import contextlib
import io
import re
import threading
import uuid
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

try:  # HEIC photos from iPhones; optional so the pipeline still works without the library.
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - the library is a declared dependency
    HEIF_SUPPORTED = False

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP") + (("HEIF",) if HEIF_SUPPORTED else ())
THUMBNAIL_SIZE = (480, 480)
JPEG_QUALITY = 88
# Markers of active web content. A file carrying them is a polyglot (e.g. a PNG that a browser
# would also render as HTML) made to attack someone, not a photo.
# A delimiter must follow the tag name so random bytes of compressed pixel data practically never match.
_ACTIVE_CONTENT = re.compile(rb"<(script|html|iframe|body|object|embed|svg)[\s>/]|<!doctype\s+html|javascript:")
_SCAN_CHUNK = 1024 * 1024


def max_upload_size() -> int:
    return settings.MAX_IMAGE_UPLOAD_SIZE


def max_pixels() -> int:
    """Largest accepted picture (width x height); 48 MP phone cameras must pass."""
    return getattr(settings, "MAX_IMAGE_PIXELS", 60_000_000)


@dataclass(frozen=True)
class ProcessedImage:
    """A cleaned image ready to store: re-encoded full size and thumbnail (both JPEG bytes)."""

    content: bytes
    thumbnail: bytes
    width: int
    height: int
    original_name: str
    source_format: str

    def content_file(self) -> ContentFile:
        return ContentFile(self.content, name="image.jpg")

    def thumbnail_file(self) -> ContentFile:
        return ContentFile(self.thumbnail, name="thumb.jpg")


def _size_of(uploaded_file) -> int:
    size = getattr(uploaded_file, "size", None)
    if size is not None:
        return size
    uploaded_file.seek(0, io.SEEK_END)
    size = uploaded_file.tell()
    uploaded_file.seek(0)
    return size


def _read_limited(uploaded_file, limit: int) -> bytes:
    """Read the whole upload, but never more than `limit` + 1 bytes (the declared size may lie)."""
    uploaded_file.seek(0)
    data = bytearray()
    while len(data) <= limit:
        chunk = uploaded_file.read(_SCAN_CHUNK)
        if not chunk:
            break
        data += chunk
    return bytes(data)


def _refuse_too_large(limit: int):
    raise ValidationError(
        _("The file is too large. Photos may be at most %(size)s MB.") % {"size": round(limit / 1024 / 1024, 1)},
        code="too_large",
    )


def _has_active_content(data: bytes) -> bool:
    return _ACTIVE_CONTENT.search(data.lower()) is not None


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # No exif=, icc_profile= or comment: the new file carries pixels only. Pillow's JPEG writer
    # copies `info["comment"]` of the source by itself, so the info is emptied first.
    image.info = {}
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _decoded(image: Image.Image) -> Image.Image:
    """The pixels, upright and in RGB; a bomb or a broken file becomes a ValidationError."""
    try:
        with _strict_loading():
            image.load()
        return _to_rgb(ImageOps.exif_transpose(image))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb_error() from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise ValidationError(_("The image is damaged or incomplete."), code="damaged") from exc


def process_image(uploaded_file) -> ProcessedImage:
    """Validate and clean an uploaded photo. Raises ValidationError with a message for the user."""
    limit = max_upload_size()
    if _size_of(uploaded_file) > limit:
        _refuse_too_large(limit)
    data = _read_limited(uploaded_file, limit)
    if len(data) > limit:
        _refuse_too_large(limit)
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    unsupported = ValidationError(
        _("This file is not a supported photo. Please upload a JPEG, PNG, WebP or HEIC image."), code="unsupported"
    )
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; every bomb must be refused.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _bomb_error() from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise unsupported from exc
        if image.format not in ACCEPTED_FORMATS:
            raise unsupported
        width, height = image.size
        if width * height > max_pixels() or width <= 0 or height <= 0:
            raise _bomb_error()
        if _has_active_content(data):
            raise ValidationError(
                _("This file contains hidden web content (HTML or script) and cannot be accepted as a photo."),
                code="active_content",
            )
        source_format = image.format
        image = _decoded(image)
    content = _encode(image)
    thumb = image.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    return ProcessedImage(
        content=content,
        thumbnail=_encode(thumb),
        width=image.width,
        height=image.height,
        original_name=PurePosixPath(getattr(uploaded_file, "name", "") or "").name[:200],
        source_format=source_format,
    )


@contextlib.contextmanager
def _strict_loading():
    """Refuse truncated files even when another library (WeasyPrint does, on import) has switched
    Pillow to accept them process-wide; the previous setting is restored afterwards."""
    with _truncation_lock:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


_truncation_lock = threading.Lock()


def _bomb_error() -> ValidationError:
    return ValidationError(
        _("The image has too many pixels (at most %(mp)s megapixels are accepted).")
        % {"mp": max_pixels() // 1_000_000},
        code="too_many_pixels",
    )


def _upload_to(instance, filename: str) -> str:
    """Random names under the model's prefix: nothing about the upload is guessable or reused."""
    suffix = "-thumb" if "thumb" in filename else ""
    prefix = getattr(instance, "image_prefix", "images")
    return f"{prefix}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}.jpg"


class StoredImage(models.Model):
    """An image stored through the pipeline: cleaned full-size file plus thumbnail.

    Subclasses add the owning record (vehicle, damage, protocol ...) and set `image_prefix`.
    Create rows with `set_processed(processed)` and `save()`; serve with `protected_file_response`.
    """

    image_prefix = "images"

    image = models.ImageField(_("image"), upload_to=_upload_to, width_field="width", height_field="height")
    thumbnail = models.ImageField(_("thumbnail"), upload_to=_upload_to)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        abstract = True

    def set_processed(self, processed: ProcessedImage) -> None:
        self.image.save("image.jpg", processed.content_file(), save=False)
        self.thumbnail.save("thumb.jpg", processed.thumbnail_file(), save=False)
        self.original_name = processed.original_name


def protected_file_response(
    fieldfile, *, download_name: str | None = None, as_attachment: bool = False, content_type: str | None = None
):
    """Stream a stored file to a viewer who has already been checked by the calling view.

    Works with any storage (local disk or S3). Headers keep a browser from sniffing the type or
    running anything in the file, and keep shared caches from keeping a copy.
    """
    if not fieldfile:
        raise Http404
    try:
        handle = fieldfile.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    name = download_name or PurePosixPath(fieldfile.name).name
    response = FileResponse(handle, as_attachment=as_attachment, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ImageUploadField(forms.FileField):
    """Form field for one or several photos; cleans each through `process_image`.

    `cleaned_data[name]` is a list of `ProcessedImage` (empty when nothing was chosen and the
    field is optional). Errors name the offending file so the user knows which one to replace.
    """

    default_error_messages = {
        "too_many": _("Please upload at most %(max)d photos at once."),
    }

    def __init__(self, *args, multiple: bool = True, max_files: int = 20, **kwargs):
        self.multiple = multiple
        self.max_files = max_files
        widget_class = MultipleImageInput if multiple else forms.ClearableFileInput
        kwargs.setdefault(
            "widget",
            widget_class(attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_files:
            raise ValidationError(self.error_messages["too_many"] % {"max": self.max_files}, code="too_many")
        processed, errors = [], []
        for upload in files:
            try:
                processed.append(process_image(super().clean(upload, initial)))
            except ValidationError as exc:
                name = PurePosixPath(getattr(upload, "name", "") or "").name
                errors.extend(f"{name}: {message}" if name else message for message in exc.messages)
        if errors:
            raise ValidationError(errors)
        return processed

"""Attachments of dealer cases (quotes), checked by their content: PDF, Office files, images.

The type is decided by the bytes, never by the name or the browser: a PDF starts with `%PDF-`,
OOXML and OpenDocument files are ZIP archives with their main part inside, legacy Office files are
OLE compound documents. Images go through the image pipeline (re-encoded, metadata dropped). The
stored name carries the extension of the detected type, so a download opens in the right program.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from rentoffice.images import process_image

_OOXML = {
    "word/document.xml": (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xl/workbook.xml": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ppt/presentation.xml": (".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
_ODF = {
    b"application/vnd.oasis.opendocument.text": ".odt",
    b"application/vnd.oasis.opendocument.spreadsheet": ".ods",
    b"application/vnd.oasis.opendocument.presentation": ".odp",
}
_OLE = {".doc": "application/msword", ".xls": "application/vnd.ms-excel", ".ppt": "application/vnd.ms-powerpoint"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG", b"RIFF", b"\x00\x00\x00")


def max_attachment_size() -> int:
    return getattr(settings, "FLEETBACK_MAX_ATTACHMENT_SIZE", settings.MAX_DOCUMENT_UPLOAD_SIZE)


@dataclass(frozen=True)
class CheckedDocument:
    content: bytes
    name: str
    extension: str
    content_type: str

    @property
    def size(self) -> int:
        return len(self.content)


def _unsupported() -> ValidationError:
    return ValidationError(
        _(
            "This file type is not accepted. Please attach a PDF, an Office document (Word, Excel, PowerPoint, OpenDocument) or an image."
        ),
        code="unsupported_document",
    )


def _read(upload, limit: int) -> bytes:
    size = getattr(upload, "size", None)
    too_large = ValidationError(
        _("The file is too large. Attachments may be at most %(size)s MB.") % {"size": round(limit / 1024 / 1024, 1)},
        code="too_large",
    )
    if size is not None and size > limit:
        raise too_large
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    return data


def _zip_kind(data: bytes) -> tuple[str, str] | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "[Content_Types].xml" in names:
            for part, kind in _OOXML.items():
                if part in names:
                    return kind
        if "mimetype" in names:
            mimetype = archive.read("mimetype").strip()
            if mimetype in _ODF:
                return _ODF[mimetype], mimetype.decode()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError, NotImplementedError):
        return None
    return None


def check_document(upload) -> CheckedDocument:
    """The attachment's cleaned content and detected type, or a ValidationError for the user."""
    data = _read(upload, max_attachment_size())
    name = PurePosixPath(getattr(upload, "name", "") or "").name[:200] or _("attachment")
    stem = PurePosixPath(name).stem[:180] or _("attachment")
    suffix = PurePosixPath(name).suffix.lower()
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(_("The PDF is damaged or incomplete."), code="damaged")
        return CheckedDocument(data, f"{stem}.pdf", ".pdf", "application/pdf")
    if data.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data)
        if kind is None:
            raise _unsupported()
        return CheckedDocument(data, f"{stem}{kind[0]}", kind[0], kind[1])
    if data.startswith(_OLE_MAGIC):
        # Old binary Office files say nothing simple about themselves; the name decides among the three.
        if suffix not in _OLE:
            raise _unsupported()
        return CheckedDocument(data, f"{stem}{suffix}", suffix, _OLE[suffix])
    if data.startswith(_IMAGE_MAGIC) or suffix in (".heic", ".heif"):
        processed = process_image(io.BytesIO(data))
        return CheckedDocument(processed.content, f"{stem}.jpg", ".jpg", "image/jpeg")
    raise _unsupported()

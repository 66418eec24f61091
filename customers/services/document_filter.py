"""The content check for customer documents and e-mail uploads: what may be stored, and how.

The type is decided by the content, never by the name. Executables and web pages are refused.
Text-like files (plain text, CSV, XML, SVG) are searched for active content in every encoding a
browser or XML parser might read them in (UTF-8, UTF-16/32 with or without byte-order mark, UTF-7,
Latin-1), and with any namespace prefix on the tag (`<svg:script>`, `<h:iframe>`), so re-encoding a
script does not smuggle it past the filter. Pictures are not stored as uploaded: they go through the
project's image pipeline (`rentoffice.images.process_image`), which re-encodes them and drops every
piece of metadata (GPS position, camera serial, comments).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from rentoffice.images import process_image

BLOCKED_MIME = {
    "application/x-msdownload",
    "application/x-dosexec",
    "application/x-executable",
    "application/x-elf",
    "application/x-mach-binary",
    "application/x-sharedlib",
    "application/vnd.microsoft.portable-executable",
    "application/x-shockwave-flash",
    "application/java-archive",
    "application/x-sh",
    "text/html",
}
BLOCKED_EXTENSIONS = {
    "exe",
    "dll",
    "com",
    "bat",
    "cmd",
    "sh",
    "msi",
    "scr",
    "js",
    "vbs",
    "ps1",
    "jar",
    "html",
    "htm",
    "xhtml",
    "php",
    "app",
    "elf",
}
MAGIC_PREFIXES = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"#!")
# Pictures a camera or phone makes; stored re-encoded through the image pipeline.
IMAGE_MIME = {"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"}
# On decoded text. `([\w.-]+:)?` catches namespaced elements; processing instructions and entity
# declarations are refused too (an XSLT stylesheet runs script, entities fetch files).
ACTIVE_MARKERS = re.compile(
    r"<\s*([\w.-]+:)?(script|html|!doctype\s+html|iframe|object|embed|foreignobject|handler|listener)\b"
    r"|<\?\s*xml-stylesheet|<!entity|javascript\s*:|vbscript\s*:|\bon\w+\s*=",
    re.I,
)
ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-7", "latin-1")


@dataclass
class CheckedUpload:
    """What to store for an accepted upload: its content type, file name and content."""

    content_type: str
    name: str
    file: File  # the upload itself, or a ContentFile of the cleaned picture
    size: int


def _decodings(data: bytes):
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding, errors="ignore")
        except LookupError:  # pragma: no cover - every listed codec ships with Python
            continue
        # Zero-width and other format characters must not split a tag name.
        yield re.sub(r"[\x00\u200b-\u200f\u2060\ufeff]", "", text)


def has_active_content(data: bytes) -> bool:
    return any(ACTIVE_MARKERS.search(text) for text in _decodings(data))


def _size(upload: UploadedFile) -> int:
    # Files parsed from a request (and ContentFile) always know their size.
    assert upload.size is not None  # noqa: S101
    return upload.size


def document_check(upload: UploadedFile) -> str:
    """The content type of an acceptable upload; raises ValidationError for anything unsafe or too big."""
    limit = settings.MAX_DOCUMENT_UPLOAD_SIZE
    size = _size(upload)
    if size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    if size == 0:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    name = (upload.name or "").lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    if extension in BLOCKED_EXTENSIONS or mime in BLOCKED_MIME or head.startswith(MAGIC_PREFIXES):
        raise ValidationError(_("Executable files, scripts and web pages cannot be uploaded."))
    if kind is None or extension in ("svg", "xml") or mime in ("image/svg+xml", "application/xml", "text/xml"):
        # Text-like content (plain text, CSV, SVG, XML): refuse anything a browser would execute.
        data = upload.read()
        upload.seek(0)
        if has_active_content(data):
            raise ValidationError(_("The file contains active content (scripts or HTML) and was refused."))
        if extension == "svg":
            return "image/svg+xml"
        return {"txt": "text/plain", "csv": "text/csv", "xml": "application/xml"}.get(
            extension, "application/octet-stream"
        )
    return mime


def document_clean(upload: UploadedFile) -> CheckedUpload:
    """Check an upload and return what to store: pictures re-encoded without metadata, the rest as is."""
    content_type = document_check(upload)
    name = PurePosixPath(upload.name or "file").name or "file"
    if content_type in IMAGE_MIME:
        processed = process_image(upload)
        stem = name.rsplit(".", 1)[0] if "." in name else name
        return CheckedUpload("image/jpeg", f"{stem}.jpg", ContentFile(processed.content), len(processed.content))
    return CheckedUpload(content_type, name, upload, _size(upload))

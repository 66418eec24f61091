"""A sent (or queued, or failed) message as it went out, for staff who may see its record."""

from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_sameorigin

from .. import record_kinds
from ..message_display import mask_secrets
from ..selectors import message_get
from ..tenancy import requires

# The HTML part is the organization's or a customer-facing layout, not our page: it is served on
# its own URL, framed by our page in a sandboxed iframe, and may run nothing and load nothing but
# inline styles and data: images.
HTML_PART_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox"
)


def _attachments(message) -> list[dict]:
    rows = []
    for index, attachment in enumerate(message.attachments or []):
        path = attachment.get("path", "")
        try:
            size = default_storage.size(path) if path else None
        except (FileNotFoundError, OSError, NotImplementedError):
            size = None
        rows.append(
            {
                "index": index,
                "name": attachment.get("name") or PurePosixPath(path).name,
                "content_type": attachment.get("content_type", ""),
                "size": size,
            }
        )
    return rows


@requires("messages.view")
def message_detail(request, org_slug, pk):
    message, related = message_get(membership=request.membership, pk=pk)
    return render(
        request,
        "rentoffice/message_detail.html",
        {
            "message": message,
            "related": related,
            "kind": record_kinds.kind_of(type(related)),
            "body_text": mask_secrets(message.body_text),
            "attachments": _attachments(message),
        },
    )


@requires("messages.view")
@xframe_options_sameorigin
def message_html(request, org_slug, pk):
    message, _related = message_get(membership=request.membership, pk=pk)
    if not message.body_html:
        raise Http404
    response = HttpResponse(mask_secrets(message.body_html), content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = HTML_PART_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


@requires("messages.view")
def message_attachment(request, org_slug, pk):
    """Attachment `?n=<index>` (default: the first) as a download."""
    message, _related = message_get(membership=request.membership, pk=pk)
    raw = request.GET.get("n", "0")
    attachments = message.attachments or []
    if not (raw.isascii() and raw.isdigit() and len(raw) < 4) or int(raw) >= len(attachments):
        raise Http404
    attachment = attachments[int(raw)]
    try:
        handle = default_storage.open(attachment["path"], "rb")
    except (KeyError, FileNotFoundError, OSError):
        raise Http404 from None
    name = attachment.get("name") or PurePosixPath(attachment["path"]).name
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type=attachment.get("content_type") or None
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response

"""The protocol PDF for staff: the stored file the customer received, downloaded after the access check."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header

from rentoffice.images import protected_file_response
from rentoffice.tenancy import TenantRequest, requires

from ..pdf import protocol_pdf_render
from ..selectors import protocol_get
from ..services.delivery import protocol_pdf_filename


@requires("contracts.view")
def protocol_pdf(request: TenantRequest, org_slug: str, pk: int) -> HttpResponse:
    protocol = protocol_get(membership=request.membership, pk=pk)
    if not protocol.is_submitted:
        raise Http404  # a draft has no protocol to print yet
    name = protocol_pdf_filename(protocol)
    if protocol.pdf:
        return protected_file_response(
            protocol.pdf, download_name=name, as_attachment=True, content_type="application/pdf"
        )
    # Submitted a moment ago and the worker has not stored it yet: the same document, rendered now.
    response = HttpResponse(protocol_pdf_render(protocol=protocol), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

"""Condition photos and signatures of protocols, served only after the selector's access check."""

from __future__ import annotations

from rentoffice.images import protected_file_response
from rentoffice.tenancy import TenantRequest, requires

from .. import selectors


@requires("contracts.view")
def photo(request: TenantRequest, org_slug, pk, variant):
    stored = selectors.protocol_photo_get(membership=request.membership, pk=pk)
    return protected_file_response(stored.thumbnail if variant == "thumb" else stored.image)


@requires("contracts.view")
def signature(request: TenantRequest, org_slug, pk):
    stored = selectors.protocol_signature_get(membership=request.membership, pk=pk)
    return protected_file_response(stored.image)

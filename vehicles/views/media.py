"""Fleet photos, served only to members who may see the vehicle (never a public media URL)."""

from rentoffice.images import protected_file_response
from rentoffice.tenancy import requires

from .. import selectors


@requires("vehicles.view")
def photo(request, org_slug, kind, pk, variant):
    stored = selectors.photo_get(membership=request.membership, kind=kind, pk=pk)
    return protected_file_response(stored.thumbnail if variant == "thumb" else stored.image)

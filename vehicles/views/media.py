"""Fleet photos, served only to members who may see the vehicle (never a public media URL)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from rentoffice.images import protected_file_response
from rentoffice.tenancy import requires

from .. import selectors, services


@requires("vehicles.view")
def photo(request, org_slug, kind, pk, variant):
    stored = selectors.photo_get(membership=request.membership, kind=kind, pk=pk)
    return protected_file_response(stored.thumbnail if variant == "thumb" else stored.image)


def _owner(kind: str, photo, org_slug: str) -> tuple[object, object, str]:
    """(vehicle, damage or None, URL of the page showing the photo)."""
    if kind == "damage":
        return photo.damage.vehicle, photo.damage, reverse("vehicles:damage_detail", args=[org_slug, photo.damage_id])
    if kind == "condition":
        return photo.record.vehicle, None, reverse("vehicles:condition_detail", args=[org_slug, photo.record_id])
    return photo.vehicle, None, reverse("vehicles:detail", args=[org_slug, photo.vehicle_id]) + "#photos"


@requires("vehicles.change")
def photo_delete(request, org_slug, kind, pk):
    """Ask first (GET shows the photo), delete on POST."""
    stored = selectors.photo_get(membership=request.membership, kind=kind, pk=pk, with_owner=True)
    vehicle, damage, back = _owner(kind, stored, org_slug)
    if request.method == "POST":
        try:
            services.photo_delete(photo=stored, actor=request.membership)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The photo has been deleted."))
        return redirect(back)
    return render(
        request,
        "vehicles/photo_delete.html",
        {"photo": stored, "kind": kind, "vehicle": vehicle, "damage": damage, "back": back},
    )

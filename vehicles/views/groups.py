"""Vehicle groups of the organization."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from rentoffice.forms import form_errors_from
from rentoffice.images import protected_file_response
from rentoffice.tenancy import requires

from .. import selectors, services
from ..forms import VehicleGroupForm
from ..models import Vehicle, VehicleGroup


def _check_may_see_groups(request) -> None:
    # Fleet staff look groups up; group managers (e.g. dealer managers) may lack vehicles.view.
    if not (request.membership.has_perm("vehicles.view") or request.membership.has_perm("vehicles.groups")):
        raise PermissionDenied


def group_list(request, org_slug):
    _check_may_see_groups(request)
    groups = selectors.groups_for(membership=request.membership).annotate(
        active_vehicles=Count("vehicles", filter=~Q(vehicles__status=Vehicle.Status.RETIRED))
    )
    return render(request, "vehicles/group_list.html", {"groups": groups})


def _group_form_page(request, org_slug, group):
    form = VehicleGroupForm(
        request.POST or None, request.FILES or None, instance=group, organization=request.organization
    )
    if request.method == "POST" and form.is_valid():
        photos = form.cleaned_data.get("new_photo") or []
        try:
            group = services.vehicle_group_save(
                actor=request.membership,
                group=form.save(commit=False),
                photo=photos[0] if photos else None,
                remove_photo=form.cleaned_data.get("remove_photo", False),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The vehicle group has been saved."))
            return redirect("vehicles:group_list", org_slug=org_slug)
    return render(request, "vehicles/group_form.html", {"form": form, "group": group})


@requires("vehicles.groups")
def group_create(request, org_slug):
    return _group_form_page(request, org_slug, VehicleGroup(organization=request.organization))


@requires("vehicles.groups")
def group_edit(request, org_slug, pk):
    return _group_form_page(request, org_slug, selectors.group_get(membership=request.membership, pk=pk))


def group_photo(request, org_slug, pk, variant):
    _check_may_see_groups(request)
    group = selectors.group_get(membership=request.membership, pk=pk)
    return protected_file_response(group.photo_thumbnail if variant == "thumb" else group.photo)


@requires("vehicles.groups")
def group_delete(request, org_slug, pk):
    """Ask first (GET), delete on POST; a group that still has vehicles is refused with a message."""
    group = selectors.group_get(membership=request.membership, pk=pk)
    if request.method == "POST":
        try:
            services.vehicle_group_delete(actor=request.membership, group=group)
        except (services.VehicleGroupInUse, services.VehicleGroupDeleteRefused) as exc:
            messages.error(request, str(exc))
            return redirect("vehicles:group_edit", org_slug=org_slug, pk=group.pk)
        messages.success(request, _("The vehicle group has been deleted."))
        return redirect("vehicles:group_list", org_slug=org_slug)
    in_use = selectors.group_vehicle_count(group=group)
    # Said before the POST, in the service's own words, so nobody confirms a delete that will be refused.
    refusal = str(services.VehicleGroupInUse(in_use)) if in_use else ""
    return render(request, "vehicles/group_delete.html", {"group": group, "refusal": refusal})

"""Damages: report on the sketch, view, edit, change status, add photos."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from rentoffice.forms import form_errors_from
from rentoffice.tenancy import requires

from .. import selectors, services
from ..forms import DamageForm, DamageStatusForm, PhotosForm
from ..models import Damage
from ..sketch import BOXES, markers_for


def _sketch_context(vehicle, damage_being_edited=None) -> dict:
    others = [d for d in selectors.vehicle_damages(vehicle=vehicle) if d.is_open and d != damage_being_edited]
    return {"markers": markers_for(others), "boxes": BOXES}


@requires("vehicles.change")
def damage_create(request, org_slug, pk):
    vehicle = selectors.vehicle_get(membership=request.membership, pk=pk)
    form = DamageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            damage = services.damage_create(
                vehicle=vehicle,
                damage=form.save(commit=False),
                actor=request.membership,
                photos=form.cleaned_data["photos"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The damage has been recorded."))
            return redirect("vehicles:damage_detail", org_slug=org_slug, pk=damage.pk)
    return render(
        request,
        "vehicles/damage_form.html",
        {"vehicle": vehicle, "form": form, "damage": None, **_sketch_context(vehicle)},
    )


@requires("vehicles.view")
def damage_detail(request, org_slug, pk):
    damage = selectors.damage_get(membership=request.membership, pk=pk)
    return render(
        request,
        "vehicles/damage_detail.html",
        {
            "damage": damage,
            "vehicle": damage.vehicle,
            "markers": markers_for([damage]),
            "boxes": BOXES,
            "status_form": DamageStatusForm(initial={"status": damage.status}),
            "photos_form": PhotosForm(),
        },
    )


@requires("vehicles.change")
def damage_edit(request, org_slug, pk):
    damage = selectors.damage_get(membership=request.membership, pk=pk)
    form = DamageForm(request.POST or None, instance=damage, with_photos=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.damage_update(damage=form.save(commit=False), actor=request.membership)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The damage has been saved."))
            return redirect("vehicles:damage_detail", org_slug=org_slug, pk=damage.pk)
    return render(
        request,
        "vehicles/damage_form.html",
        {"vehicle": damage.vehicle, "form": form, "damage": damage, **_sketch_context(damage.vehicle, damage)},
    )


@requires("vehicles.change")
def damage_status(request, org_slug, pk):
    damage = selectors.damage_get(membership=request.membership, pk=pk)
    form = DamageStatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.damage_status_set(
            damage=damage, actor=request.membership, status=data["status"], date=data["date"], note=data["note"]
        )
        messages.success(
            request,
            _("The status of the damage is now “%(status)s”.") % {"status": Damage.Status(data["status"]).label},
        )
        return redirect("vehicles:damage_detail", org_slug=org_slug, pk=damage.pk)
    return render(
        request, "vehicles/damage_status_form.html", {"damage": damage, "vehicle": damage.vehicle, "form": form}
    )


@requires("vehicles.change")
def damage_photos_add(request, org_slug, pk):
    damage = selectors.damage_get(membership=request.membership, pk=pk)
    form = PhotosForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.damage_photos_add(damage=damage, actor=request.membership, photos=form.cleaned_data["photos"])
        messages.success(request, _("The photos have been added."))
        return redirect("vehicles:damage_detail", org_slug=org_slug, pk=damage.pk)
    return render(
        request,
        "vehicles/photos_form.html",
        {"vehicle": damage.vehicle, "form": form, "damage": damage, "title": _("Add damage photos")},
    )

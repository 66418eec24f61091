"""Condition records (Zustand) of a vehicle: record, view, list all, add photos."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from rentoffice.forms import form_errors_from
from rentoffice.tenancy import requires

from .. import selectors, services
from ..forms import ConditionRecordForm, PhotosForm

PAGE_SIZE = 25


@requires("vehicles.change")
def condition_record_create(request, org_slug, pk):
    vehicle = selectors.vehicle_get(membership=request.membership, pk=pk)
    may_override = request.membership.has_perm("vehicles.km_override")
    form = ConditionRecordForm(
        request.POST or None, request.FILES or None, initial={"km": vehicle.current_km}, may_override=may_override
    )
    km_refusal = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.condition_record_create(
                vehicle=vehicle,
                actor=request.membership,
                photos=data["photos"],
                note=data["note"],
                km=data["km"],
                override_reason=data.get("override_reason", ""),
                confirmed_implausible=data["confirm_implausible"],
            )
        except services.KmReadingRefused as exc:
            km_refusal = exc.code
            form.add_error("km", exc.messages)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The condition record has been saved."))
            return redirect("vehicles:condition_detail", org_slug=org_slug, pk=record.pk)
    return render(
        request,
        "vehicles/condition_form.html",
        {
            "vehicle": vehicle,
            "form": form,
            "needs_confirmation": km_refusal == "implausible",
            "needs_override": km_refusal in ("below_previous", "above_next"),
        },
    )


@requires("vehicles.view")
def condition_record_detail(request, org_slug, pk):
    record = selectors.condition_record_get(membership=request.membership, pk=pk)
    return render(request, "vehicles/condition_detail.html", {"record": record, "vehicle": record.vehicle})


@requires("vehicles.view")
def condition_record_list(request, org_slug, pk):
    vehicle = selectors.vehicle_get(membership=request.membership, pk=pk)
    page = Paginator(selectors.vehicle_condition_records(vehicle=vehicle, limit=None), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "vehicles/condition_list.html", {"vehicle": vehicle, "page": page})


@requires("vehicles.change")
def condition_photos_add(request, org_slug, pk):
    record = selectors.condition_record_get(membership=request.membership, pk=pk)
    form = PhotosForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.condition_photos_add(record=record, actor=request.membership, photos=form.cleaned_data["photos"])
        messages.success(request, _("The photos have been added."))
        return redirect("vehicles:condition_detail", org_slug=org_slug, pk=record.pk)
    return render(
        request,
        "vehicles/photos_form.html",
        {
            "vehicle": record.vehicle,
            "form": form,
            "record": record,
            "title": _("Add condition photos"),
        },
    )

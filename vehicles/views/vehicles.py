"""Vehicle list, vehicle page, create/edit/retire, km readings, vehicle photos."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from rentoffice.forms import form_errors_from
from rentoffice.list_urls import pk_url
from rentoffice.tenancy import requires

from .. import selectors, services
from ..forms import KmReadingForm, PhotosForm, RetireForm, VehicleFilterForm, VehicleForm
from ..models import KmReading
from ..sketch import BOXES, markers_for

PAGE_SIZE = 50


@requires("vehicles.view")
def vehicle_list(request, org_slug):
    filter_form = VehicleFilterForm(request.GET or None, membership=request.membership)
    filters = filter_form.filters() if request.GET else {}
    vehicles = selectors.vehicle_search(membership=request.membership, station_filter=request.station_filter, **filters)
    page = Paginator(vehicles, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    detail_url = pk_url("vehicles:detail", org_slug=org_slug)
    for vehicle in page.object_list:
        vehicle.detail_url = detail_url(vehicle.pk)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "page": page,
        "sort": filters.get("sort", "plate"),
        "query": query.urlencode(),
        "query_without_sort": _without(query, "sort"),
    }
    if request.htmx and request.htmx.target == "vehicle-results":
        return render(request, "vehicles/_vehicle_results.html", context)
    return render(request, "vehicles/vehicle_list.html", context)


def _without(query, key: str) -> str:
    copy = query.copy()
    copy.pop(key, None)
    return copy.urlencode()


@requires("vehicles.change")
def vehicle_create(request, org_slug):
    form = VehicleForm(request.POST or None, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        try:
            vehicle = services.vehicle_save(
                vehicle=form.save(commit=False), actor=request.membership, initial_km=form.cleaned_data["initial_km"]
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            for warning in form.warnings:
                messages.warning(request, warning)
            messages.success(request, _("The vehicle has been created."))
            return redirect("vehicles:detail", org_slug=org_slug, pk=vehicle.pk)
    return render(request, "vehicles/vehicle_form.html", {"form": form, "vehicle": None})


@requires("vehicles.change")
def vehicle_edit(request, org_slug, pk):
    vehicle = selectors.vehicle_get(membership=request.membership, pk=pk)
    form = VehicleForm(request.POST or None, instance=vehicle, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.vehicle_save(vehicle=form.save(commit=False), actor=request.membership)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            for warning in form.warnings:
                messages.warning(request, warning)
            messages.success(request, _("The vehicle has been saved."))
            return redirect("vehicles:detail", org_slug=org_slug, pk=vehicle.pk)
    return render(request, "vehicles/vehicle_form.html", {"form": form, "vehicle": vehicle})


@requires("vehicles.view")
def vehicle_detail(request, org_slug, pk):
    vehicle = selectors.vehicle_get(membership=request.membership, pk=pk)
    damages = list(selectors.vehicle_damages(vehicle=vehicle))
    open_damages = [d for d in damages if d.is_open]
    # One more than shown tells whether "show all" is needed, without counting.
    condition_records = selectors.vehicle_condition_records(
        vehicle=vehicle, limit=selectors.CONDITION_RECORDS_ON_PAGE + 1
    )
    return render(
        request,
        "vehicles/vehicle_detail.html",
        {
            "vehicle": vehicle,
            "damages": damages,
            "open_damages": open_damages,
            "markers": markers_for(open_damages),
            "boxes": BOXES,
            "km_history": list(selectors.vehicle_km_history(vehicle=vehicle)),
            "condition_records": condition_records[: selectors.CONDITION_RECORDS_ON_PAGE],
            "more_condition_records": len(condition_records) > selectors.CONDITION_RECORDS_ON_PAGE,
            "photos": list(selectors.vehicle_photos(vehicle=vehicle)),
            "retire_form": RetireForm(),
            "photos_form": PhotosForm(),
        },
    )


@requires("vehicles.view")
def vehicle_km_history(request, org_slug, pk):
    vehicle = selectors.vehicle_get(membership=request.membership, pk=pk)
    readings = Paginator(selectors.vehicle_km_history(vehicle=vehicle, limit=None), 100).get_page(
        request.GET.get("page")
    )
    return render(request, "vehicles/km_history.html", {"vehicle": vehicle, "page": readings})


@requires("vehicles.change")
def vehicle_retire(request, org_slug, pk):
    vehicle = selectors.vehicle_get(membership=request.membership, pk=pk)
    form = RetireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.vehicle_retire(vehicle=vehicle, actor=request.membership, reason=form.cleaned_data["reason"])
        messages.success(request, _("The vehicle has been retired. Its history is kept."))
        return redirect("vehicles:detail", org_slug=org_slug, pk=vehicle.pk)
    return render(request, "vehicles/vehicle_retire.html", {"vehicle": vehicle, "form": form})


@requires("vehicles.change")
def vehicle_reactivate(request, org_slug, pk):
    vehicle = selectors.vehicle_get(membership=request.membership, pk=pk)
    if request.method == "POST":
        try:
            services.vehicle_reactivate(vehicle=vehicle, actor=request.membership)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The vehicle is back in the fleet."))
    return redirect("vehicles:detail", org_slug=org_slug, pk=vehicle.pk)


@requires("vehicles.change")
def km_reading_add(request, org_slug, pk):
    vehicle = selectors.vehicle_get(membership=request.membership, pk=pk)
    may_override = request.membership.has_perm("vehicles.km_override")
    form = KmReadingForm(request.POST or None, may_override=may_override)
    needs_confirmation = needs_override = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.km_reading_record(
                vehicle=vehicle,
                km=data["km"],
                source=KmReading.Source.STAFF,
                actor=request.membership,
                recorded_at=data["recorded_at"],
                override_reason=data.get("override_reason", ""),
                confirmed_implausible=data["confirm_implausible"],
                note=data["note"],
            )
        except services.KmReadingRefused as exc:
            needs_confirmation = exc.code == "implausible"
            needs_override = exc.code in ("below_previous", "above_next")
            form.add_error("recorded_at" if exc.code in ("future", "date_out_of_range") else "km", exc.messages)
            if needs_override and not may_override:
                form.add_error(None, _("Ask a colleague with the permission to override km readings."))
        else:
            messages.success(request, _("The km reading has been saved."))
            return redirect("vehicles:detail", org_slug=org_slug, pk=vehicle.pk)
    return render(
        request,
        "vehicles/km_reading_form.html",
        {
            "vehicle": vehicle,
            "form": form,
            "needs_confirmation": needs_confirmation,
            "needs_override": needs_override,
            "may_override": may_override,
        },
    )


@requires("vehicles.change")
def vehicle_photos_add(request, org_slug, pk):
    vehicle = selectors.vehicle_get(membership=request.membership, pk=pk)
    form = PhotosForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.vehicle_photos_add(
            vehicle=vehicle,
            actor=request.membership,
            photos=form.cleaned_data["photos"],
            caption=form.cleaned_data["caption"],
        )
        messages.success(request, _("The photos have been added."))
        return redirect("vehicles:detail", org_slug=org_slug, pk=vehicle.pk)
    return render(
        request, "vehicles/photos_form.html", {"vehicle": vehicle, "form": form, "title": _("Add vehicle photos")}
    )

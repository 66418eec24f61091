"""The contract page's edit actions: one small page each, usable without JavaScript.

Each view loads the contract through the selector (404 outside the member's organization and
stations), turns the form into one service call and shows the service's refusal on the form.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rentoffice.tenancy import TenantRequest, requires
from vehicles.models import Vehicle

from .. import selectors, selectors_pages
from ..forms import (
    CancelForm,
    ConfirmForm,
    DriverForm,
    DriverSearchForm,
    NoteForm,
    PeriodForm,
    TariffForm,
    VehicleSwapForm,
)
from ..services import editing, lifecycle
from ..services.availability import vehicles_available
from .common import run_service


def _contract(request: TenantRequest, pk: int):
    return selectors.contract_get(membership=request.membership, pk=pk)


def _done(request, contract, message: str, anchor: str = ""):
    messages.success(request, message)
    return redirect(reverse("contracts:detail", args=[request.organization.slug, contract.pk]) + anchor)


def _page(request, contract, form, *, title: str, submit: str, intro: str = "", danger: bool = False, **extra):
    return render(
        request,
        "contracts/action.html",
        {
            "contract": contract,
            "form": form,
            "title": title,
            "intro": intro,
            "submit": submit,
            "danger": danger,
            **extra,
        },
    )


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


@requires("contracts.change")
def period_change(request: TenantRequest, org_slug, pk):
    contract = _contract(request, pk)
    initial = {"starts_at": _local(contract.starts_at), "ends_at": _local(contract.ends_at)}
    form = PeriodForm(request.POST or None, initial=initial, contract=contract)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changed = run_service(
            form,
            lambda: editing.contract_period_change(
                actor=request.membership, contract=contract, starts_at=data["starts_at"], ends_at=data["ends_at"]
            ),
        )
        if changed is not None:
            return _done(
                request, contract, _("The period has been changed. Reload the price to charge the new period.")
            )
    return _page(
        request,
        contract,
        form,
        title=_("Change the period"),
        intro=_("The vehicle's availability is checked again for the new period."),
        submit=_("Change period"),
    )


def _free_vehicles(contract):
    if contract.vehicle_group_id is None:
        return None
    try:
        qs = vehicles_available(
            organization=contract.organization,
            station=contract.pickup_station,
            starts_at=contract.starts_at,
            ends_at=contract.ends_at,
            vehicle_group=contract.vehicle_group,
            exclude_contract=contract,
        )
    except ValidationError:
        return None
    if contract.vehicle_id:
        qs = qs.exclude(pk=contract.vehicle_id)
    return qs.order_by("plate")


@requires("contracts.change")
def vehicle_swap(request: TenantRequest, org_slug, pk):
    contract = _contract(request, pk)
    available = _free_vehicles(contract)
    form = VehicleSwapForm(
        request.POST or None, available=available if available is not None else Vehicle.objects.none()
    )
    none_free = available is None or not available.exists()
    if request.method == "POST" and form.is_valid():
        vehicle = form.cleaned_data["vehicle"]
        swapped = run_service(
            form, lambda: editing.contract_vehicle_swap(actor=request.membership, contract=contract, vehicle=vehicle)
        )
        if swapped is not None:
            return _done(request, contract, _("The contract now has %(plate)s.") % {"plate": vehicle.plate})
    return _page(
        request,
        contract,
        form,
        title=_("Swap the vehicle"),
        intro=(
            _("No other vehicle of the group is free for the whole period.")
            if none_free
            else _("Only vehicles of the group that are free for the whole period are offered.")
        ),
        submit=_("Swap vehicle"),
    )


@requires("contracts.change")
def vehicle_remove(request: TenantRequest, org_slug, pk):
    contract = _contract(request, pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        removed = run_service(
            form, lambda: editing.contract_vehicle_remove(actor=request.membership, contract=contract)
        )
        if removed is not None:
            return _done(request, contract, _("The vehicle has been removed from the contract."))
    plate = contract.vehicle.plate if contract.vehicle_id else ""
    return _page(
        request,
        contract,
        form,
        title=_("Remove the vehicle"),
        intro=_(
            "%(plate)s is released for other bookings. The reservation stays for its vehicle group and gets a "
            "vehicle again later."
        )
        % {"plate": plate},
        submit=_("Remove vehicle"),
        danger=True,
    )


@requires("contracts.change")
def tariff_change(request: TenantRequest, org_slug, pk):
    contract = _contract(request, pk)
    form = TariffForm(
        request.POST or None,
        tariffs=selectors_pages.tariffs_for_contract(contract=contract),
        initial={"tariff": contract.tariff_id},
    )
    if request.method == "POST" and form.is_valid():
        tariff = form.cleaned_data["tariff"]
        changed = run_service(
            form, lambda: editing.contract_tariff_change(actor=request.membership, contract=contract, tariff=tariff)
        )
        if changed is not None:
            return _done(request, contract, _("The tariff has been changed and the price recalculated."))
    return _page(request, contract, form, title=_("Change the tariff"), submit=_("Change tariff"))


def _sum(lines, attr: str) -> Decimal:
    return sum((getattr(line, attr) for line in lines), Decimal("0"))


@requires("contracts.change")
def price_reload(request: TenantRequest, org_slug, pk):
    """Show the current lines next to what today's tariff gives; reload only on confirmation."""
    contract = _contract(request, pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reloaded = run_service(form, lambda: editing.contract_price_reload(actor=request.membership, contract=contract))
        if reloaded is not None:
            return _done(request, contract, _("The price has been reloaded with the current tariff."), "#lines")
    preview = run_service(form, lambda: editing.contract_price_preview(actor=request.membership, contract=contract))
    old, new = preview if preview is not None else ([], [])
    return render(
        request,
        "contracts/price_reload.html",
        {
            "contract": contract,
            "form": form,
            "old_lines": old,
            "new_lines": new,
            "old_total": _sum(old, "gross"),
            "new_total": _sum(new, "gross"),
            "has_preview": preview is not None,
        },
    )


@requires("contracts.change")
def cancel(request: TenantRequest, org_slug, pk):
    contract = _contract(request, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        cancelled = run_service(
            form, lambda: lifecycle.contract_cancel(actor=request.membership, contract=contract, reason=reason)
        )
        if cancelled is not None:
            return _done(request, contract, _("The reservation has been cancelled."))
    return _page(
        request,
        contract,
        form,
        title=_("Cancel the reservation"),
        intro=_("The vehicle is released. The contract stays on record with the reason."),
        submit=_("Cancel reservation"),
        danger=True,
    )


@requires("contracts.change")
def note_add(request: TenantRequest, org_slug, pk):
    contract = _contract(request, pk)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        note = run_service(
            form, lambda: editing.contract_note_add(actor=request.membership, contract=contract, text=text)
        )
        if note is not None:
            return _done(request, contract, _("The note has been added."), "#notes")
    return _page(request, contract, form, title=_("Add a note"), submit=_("Add note"))


@requires("contracts.change")
def driver_add(request: TenantRequest, org_slug, pk):
    """A further driver: found among the organization's customers, or a named person with licence data."""
    contract = _contract(request, pk)
    search = DriverSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    if request.method == "POST":
        from customers.selectors import customers_for

        candidates = customers_for(membership=request.membership).exclude(pk=contract.customer_id)
    else:
        candidates = selectors_pages.driver_candidates(membership=request.membership, contract=contract, query=query)
    form = DriverForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        driver = run_service(
            form,
            lambda: editing.contract_driver_add(
                actor=request.membership,
                contract=contract,
                customer=data["customer"],
                name=data["name"],
                date_of_birth=data["date_of_birth"],
                licence_number=data["licence_number"],
                licence_issued_on=data["licence_issued_on"],
                licence_expires_on=data["licence_expires_on"],
            ),
        )
        if driver is not None:
            return _done(request, contract, _("%(driver)s may drive too.") % {"driver": driver}, "#drivers")
    return render(
        request,
        "contracts/driver_add.html",
        {"contract": contract, "form": form, "search": search, "query": query, "found": list(candidates[:20])},
    )


@requires("contracts.change")
def driver_remove(request: TenantRequest, org_slug, pk):
    driver = selectors_pages.driver_get(membership=request.membership, pk=pk)
    contract = driver.contract
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = str(driver)
        done = run_service(
            form, lambda: editing.contract_driver_remove(actor=request.membership, driver=driver) or True
        )
        if done is not None:
            return _done(request, contract, _("%(driver)s is no longer a driver.") % {"driver": name}, "#drivers")
    return _page(
        request,
        contract,
        form,
        title=_("Remove a driver"),
        intro=_("%(driver)s will no longer be a driver of this contract.") % {"driver": driver},
        submit=_("Remove driver"),
        danger=True,
    )


# Check-out and check-in are recorded as protocols (km, fuel, damages, photos, signatures): the
# contract's actions lead into that flow. The contract is loaded first, so outsiders still get 404.
@requires("contracts.change")
def check_out(request: TenantRequest, org_slug, pk):
    contract = _contract(request, pk)
    return redirect("protocols:start_check_out", org_slug=org_slug, pk=contract.pk)


@requires("contracts.change")
def check_in(request: TenantRequest, org_slug, pk):
    contract = _contract(request, pk)
    return redirect("protocols:start_check_in", org_slug=org_slug, pk=contract.pk)

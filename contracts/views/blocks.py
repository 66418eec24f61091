"""Blocks of a vehicle (workshop, maintenance, transfer), created and deleted from the vehicle page."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from rentoffice.tenancy import TenantRequest, requires
from vehicles.selectors import vehicle_get

from .. import selectors
from ..forms import BlockForm, ConfirmForm
from ..services import blocks
from .common import run_service


def _vehicle_page(request, vehicle_pk: int):
    return redirect(reverse("vehicles:detail", args=[request.organization.slug, vehicle_pk]) + "#panel-blocks")


@requires("contracts.change")
def block_create(request: TenantRequest, org_slug, pk):
    vehicle = vehicle_get(membership=request.membership, pk=pk)
    form = BlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        block = run_service(
            form,
            lambda: blocks.block_create(
                actor=request.membership,
                vehicle=vehicle,
                kind=data["kind"],
                reason=data["reason"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
            ),
        )
        if block is not None:
            messages.success(request, _("The vehicle is blocked from %(start)s.") % {"start": _when(block.starts_at)})
            return _vehicle_page(request, vehicle.pk)
    return render(request, "contracts/block_form.html", {"vehicle": vehicle, "form": form})


def _when(value) -> str:
    from django.utils import timezone
    from django.utils.formats import date_format

    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


@requires("contracts.change")
def block_delete(request: TenantRequest, org_slug, pk):
    block = selectors.block_get(membership=request.membership, pk=pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_service(form, lambda: blocks.block_delete(actor=request.membership, block=block) or True)
        if done is not None:
            messages.success(request, _("The block has been removed."))
            return _vehicle_page(request, block.vehicle_id)
    return render(request, "contracts/block_delete.html", {"block": block, "vehicle": block.vehicle, "form": form})

"""Tariff editor, price calculator and rental settings (admins)."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rentoffice.forms import form_errors_from
from rentoffice.list_urls import pk_url
from rentoffice.tenancy import requires
from vehicles.selectors import groups_for

from .. import pricing, selectors_tariffs
from ..forms_tariffs import (
    CalculatorForm,
    ContractSettingsForm,
    ExtraFormSet,
    GroupBuffersForm,
    TariffForm,
    station_choices,
)
from ..models import Tariff
from ..services import tariffs as services

TARIFFS = "contracts.tariffs"


@requires(TARIFFS)
def tariff_list(request, org_slug):
    show_inactive = request.GET.get("inactive") == "1"
    tariffs = list(
        selectors_tariffs.tariff_list(
            membership=request.membership, station_filter=request.station_filter, show_inactive=show_inactive
        )
    )
    edit_url = pk_url("contracts:tariff_edit", org_slug=org_slug)
    for tariff in tariffs:
        tariff.edit_url = edit_url(tariff.pk)
    groups = [(group, list(rows)) for group, rows in groupby(tariffs, key=lambda t: t.vehicle_group)]
    return render(request, "contracts/tariffs/tariff_list.html", {"groups": groups, "show_inactive": show_inactive})


def _tariff_page(request, org_slug, tariff: Tariff):
    form = TariffForm(
        request.POST or None,
        instance=tariff,
        organization=request.organization,
        stations=station_choices(request.membership),
        all_stations=request.membership.station_ids is None,
    )
    extras = ExtraFormSet(request.POST or None, instance=tariff, prefix="extras")
    if request.method == "POST" and form.is_valid() and extras.is_valid():
        changed = [f.instance for f in extras.forms if f not in extras.deleted_forms and f.has_changed()]
        removed = [f.instance for f in extras.deleted_forms if f.instance.pk]
        try:
            saved = services.tariff_save(
                actor=request.membership, tariff=form.instance, extras=changed, removed_extras=removed
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The tariff has been saved."))
            return redirect("contracts:tariff_edit", org_slug=org_slug, pk=saved.pk)
    calculator = None
    if tariff.pk:
        calculator = CalculatorForm(extras=selectors_tariffs.tariff_extras(tariff=tariff, active_only=True))
    return render(
        request,
        "contracts/tariffs/tariff_form.html",
        {"form": form, "extras": extras, "tariff": tariff, "calculator": calculator},
    )


@requires(TARIFFS)
def tariff_create(request, org_slug):
    return _tariff_page(request, org_slug, Tariff(organization=request.organization))


@requires(TARIFFS)
def tariff_edit(request, org_slug, pk):
    return _tariff_page(request, org_slug, selectors_tariffs.tariff_get(membership=request.membership, pk=pk))


@requires(TARIFFS)
def tariff_calculate(request, org_slug, pk):
    """The price calculator's result (htmx partial): the priced lines with their explanations."""
    tariff = selectors_tariffs.tariff_get(membership=request.membership, pk=pk)
    form = CalculatorForm(request.GET, extras=selectors_tariffs.tariff_extras(tariff=tariff, active_only=True))
    lines = None
    if form.is_valid():
        try:
            lines = pricing.price(
                tariff=tariff,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                km=form.cleaned_data["km"],
                extras=form.chosen_extras(),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
    context = {"calculator": form, "tariff": tariff, "lines": lines}
    if lines is not None:
        context |= {
            "total_net": pricing.total_net(lines),
            "total_gross": pricing.total_gross(lines),
            "rows": [(line, pricing.unit_label(line.unit, line.quantity)) for line in lines],
        }
    return render(request, "contracts/tariffs/_calculator_result.html", context)


@require_POST
@requires(TARIFFS)
def tariff_active(request, org_slug, pk):
    """Deactivate (or reactivate) a tariff; tariffs are never deleted."""
    tariff = selectors_tariffs.tariff_get(membership=request.membership, pk=pk)
    if request.POST.get("active") == "1":
        try:
            services.tariff_reactivate(actor=request.membership, tariff=tariff)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The tariff is active again."))
    else:
        services.tariff_deactivate(actor=request.membership, tariff=tariff)
        messages.success(request, _("The tariff has been deactivated. Contracts priced with it keep their prices."))
    return redirect("contracts:tariff_edit", org_slug=org_slug, pk=tariff.pk)


def rental_settings(request, org_slug):
    membership = request.membership
    if not (membership.has_perm(services.TARIFFS) or membership.has_perm(services.ORGANIZATION)):
        raise PermissionDenied
    current = selectors_tariffs.contract_settings_for(organization=request.organization)
    form = ContractSettingsForm(request.POST or None, instance=current)
    buffers = GroupBuffersForm(
        request.POST or None,
        groups=groups_for(membership=membership).order_by("sort_order", "name"),
        buffers=selectors_tariffs.group_buffers_for(organization=request.organization),
    )
    if request.method == "POST" and form.is_valid() and buffers.is_valid():
        try:
            services.contract_settings_save(
                actor=membership,
                buffer_minutes=form.cleaned_data["buffer_minutes"],
                vehicle_assignment=form.cleaned_data["vehicle_assignment"],
                group_buffers=buffers.group_buffers(),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The rental settings have been saved."))
            return redirect("contracts:rental_settings", org_slug=org_slug)
    return render(request, "contracts/tariffs/rental_settings.html", {"form": form, "buffers": buffers})

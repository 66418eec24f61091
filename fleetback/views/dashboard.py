"""The dashboard of dealer cases per mode: search, filters kept in the session, status polling,
dealership switch. One query per part of the page, whatever the number of rows."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import redirect, render

from rentoffice.list_urls import pk_url
from rentoffice.selectors import stations_for
from rentoffice.tenancy import TenantRequest, requires

from .. import selectors
from ..forms_dashboard import DashboardForm
from ..models import Case
from ..services.rights import modes_for

SESSION_KEY = "fleetback_dashboard"
FIELDS = ("q", "status", "module", "brand", "author", "sender", "assignee", "closed")
ROWS = 50


def poll_seconds() -> int:
    return getattr(settings, "FLEETBACK_STATUS_POLL_SECONDS", 30)


def _mode(request: TenantRequest, mode: str) -> str:
    if mode not in modes_for(request.membership):
        raise PermissionDenied
    return mode


def _session_key(request: TenantRequest, mode: str) -> str:
    return f"{request.organization.slug}:{mode}"


def _submitted(request: TenantRequest) -> bool:
    # The form carries a hidden "filter" field, so clearing every filter is a submission too.
    return "filter" in request.GET or any(name in request.GET for name in FIELDS)


def _form(request: TenantRequest, mode: str, **choices) -> DashboardForm:
    """The submitted filters (stored in the session when valid), else the stored ones, else none."""
    stored = request.session.get(SESSION_KEY, {})
    key = _session_key(request, mode)
    if _submitted(request):
        form = DashboardForm(request.GET, mode=mode, **choices)
        if form.is_valid():
            values = {name: request.GET.getlist(name) for name in FIELDS if any(request.GET.getlist(name))}
            if stored.get(key) != values:
                request.session[SESSION_KEY] = {**stored, key: values}
        return form
    if stored.get(key):
        data = QueryDict(mutable=True)
        for name, values in stored[key].items():
            data.setlist(name, values)
        form = DashboardForm(data, mode=mode, **choices)
        if form.is_valid():
            return form
        # A stored value that no longer exists (a brand removed, a user gone): start afresh.
        request.session[SESSION_KEY] = {k: v for k, v in stored.items() if k != key}
    form = DashboardForm({}, mode=mode, **choices)
    form.is_valid()
    return form


def _label_rows_status(cases: list[Case]) -> None:
    statuses = {value: str(label) for value, label in Case.Status.choices}
    for case in cases:
        case.status_label = statuses[case.status]
        case.status_colour_name = Case.COLOURS[case.status]


def _label_rows(cases: list[Case]) -> None:
    """Status and module labels translated once per list (get_FOO_display per row costs more than
    the query: it hashes the choices and resolves a lazy translation every time)."""
    _label_rows_status(cases)
    modules = {value: str(label) for value, label in Case.Module.choices}
    for case in cases:
        case.module_label = modules[case.module]


@requires("cases.view")
def case_list(request: TenantRequest, org_slug: str, mode: str):
    mode = _mode(request, mode)
    if "reset" in request.GET:
        stored = request.session.get(SESSION_KEY, {})
        request.session[SESSION_KEY] = {k: v for k, v in stored.items() if k != _session_key(request, mode)}
        return redirect(f"fleetback:list_{mode}", org_slug=org_slug)
    membership = request.membership
    brands = [(b.pk, f"{b.name} ({b.station.name})") for b in selectors.brands_for(membership=membership)]
    form = _form(request, mode, brands=brands, users=selectors.dashboard_users(membership=membership))
    cases: list[Case] = []
    if form.is_valid():
        cases = list(
            selectors.cases_for_list(
                membership=membership, mode=mode, filters=form.filters(), station_filter=request.station_filter
            )[:ROWS]
        )
    _label_rows(cases)
    detail = pk_url("fleetback:detail", org_slug=org_slug)
    for case in cases:
        case.detail_url = detail(case.pk)
    dealerships = list(stations_for(membership=membership, include_inactive=False))
    return render(
        request,
        "fleetback/dashboard.html",
        {
            "cases": cases,
            "form": form,
            "active_filters": form.active_count() if form.is_valid() else 0,
            "mode": mode,
            "mode_label": Case.Mode(mode).label,
            "slug": "after-sales" if mode == Case.Mode.AFTER_SALES else "sales",
            "case_ids": ",".join(str(case.pk) for case in cases),
            "poll_seconds": poll_seconds(),
            "dealerships": dealerships if len(dealerships) > 1 else [],
            "rows": ROWS,
        },
    )


@requires("cases.view")
def case_statuses(request: TenantRequest, org_slug: str):
    """The status badges of the listed cases, swapped in by id (htmx polling)."""
    raw = request.GET.get("ids", "")
    ids = [int(part) for part in raw.split(",")[:ROWS] if part.isdigit() and len(part) < 10]
    cases = selectors.case_statuses(membership=request.membership, ids=ids)
    _label_rows_status(cases)
    return render(request, "fleetback/dashboard_statuses.html", {"cases": cases})

"""Contract list, contract page and the booking form."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from customers import selectors as customer_selectors
from rentoffice.list_urls import pk_url
from rentoffice.tenancy import TenantRequest, requires

from .. import selectors
from ..forms import BookingForm, ContractFilterForm, CustomerPickForm, NoteForm
from ..services import booking
from ..services.availability import vehicles_available
from .common import allowed_actions, run_service

PAGE_SIZE = 50
CUSTOMER_HITS = 20


@requires("contracts.view")
def contract_list(request: TenantRequest, org_slug):
    filter_form = ContractFilterForm(request.GET or None, membership=request.membership)
    filters = filter_form.filters() if request.GET else {}
    contracts = selectors.contracts_for_list(
        membership=request.membership, station_filter=request.station_filter, **filters
    )
    page = ListPage.of(contracts, request.GET.get("page"))
    detail_url = pk_url("contracts:detail", org_slug=org_slug)
    for contract in page.object_list:
        contract.detail_url = detail_url(contract.pk)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter_form": filter_form, "page": page, "query": query.urlencode()}
    if request.htmx and request.htmx.target == "contract-results":
        return render(request, "contracts/_contract_results.html", context)
    return render(request, "contracts/contract_list.html", context)


@requires("contracts.view")
def contract_detail(request: TenantRequest, org_slug, pk):
    contract = selectors.contract_get(membership=request.membership, pk=pk)
    lines = list(contract.lines.all())
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "lines": lines,
            "totals": _totals(lines),
            "extras": list(contract.extras.all()),
            "drivers": list(contract.drivers.select_related("customer")),
            "notes": list(contract.notes.select_related("author")),
            "actions": allowed_actions(contract),
            "note_form": NoteForm(),
        },
    )


@dataclass
class ListPage:
    """A page of the list without counting: a COUNT over millions of contracts costs more than the
    page itself, and "next" only needs to know whether one more row exists."""

    number: int
    object_list: list
    has_next: bool

    MAX_PAGE = 10_000

    @classmethod
    def of(cls, qs, raw_number) -> ListPage:
        try:
            number = min(max(int(raw_number or 1), 1), cls.MAX_PAGE)
        except (TypeError, ValueError):
            number = 1
        start = (number - 1) * PAGE_SIZE
        rows = list(qs[start : start + PAGE_SIZE + 1])
        return cls(number, rows[:PAGE_SIZE], len(rows) > PAGE_SIZE)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def first_row(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.object_list) - 1


def _totals(lines) -> dict[str, Decimal]:
    net = sum((line.net for line in lines), Decimal("0"))
    gross = sum((line.gross for line in lines), Decimal("0"))
    return {"net": net, "gross": gross, "vat": gross - net}


def _available(form: BookingForm, organization):
    """The vehicles the availability service finds free for what the form holds so far (None: not enough)."""
    query = form.availability_query()
    if query is None:
        return None
    try:
        return vehicles_available(
            organization=organization,
            station=query["pickup_station"],
            starts_at=query["starts_at"],
            ends_at=query["ends_at"],
            vehicle_group=query["vehicle_group"],
        ).select_related("group")
    except ValidationError:
        return None


@requires("contracts.change")
def contract_book(request: TenantRequest, org_slug, pk):
    customer = customer_selectors.customer_get(membership=request.membership, pk=pk)
    data = request.POST if request.method == "POST" else None
    probe = BookingForm(data, membership=request.membership)
    available = _available(probe, request.organization) if data is not None else None
    form = BookingForm(data, membership=request.membership, available=available)
    if data is not None and "refresh" not in request.POST and form.is_valid():
        contract = run_service(
            form,
            lambda: booking.contract_book(actor=request.membership, customer=customer, **form.service_kwargs()),
        )
        if contract is not None:
            messages.success(request, _("Contract %(number)s has been booked.") % {"number": contract.number})
            return redirect("contracts:detail", org_slug=org_slug, pk=contract.pk)
    return render(
        request,
        "contracts/contract_book.html",
        {"form": form, "customer": customer, "available": available},
    )


@requires("contracts.change")
def customer_pick(request: TenantRequest, org_slug):
    """Booking from the contract list starts by finding the customer."""
    form = CustomerPickForm(request.GET if "q" in request.GET else None)
    results = []
    if form.is_bound and form.is_valid():
        query = customer_selectors.clean_query(form.cleaned_data["q"])
        results = list(customer_selectors.customer_list(membership=request.membership, query=query)[:CUSTOMER_HITS])
    return render(request, "contracts/customer_pick.html", {"form": form, "results": results})


@requires("contracts.change")
def available_vehicles(request: TenantRequest, org_slug):
    """The booking form's vehicle field, refreshed by htmx when station, group or period change."""
    probe = BookingForm(request.GET, membership=request.membership)
    available = _available(probe, request.organization)
    form = BookingForm(request.GET, membership=request.membership, available=available)
    return render(request, "contracts/_vehicle_field.html", {"form": form, "available": available})

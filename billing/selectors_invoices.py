"""Reads of invoices and credit notes, scoped to the actor's organization and stations.

A document is visible to a station-limited member when its station, or its contract's pick-up or
return station, is one of theirs (as contracts' selectors decide for the contract itself); a
document of no station and no contract belongs to the whole organization and is visible only to
members of all stations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from contracts.models import Contract
from contracts.selectors import CONTRACT_STATIONS
from rentoffice.models import Membership
from rentoffice.tenancy import scope_to_stations

from .models import Invoice, Payment, Refund

INVOICE_STATIONS = ("station", "contract__pickup_station", "contract__return_station")
ZERO = Decimal("0.00")


def invoices_visible(*, membership: Membership, station_filter: int | None = None) -> QuerySet[Invoice]:
    qs = Invoice.objects.filter(organization_id=membership.organization_id)
    return scope_to_stations(qs, membership, field=INVOICE_STATIONS, station_filter=station_filter)


def invoice_get(*, membership: Membership, pk: int | str) -> Invoice:
    """One document with what its page shows at once; Http404 outside the organization or stations."""
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    invoice = (
        invoices_visible(membership=membership)
        # Four joins, not seven: the seven-way join of these wide rows cost PostgreSQL ~6 ms of planning
        # (docs/performance.md, "Planning time"). The page shows neither user; the corrected invoice
        # of a credit note loads when shown (none for an invoice).
        .select_related("customer", "contract", "station", "email_message")
        .filter(pk=pk)
        .first()
    )
    if invoice is None:
        raise Http404
    return invoice


@dataclass(frozen=True)
class InvoiceFilters:
    status: str | None = None
    payment_status: str | None = None
    kind: str | None = None
    issued_from: dt.date | None = None
    issued_until: dt.date | None = None
    customer_number: int | None = None
    station_id: int | None = None
    contract_number: str = ""


def _filter_q(filters: InvoiceFilters) -> Q:
    condition = Q()
    if filters.status:
        condition &= Q(status=filters.status)
    if filters.payment_status:
        condition &= Q(payment_status=filters.payment_status, status=Invoice.Status.ISSUED)
    if filters.kind:
        condition &= Q(kind=filters.kind)
    if filters.issued_from:
        condition &= Q(issue_date__gte=filters.issued_from)
    if filters.issued_until:
        condition &= Q(issue_date__lte=filters.issued_until)
    if filters.customer_number is not None:
        condition &= Q(customer__number=filters.customer_number)
    if filters.station_id is not None:
        condition &= Q(station_id=filters.station_id)
    if filters.contract_number:
        condition &= Q(contract__number=filters.contract_number)
    return condition


def invoices_for_list(
    *, membership: Membership, station_filter: int | None = None, filters: InvoiceFilters | None = None
) -> QuerySet[Invoice]:
    qs = invoices_visible(membership=membership, station_filter=station_filter).filter(
        _filter_q(filters or InvoiceFilters())
    )
    return qs.select_related("customer", "contract").order_by("-issue_date", "-pk")


@dataclass(frozen=True)
class InvoiceTotals:
    count: int
    net: Decimal
    vat: Decimal
    gross: Decimal


def invoice_totals(qs: QuerySet[Invoice]) -> InvoiceTotals:
    """Sums of the filtered issued documents (credit notes count negative: their amounts are)."""
    row = (
        qs.order_by()
        .filter(status=Invoice.Status.ISSUED)
        .aggregate(count=Count("id"), net=Sum("net_total"), vat=Sum("vat_total"), gross=Sum("gross_total"))
    )
    return InvoiceTotals(row["count"] or 0, row["net"] or ZERO, row["vat"] or ZERO, row["gross"] or ZERO)


def invoice_payments(*, invoice: Invoice) -> list[Payment]:
    """The money received for the document (bcore's rows, read directly until its selectors land)."""
    return list(
        Payment.objects.filter(organization_id=invoice.organization_id, invoice=invoice)
        .select_related("card")
        .order_by("created_at", "pk")
    )


def invoice_refunds(*, invoice: Invoice) -> list[Refund]:
    """Refunds of the document's payments, and those a credit note pays out."""
    return list(
        Refund.objects.filter(organization_id=invoice.organization_id)
        .filter(Q(payment__invoice=invoice) | Q(credit_note=invoice))
        .select_related("payment", "credit_note")
        .order_by("created_at", "pk")
    )


def invoice_corrections(*, invoice: Invoice) -> list[Invoice]:
    return list(
        Invoice.objects.filter(organization_id=invoice.organization_id, corrects=invoice).order_by("issue_date", "pk")
    )


def invoices_for_contract(*, membership: Membership, contract_id: int) -> QuerySet[Invoice]:
    return (
        invoices_visible(membership=membership)
        .filter(contract_id=contract_id)
        .select_related("email_message")
        .order_by("-issue_date", "-pk")
    )


def contract_by_number(*, membership: Membership, number: str) -> Contract | None:
    """A contract the member sees, by its number (a manual invoice may bill one)."""
    qs = Contract.objects.filter(organization_id=membership.organization_id, number=number)
    return scope_to_stations(qs, membership, field=CONTRACT_STATIONS).select_related("pickup_station").first()

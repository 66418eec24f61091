"""Reads of open items: what customers still owe, per invoice and per payment request, with ageing.

Definitions (docs/billing.md, "Open items"):

- An invoice's **open amount** = its gross − its succeeded payments + their succeeded refunds.
- **Open payments** = issued invoices with an open amount > 0, plus payment requests awaiting the
  customer (state open or failed) that are not already covered: neither linked to an invoice that
  is listed itself nor followed by a succeeded payment of the same contract and purpose.
- **Open balance per transaction**: see `selectors_open_balances`, which holds those reads.
- **Ageing** by due date (invoices: due date, else issue date; payment requests: the day they were
  made): not yet due (due today or later), 1–30, 31–60 and over 60 days overdue.

Money is station-owned through its contract (pick-up or return station) or, without a contract, the
invoice's station: station staff see only theirs; money of no station is for organization-wide
members. Every read costs a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract
from customers.models import Customer
from customers.search import fold
from rentoffice.models import Membership
from rentoffice.tenancy import scope_to_stations

from .models import Invoice, Payment, Refund
from .selectors_invoices import INVOICE_STATIONS  # one visibility rule for invoices (binv's pages)

ZERO = Decimal("0.00")
MONEY_FIELD: DecimalField = DecimalField(max_digits=14, decimal_places=2)
PAYMENT_STATIONS = ("contract__pickup_station", "contract__return_station", "invoice__station")
AWAITING_STATES = (Payment.State.OPEN, Payment.State.FAILED)
CUSTOMER_CANDIDATES = 200
PANEL_ROWS = 20

# (key, label, lowest days overdue, highest days overdue); None = open-ended.
BUCKETS: tuple[tuple[str, object, int | None, int | None], ...] = (
    ("current", _("not yet due"), None, 0),
    ("1_30", _("1–30 days overdue"), 1, 30),
    ("31_60", _("31–60 days overdue"), 31, 60),
    ("over_60", _("over 60 days overdue"), 61, None),
)
BUCKET_KEYS = tuple(key for key, *_rest in BUCKETS)


def _sum_or_zero(expression) -> Coalesce:
    return Coalesce(expression, Value(ZERO), output_field=MONEY_FIELD)


def _paid_subquery() -> Subquery:
    paid = (
        Payment.objects.filter(invoice=OuterRef("pk"), state=Payment.State.SUCCEEDED)
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Subquery(paid, output_field=MONEY_FIELD)


def _refunded_subquery() -> Subquery:
    refunded = (
        Refund.objects.filter(payment__invoice=OuterRef("pk"), state=Refund.State.SUCCEEDED)
        .order_by()
        .values("payment__invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Subquery(refunded, output_field=MONEY_FIELD)


# QuerySet[Any]: the stubs cannot follow annotations added in a helper (open_amount) to the callers.
def with_open_amount(qs: QuerySet[Invoice]) -> QuerySet[Any]:
    """Invoices annotated with `paid`, `refunded` and `open_amount` (two correlated sums per row)."""
    return qs.annotate(paid=_sum_or_zero(_paid_subquery()), refunded=_sum_or_zero(_refunded_subquery())).annotate(
        open_amount=ExpressionWrapper(F("gross_total") - F("paid") + F("refunded"), output_field=MONEY_FIELD)
    )


def invoice_open_amount(*, invoice: Invoice) -> Decimal:
    """What is still to be paid on one invoice (negative for a credit note not yet paid out)."""
    value = with_open_amount(Invoice.objects.filter(pk=invoice.pk)).values_list("open_amount", flat=True).first()
    return value if value is not None else ZERO


# --- open items (the list and the card's "Open payments") ---


@dataclass
class OpenItem:
    kind: str  # "invoice" or "payment"
    pk: int
    customer_id: int
    contract_id: int | None
    label: str
    due: dt.date
    open_amount: Decimal
    pay_link_sent: bool
    days_overdue: int = 0
    bucket: str = "current"
    customer: Customer | None = None
    contract: Contract | None = None
    detail_url: str = ""
    record_url: str = ""

    @property
    def is_invoice(self) -> bool:
        return self.kind == "invoice"


@dataclass
class OpenItems:
    rows: list[OpenItem]
    has_next: bool
    totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.totals.values(), ZERO)

    @property
    def buckets(self) -> list[tuple[str, object, Decimal]]:
        return [(key, label, self.totals.get(key, ZERO)) for key, label, *_rest in BUCKETS]


def bucket_of(days_overdue: int) -> str:
    for key, _label, low, high in BUCKETS:
        if (low is None or days_overdue >= low) and (high is None or days_overdue <= high):
            return key
    return BUCKET_KEYS[-1]


def _bucket_q(bucket: str, today: dt.date) -> Q:
    """Rows whose `due` puts them in the bucket on `today`."""
    _key, _label, low, high = next(b for b in BUCKETS if b[0] == bucket)
    condition = Q()
    if low is not None:
        condition &= Q(due__lte=today - dt.timedelta(days=low))
    if high is not None:
        condition &= Q(due__gte=today - dt.timedelta(days=high))
    return condition


def _open_invoices(organization_id: int) -> QuerySet[Any]:
    awaiting = Payment.objects.filter(invoice=OuterRef("pk"), state__in=AWAITING_STATES)
    return (
        with_open_amount(
            Invoice.objects.filter(
                organization_id=organization_id, status=Invoice.Status.ISSUED, kind=Invoice.Kind.INVOICE
            ).exclude(payment_status=Invoice.PaymentStatus.CREDITED)
        )
        .filter(open_amount__gt=0)
        .annotate(due=Coalesce("due_date", "issue_date", output_field=DateField()), pay_link=Exists(awaiting))
    )


def _open_payments(organization_id: int) -> QuerySet[Payment]:
    superseded = Payment.objects.filter(
        customer=OuterRef("customer"),
        contract=OuterRef("contract"),
        purpose=OuterRef("purpose"),
        state=Payment.State.SUCCEEDED,
        created_at__gt=OuterRef("created_at"),
    )
    listed_invoice = Q(invoice__status=Invoice.Status.ISSUED) & Q(
        invoice__payment_status__in=[Invoice.PaymentStatus.OPEN, Invoice.PaymentStatus.PARTLY_PAID]
    )
    return (
        Payment.objects.filter(organization_id=organization_id, state__in=AWAITING_STATES)
        .exclude(Exists(superseded))
        .exclude(listed_invoice)
        .annotate(due=TruncDate("created_at"))
    )


def _station_q(fields: tuple[str, ...], station_id: int) -> Q:
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}_id": station_id})
    return condition


def _customer_ids(organization_id: int, query: str) -> list[int]:
    customers = Customer.objects.filter(organization_id=organization_id)
    for word in fold(query).split():
        customers = customers.filter(search_text__contains=word)
    return list(customers.values_list("pk", flat=True)[:CUSTOMER_CANDIDATES])


@dataclass(frozen=True)
class OpenItemFilters:
    station_id: int | None = None
    customer: Customer | None = None
    customer_query: str = ""
    bucket: str | None = None
    customer_ids: tuple[int, ...] | None = None  # the query's candidates, looked up once


def _filtered(qs: QuerySet, fields: tuple[str, ...], membership: Membership, station_filter, filters) -> QuerySet:
    qs = scope_to_stations(qs, membership, fields, station_filter=station_filter)
    if filters.station_id is not None:
        qs = qs.filter(_station_q(fields, filters.station_id))
    if filters.customer is not None:
        qs = qs.filter(customer=filters.customer)
    elif filters.customer_ids is not None:
        qs = qs.filter(customer_id__in=filters.customer_ids)
    return qs


def _totals(qs: QuerySet, amount: str, today: dt.date) -> dict[str, Decimal]:
    sums = qs.aggregate(
        **{key: Sum(amount, filter=_bucket_q(key, today), output_field=MONEY_FIELD) for key in BUCKET_KEYS}
    )
    return {key: sums[key] or ZERO for key in BUCKET_KEYS}


def _rows_union(invoices: QuerySet, payments: QuerySet) -> QuerySet:
    columns = ("kind_", "row_id", "cust_id", "txn_id", "label_", "due", "open_", "link_")
    invoice_rows = invoices.annotate(
        kind_=Value("invoice", output_field=CharField()),
        row_id=F("pk"),
        cust_id=F("customer_id"),
        txn_id=F("contract_id"),
        label_=F("number"),
        open_=F("open_amount"),
        link_=F("pay_link"),
    ).values(*columns)
    payment_rows = payments.annotate(
        kind_=Value("payment", output_field=CharField()),
        row_id=F("pk"),
        cust_id=F("customer_id"),
        txn_id=F("contract_id"),
        label_=F("description"),
        open_=F("amount"),
        link_=Case(When(~Q(pay_token=""), then=Value(True)), default=Value(False)),
    ).values(*columns)
    return invoice_rows.union(payment_rows, all=True).order_by("due", "kind_", "row_id")


def _attach(rows: list[OpenItem], organization_id: int) -> None:
    """Customers and contracts of a page of rows: one query each."""
    customers = Customer.objects.filter(organization_id=organization_id).in_bulk({r.customer_id for r in rows})
    contract_ids = {r.contract_id for r in rows if r.contract_id}
    contracts = (
        Contract.objects.filter(organization_id=organization_id)
        .only("pk", "number", "customer_id")
        .in_bulk(contract_ids)
        if contract_ids
        else {}
    )
    for row in rows:
        row.customer = customers.get(row.customer_id)
        row.contract = contracts.get(row.contract_id) if row.contract_id else None


def _row(values: dict, today: dt.date) -> OpenItem:
    days = (today - values["due"]).days
    return OpenItem(
        kind=values["kind_"],
        pk=values["row_id"],
        customer_id=values["cust_id"],
        contract_id=values["txn_id"],
        label=values["label_"],
        due=values["due"],
        open_amount=values["open_"],
        pay_link_sent=bool(values["link_"]),
        days_overdue=max(days, 0),
        bucket=bucket_of(days),
    )


def open_items(
    *,
    membership: Membership,
    station_filter: int | None = None,
    filters: OpenItemFilters | None = None,
    offset: int = 0,
    limit: int = 50,
    today: dt.date | None = None,
) -> OpenItems:
    """A page of open items, oldest due first, with the totals per age bucket of the filtered set.

    At most five queries whatever the size: the page (one UNION), its customers, its contracts, and
    the invoice and payment totals — those only when the page does not hold every item already.
    The totals ignore the bucket filter, so they show the whole spread.
    """
    filters = filters or OpenItemFilters()
    today = today or timezone.localdate()
    organization_id = membership.organization_id
    if filters.customer is None and filters.customer_query.strip():
        # One candidate lookup for both kinds of rows (trigram index on the customers' search text).
        filters = replace(filters, customer_ids=tuple(_customer_ids(organization_id, filters.customer_query)))
    invoices = _filtered(_open_invoices(organization_id), INVOICE_STATIONS, membership, station_filter, filters)
    payments = _filtered(_open_payments(organization_id), PAYMENT_STATIONS, membership, station_filter, filters)
    unbucketed = (invoices, payments)
    if filters.bucket in BUCKET_KEYS:
        invoices = invoices.filter(_bucket_q(filters.bucket, today))
        payments = payments.filter(_bucket_q(filters.bucket, today))
    raw = list(_rows_union(invoices, payments)[offset : offset + limit + 1])
    rows = [_row(values, today) for values in raw[:limit]]
    has_next = len(raw) > limit
    if rows:
        _attach(rows, organization_id)
    if not has_next and offset == 0 and filters.bucket not in BUCKET_KEYS:
        # Every open item is on this page: its totals are the page's (two aggregate queries saved,
        # the card's panel nearly always).
        totals = {key: sum((r.open_amount for r in rows if r.bucket == key), ZERO) for key in BUCKET_KEYS}
    else:
        invoice_totals = _totals(unbucketed[0], "open_amount", today)
        payment_totals = _totals(unbucketed[1], "amount", today)
        totals = {key: invoice_totals[key] + payment_totals[key] for key in BUCKET_KEYS}
    return OpenItems(rows=rows, has_next=has_next, totals=totals)


def customer_open_items(
    *, membership: Membership, station_filter: int | None, customer: Customer, limit: int = PANEL_ROWS
) -> OpenItems:
    """The card's "Open payments": the customer's open items the viewer may see."""
    return open_items(
        membership=membership, station_filter=station_filter, filters=OpenItemFilters(customer=customer), limit=limit
    )


# --- records the "record a payment" pages open (404 for outsiders and other stations) ---


def payable_invoice_get(*, membership: Membership, pk: int) -> Invoice:
    """An issued invoice of the organization the member may see, with its customer and contract."""
    from django.http import Http404

    qs = Invoice.objects.filter(organization_id=membership.organization_id, pk=pk).select_related(
        "customer", "contract"
    )
    invoice = scope_to_stations(qs, membership, INVOICE_STATIONS).first()
    if invoice is None:
        raise Http404
    return invoice


def open_payment_get(*, membership: Membership, pk: int) -> Payment:
    """A payment request of the organization the member may see, with its customer, contract, invoice."""
    from django.http import Http404

    qs = Payment.objects.filter(organization_id=membership.organization_id, pk=pk).select_related(
        "customer", "contract", "invoice"
    )
    payment = scope_to_stations(qs, membership, PAYMENT_STATIONS).first()
    if payment is None:
        raise Http404
    return payment


def payable_contracts(*, membership: Membership, customer: Customer) -> QuerySet[Contract]:
    """The customer's transactions (renter or payer) the member may record a payment for."""
    qs = Contract.objects.filter(organization_id=membership.organization_id).filter(
        Q(customer=customer) | Q(payer_customer=customer)
    )
    return scope_to_stations(qs, membership, ("pickup_station", "return_station")).order_by("-starts_at", "-pk")

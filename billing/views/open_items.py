"""Open items: the organization-wide list with ageing, and "record a payment" (cash, bank, terminal)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from customers import selectors as customer_selectors
from customers.models import Customer
from rentoffice.forms import form_errors_from
from rentoffice.list_urls import pk_url
from rentoffice.tenancy import TenantRequest, requires

from .. import selectors_open_items as selectors
from ..forms_open_items import OpenItemFilterForm, PaymentRecordForm
from ..models import Invoice, Payment
from ..selectors_open_balances import customer_open_balances
from ..services.open_items import payment_record

PAGE_SIZE = 50
MAX_PAGE = 10_000


def _optional_pk_url(name: str, org_slug: str):
    """Row links to pages of other topics; a page not there (yet) leaves the row unlinked."""
    try:
        return pk_url(name, org_slug=org_slug)
    except NoReverseMatch:
        return lambda pk: ""


def with_links(rows: list[selectors.OpenItem], org_slug: str, *, can_record: bool) -> list[selectors.OpenItem]:
    """Links of a page of rows, each reversed once per list (rentoffice.list_urls)."""
    invoice_url = _optional_pk_url("billing:invoice_detail", org_slug)
    contract_url = pk_url("contracts:detail", org_slug=org_slug)
    card_url = pk_url("customers:card", org_slug=org_slug)
    record_invoice = pk_url("billing:payment_record_invoice", org_slug=org_slug)
    record_payment = pk_url("billing:payment_record_payment", org_slug=org_slug)
    for row in rows:
        row.detail_url = invoice_url(row.pk) if row.is_invoice else ""
        if row.customer is not None:
            row.customer.card_url = card_url(row.customer_id)
        if row.contract is not None:
            row.contract.detail_url = contract_url(row.contract_id)
        if can_record:
            row.record_url = record_invoice(row.pk) if row.is_invoice else record_payment(row.pk)
    return rows


def _page_number(raw) -> int:
    try:
        return min(max(int(raw or 1), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


@requires("billing.view")
def open_item_list(request: TenantRequest, org_slug: str):
    filter_form = OpenItemFilterForm(request.GET or None, membership=request.membership)
    number = _page_number(request.GET.get("page"))
    items = selectors.open_items(
        membership=request.membership,
        station_filter=request.station_filter,
        filters=filter_form.filters() if request.GET else selectors.OpenItemFilters(),
        offset=(number - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    with_links(items.rows, org_slug, can_record=request.membership.has_perm("billing.change"))
    query = request.GET.copy()
    query.pop("page", None)
    bucket_query = query.copy()
    bucket_query.pop("bucket", None)
    context = {
        "filter_form": filter_form,
        "items": items,
        "number": number,
        "query": query.urlencode(),
        "bucket_query": bucket_query.urlencode(),
        "current_bucket": request.GET.get("bucket", ""),
    }
    if request.htmx and request.htmx.target == "open-item-results":
        return render(request, "billing/open_items/_results.html", context)
    return render(request, "billing/open_items/list.html", context)


def _back_url(request: TenantRequest, org_slug: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target
        and "\x00" not in target
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    ):
        return target
    return reverse("billing:open_items", args=[org_slug])


def _record(
    request: TenantRequest,
    org_slug: str,
    *,
    customer: Customer,
    open_amount: Decimal,
    invoice: Invoice | None = None,
    open_payment: Payment | None = None,
    with_contracts: bool = False,
):
    contracts = (
        selectors.payable_contracts(membership=request.membership, customer=customer) if with_contracts else None
    )
    back = _back_url(request, org_slug)
    initial = {"amount": open_amount} if open_amount > 0 else {}
    if request.method == "POST":
        form = PaymentRecordForm(request.POST, contracts=contracts)
        if form.is_valid():
            data = form.cleaned_data
            try:
                payment = payment_record(
                    actor=request.membership,
                    customer=customer,
                    amount=data["amount"],
                    method=data["method"],
                    received_on=data["received_on"],
                    reference=data["reference"],
                    invoice=invoice,
                    contract=data.get("contract"),
                    open_payment=open_payment,
                    overpayment=data["overpayment"],
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(
                    request,
                    _("%(amount)s € received by %(method)s recorded for %(customer)s.")
                    % {
                        "amount": number_format(payment.amount, 2, use_l10n=True, force_grouping=True),
                        "method": payment.get_method_display(),
                        "customer": customer,
                    },
                )
                return redirect(back)
    else:
        form = PaymentRecordForm(initial=initial, contracts=contracts)
    return render(
        request,
        "billing/open_items/record.html",
        {
            "form": form,
            "customer": customer,
            "invoice": invoice,
            "open_payment": open_payment,
            "open_amount": open_amount,
            "back_url": back,
            "card_url": reverse("customers:card", args=[org_slug, customer.pk]),
        },
    )


@requires("billing.change")
def payment_record_invoice(request: TenantRequest, org_slug: str, pk: int):
    invoice = selectors.payable_invoice_get(membership=request.membership, pk=pk)
    open_amount = selectors.invoice_open_amount(invoice=invoice)
    return _record(request, org_slug, customer=invoice.customer, invoice=invoice, open_amount=open_amount)


@requires("billing.change")
def payment_record_payment(request: TenantRequest, org_slug: str, pk: int):
    payment = selectors.open_payment_get(membership=request.membership, pk=pk)
    return _record(request, org_slug, customer=payment.customer, open_payment=payment, open_amount=payment.amount)


@requires("billing.change")
def payment_record_customer(request: TenantRequest, org_slug: str, pk: int):
    customer = customer_selectors.customer_get(membership=request.membership, pk=pk)
    # What the viewer may see is open (station staff: their stations' transactions only).
    balances = customer_open_balances(
        membership=request.membership, station_filter=request.station_filter, customer=customer
    )
    open_amount = sum((b.balance for b in balances), Decimal("0.00"))
    return _record(request, org_slug, customer=customer, open_amount=open_amount, with_contracts=True)

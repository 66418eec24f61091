"""Invoice pages: the list with filters and totals, the document page, PDF, sending, cancelling by
credit note, manual drafts with free lines, and the billing settings. Thin: parse → selector or
service → render; the services decide every rule."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts.views.contracts import ListPage
from rentoffice.forms import form_errors_from
from rentoffice.images import protected_file_response
from rentoffice.list_urls import pk_url
from rentoffice.tenancy import TenantRequest, requires

from .. import selectors_invoices as selectors
from ..forms_invoices import (
    BillingSettingsForm,
    CancelForm,
    InvoiceFilterForm,
    InvoiceHeaderForm,
    LineFormSet,
    line_initial,
)
from ..models import Invoice
from ..pdf import invoice_pdf_render, vat_rows_of
from ..selectors_invoices import InvoiceFilters
from ..services import invoice_delivery, invoices


@requires("billing.view")
def invoice_list(request: TenantRequest, org_slug: str) -> HttpResponse:
    filter_form = InvoiceFilterForm(request.GET or None, membership=request.membership)
    filters = filter_form.filters() if request.GET else InvoiceFilters()
    qs = selectors.invoices_for_list(
        membership=request.membership, station_filter=request.station_filter, filters=filters
    )
    page = ListPage.of(qs, request.GET.get("page"))
    detail_url = pk_url("billing:invoice_detail", org_slug=org_slug)
    for invoice in page.object_list:
        invoice.detail_url = detail_url(invoice.pk)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "page": page,
        "totals": selectors.invoice_totals(qs),
        "query": query.urlencode(),
    }
    if request.htmx and request.htmx.target == "invoice-results":
        return render(request, "billing/invoices/_invoice_results.html", context)
    return render(request, "billing/invoices/invoice_list.html", context)


@requires("billing.view")
def invoice_detail(request: TenantRequest, org_slug: str, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(membership=request.membership, pk=pk)
    lines = list(invoice.lines.select_related("damage", "deducts"))
    corrections = selectors.invoice_corrections(invoice=invoice)
    return render(
        request,
        "billing/invoices/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": lines,
            "vat_rows": vat_rows_of(lines),
            "payments": selectors.invoice_payments(invoice=invoice),
            "refunds": selectors.invoice_refunds(invoice=invoice),
            "corrections": corrections,
            "cancelled": any(c.purpose == Invoice.Purpose.CANCELLATION for c in corrections),
        },
    )


@requires("billing.view")
def invoice_pdf(request: TenantRequest, org_slug: str, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(membership=request.membership, pk=pk)
    if invoice.is_draft:
        raise Http404  # a draft has no document to print yet
    name = invoice_delivery.invoice_pdf_filename(invoice)
    if invoice.pdf:
        return protected_file_response(
            invoice.pdf, download_name=name, as_attachment=True, content_type="application/pdf"
        )
    # Issued a moment ago and the worker has not stored it yet: the same document, rendered now.
    response = HttpResponse(invoice_pdf_render(invoice=invoice), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _service_errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@requires("billing.change")
@require_POST
def invoice_send(request: TenantRequest, org_slug: str, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(membership=request.membership, pk=pk)
    try:
        message = invoice_delivery.invoice_send(actor=request.membership, invoice=invoice)
    except ValidationError as exc:
        _service_errors(request, exc)
    else:
        messages.success(request, _("The document is being sent to %(to)s.") % {"to": message.recipient})
    return redirect("billing:invoice_detail", org_slug=org_slug, pk=invoice.pk)


@requires("billing.change")
@require_POST
def invoice_issue(request: TenantRequest, org_slug: str, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(membership=request.membership, pk=pk)
    try:
        issued = invoices.invoice_issue(actor=request.membership, invoice=invoice, send=bool(request.POST.get("send")))
    except ValidationError as exc:
        _service_errors(request, exc)
    else:
        messages.success(request, _("Invoice %(number)s has been issued.") % {"number": issued.number})
    return redirect("billing:invoice_detail", org_slug=org_slug, pk=invoice.pk)


@requires("billing.change")
def invoice_cancel(request: TenantRequest, org_slug: str, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(membership=request.membership, pk=pk)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            credit = invoices.invoice_cancel(
                actor=request.membership, invoice=invoice, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request,
                _("Invoice %(number)s has been cancelled by credit note %(credit)s.")
                % {"number": invoice.number, "credit": credit.number},
            )
            return redirect("billing:invoice_detail", org_slug=org_slug, pk=credit.pk)
    return render(request, "billing/invoices/invoice_cancel.html", {"invoice": invoice, "form": form})


def _draft_page(request: TenantRequest, org_slug: str, invoice: Invoice | None) -> HttpResponse:
    posted = request.POST if request.method == "POST" else None
    initial = {}
    if invoice is None:
        initial = {key: request.GET.get(key, "") for key in ("customer", "contract")}
    else:
        initial = {"service_start": invoice.service_start, "service_end": invoice.service_end, "note": invoice.note}
    header = InvoiceHeaderForm(posted, membership=request.membership, existing=invoice, initial=initial)
    lines = LineFormSet(posted, initial=line_initial(invoice), prefix="lines")
    if posted is not None and header.is_valid() and lines.is_valid():
        saved = _draft_save(request, header, lines, invoice)
        if saved is not None:
            messages.success(request, _("The draft has been saved."))
            return redirect("billing:invoice_detail", org_slug=org_slug, pk=saved.pk)
    return render(request, "billing/invoices/invoice_form.html", {"invoice": invoice, "form": header, "lines": lines})


def _draft_save(request: TenantRequest, header: InvoiceHeaderForm, lines, invoice: Invoice | None) -> Invoice | None:
    rate = invoices.billing_settings_get(organization=request.organization).vat_rate or Decimal("19")
    specs = [spec for form in lines for spec in [form.spec(rate)] if spec is not None]
    data = header.cleaned_data
    try:
        if invoice is None:
            return invoices.invoice_draft_create(
                actor=request.membership,
                customer=data["customer"],
                contract=data.get("contract"),
                station=data.get("station"),
                lines=specs,
                service_start=data.get("service_start"),
                service_end=data.get("service_end"),
                note=data.get("note") or "",
            )
        return invoices.invoice_draft_update(
            actor=request.membership,
            invoice=invoice,
            lines=specs,
            note=data.get("note") or "",
            service_start=data.get("service_start"),
            service_end=data.get("service_end"),
        )
    except ValidationError as exc:
        form_errors_from(header, exc)
        return None


@requires("billing.change")
def invoice_create(request: TenantRequest, org_slug: str) -> HttpResponse:
    return _draft_page(request, org_slug, None)


@requires("billing.change")
def invoice_edit(request: TenantRequest, org_slug: str, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(membership=request.membership, pk=pk)
    if not invoice.is_draft:
        messages.error(request, _("This invoice has been issued and cannot be changed; cancel it by a credit note."))
        return redirect("billing:invoice_detail", org_slug=org_slug, pk=invoice.pk)
    return _draft_page(request, org_slug, invoice)


@requires("billing.change")
@require_POST
def invoice_delete(request: TenantRequest, org_slug: str, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(membership=request.membership, pk=pk)
    try:
        invoices.invoice_draft_delete(actor=request.membership, invoice=invoice)
    except ValidationError as exc:
        _service_errors(request, exc)
        return redirect("billing:invoice_detail", org_slug=org_slug, pk=invoice.pk)
    messages.success(request, _("The draft has been deleted."))
    return redirect("billing:invoice_list", org_slug=org_slug)


@requires("organization.manage")
@requires("billing.change")
def billing_settings(request: TenantRequest, org_slug: str) -> HttpResponse:
    current = invoices.billing_settings_get(organization=request.organization)
    form = BillingSettingsForm(request.POST if request.method == "POST" else None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            invoices.billing_settings_save(actor=request.membership, settings=form.instance)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The billing settings have been saved."))
            return redirect("billing:settings", org_slug=org_slug)
    return render(request, "billing/invoices/settings.html", {"form": form})

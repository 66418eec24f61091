"""The settlement page: the breakdown before any charge, the charges to correct, settle, and the
manual path after a failure (retry, record a payment, waive). Thin: input → service → redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rentoffice.forms import form_errors_from
from rentoffice.tenancy import TenantRequest, requires

from .. import selectors_settlement as selectors
from ..forms_settlement import ChargeForm, RecordPaymentForm, WaiveForm
from ..models import Payment, Settlement
from ..services import settlement as services

VIEW = "billing.view"
CHANGE_CONTRACTS = "contracts.change"
CHANGE_BILLING = "billing.change"
S = Settlement.State


def _invoice_url(request: TenantRequest, settlement: Settlement) -> str:
    if settlement.final_invoice_id is None:
        return ""
    try:
        return reverse(
            "billing:invoice", kwargs={"org_slug": request.organization.slug, "pk": settlement.final_invoice_id}
        )
    except NoReverseMatch:
        return ""


def _page(request: TenantRequest, settlement: Settlement, **forms):
    membership = request.membership
    editable = settlement.state in (S.PROPOSED, S.FAILED) and settlement.final_invoice_id is None
    rows = selectors.settlement_charges(settlement=settlement)
    charge_forms = forms.pop("charge_forms", {})
    for row in rows:
        if row.charge.pk not in charge_forms:
            charge_forms[row.charge.pk] = ChargeForm(
                initial={"amount": row.charge.amount, "from_deposit": row.charge.from_deposit},
                prefix=f"charge-{row.charge.pk}",
            )
    context = {
        "settlement": settlement,
        "contract": settlement.contract,
        "figures": selectors.settlement_figures(settlement=settlement),
        "invoice_url": _invoice_url(request, settlement),
        "lines": selectors.settlement_lines(settlement=settlement),
        "rows": [(row, charge_forms[row.charge.pk]) for row in rows],
        "editable": editable and membership.has_perm(CHANGE_CONTRACTS),
        "may_settle": membership.has_perm(CHANGE_CONTRACTS),
        "may_waive": membership.has_perm(CHANGE_BILLING) and settlement.state in (S.PROPOSED, S.FAILED),
        "may_record": membership.has_perm(CHANGE_BILLING) and settlement.state == S.FAILED,
        "waive_form": forms.get("waive_form") or WaiveForm(),
        "record_form": forms.get("record_form") or RecordPaymentForm(),
    }
    status = 400 if any(f.errors for f in [*charge_forms.values(), *forms.values()]) else 200
    return render(request, "billing/settlement/detail.html", context, status=status)


@requires(VIEW)
def settlement_detail(request: TenantRequest, org_slug: str, pk: int):
    settlement = selectors.settlement_get(membership=request.membership, pk=pk)
    return _page(request, settlement)


def _report(request: TenantRequest, exc: ValidationError | PermissionDenied) -> None:
    for message in getattr(exc, "messages", None) or [str(exc) or _("Not allowed.")]:
        messages.error(request, message)


@requires(CHANGE_CONTRACTS)
@require_POST
def settlement_charge_update(request: TenantRequest, org_slug: str, pk: int, charge_pk: int):
    settlement = selectors.settlement_get(membership=request.membership, pk=pk)
    charge = selectors.settlement_charge_get(membership=request.membership, settlement=settlement, pk=charge_pk)
    form = ChargeForm(request.POST, prefix=f"charge-{charge.pk}")
    if form.is_valid():
        try:
            services.settlement_charge_update(
                actor=request.membership,
                charge=charge,
                amount=form.cleaned_data["amount"],
                from_deposit=form.cleaned_data["from_deposit"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The charge has been changed; the breakdown shows the new figures."))
            return redirect("billing:settlement", org_slug=org_slug, pk=settlement.pk)
    return _page(request, settlement, charge_forms={charge.pk: form})


@requires(CHANGE_CONTRACTS)
@require_POST
def settlement_run(request: TenantRequest, org_slug: str, pk: int):
    settlement = selectors.settlement_get(membership=request.membership, pk=pk)
    retry = settlement.state == S.FAILED
    try:
        if retry:
            settlement = services.settlement_retry(actor=request.membership, settlement=settlement)
        else:
            settlement = services.settlement_run(actor=request.membership, settlement=settlement)
    except (ValidationError, PermissionDenied) as exc:
        _report(request, exc)
    else:
        if settlement.state == S.SETTLED:
            messages.success(request, _("The contract has been settled."))
        elif settlement.state == S.FAILED:
            messages.error(request, _("The settlement failed: %(reason)s") % {"reason": settlement.failure_reason})
        else:
            messages.info(request, _("The settlement is running; the payment provider confirms in a moment."))
    return redirect("billing:settlement", org_slug=org_slug, pk=settlement.pk)


@requires(CHANGE_BILLING)
@require_POST
def settlement_waive(request: TenantRequest, org_slug: str, pk: int):
    settlement = selectors.settlement_get(membership=request.membership, pk=pk)
    form = WaiveForm(request.POST)
    if form.is_valid():
        try:
            services.settlement_waive(
                actor=request.membership, settlement=settlement, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The settlement has been waived; the contract is settled."))
            return redirect("billing:settlement", org_slug=org_slug, pk=settlement.pk)
    return _page(request, settlement, waive_form=form)


def _awaiting(payment: Payment | None) -> Payment | None:
    if payment is not None and payment.state in (Payment.State.OPEN, Payment.State.FAILED):
        return payment
    return None


@requires(CHANGE_BILLING)
@require_POST
def settlement_record_payment(request: TenantRequest, org_slug: str, pk: int):
    """The manual path: money received in cash or by transfer counts towards the settlement; the
    next retry finds it and charges only what is still open."""
    from ..services.open_items import payment_record

    settlement = selectors.settlement_get(membership=request.membership, pk=pk)
    form = RecordPaymentForm(request.POST)
    if form.is_valid():
        contract = settlement.contract
        try:
            payment_record(
                actor=request.membership,
                customer=contract.payer_customer or contract.customer,
                amount=form.cleaned_data["amount"],
                method=form.cleaned_data["method"],
                received_on=form.cleaned_data["received_on"],
                reference=form.cleaned_data["reference"],
                invoice=settlement.final_invoice,
                contract=contract,
                # A declined card charge waits with a pay link: the money received closes it, so
                # the customer cannot pay twice.
                open_payment=_awaiting(settlement.payment),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The payment has been recorded. Retry the settlement to complete it."))
            return redirect("billing:settlement", org_slug=org_slug, pk=settlement.pk)
    return _page(request, settlement, record_form=form)

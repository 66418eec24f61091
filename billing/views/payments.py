"""Staff pages for a contract's money: the booking's card payment and deposit (Payment Element), its
return page, a later charge on the stored card, a refund, releasing the deposit hold.

Each view loads its record through a selector (404 outside the member's organization and the
contract's stations), turns the form into one service call (bcore's) and shows the service's
refusal on the form. Money moves in the services' tasks; these pages only start it and show states.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from contracts.selectors import contract_get
from rentoffice.forms import form_errors_from
from rentoffice.tenancy import TenantRequest, requires

from .. import selectors_payment_pages as pages
from .. import selectors_payments
from ..forms_payments import LaterChargeForm, RefundForm, ReleaseForm
from ..models import DepositHold, Payment
from ..provider import PaymentProviderError, PaymentsNotConfigured, ProviderUnavailable
from ..services import holds as hold_services
from ..services import payments as payment_services
from ..services import refunds as refund_services
from ..services import stored_card_charges as charge_services
from .payment_element import element_config, with_provider_csp

T = TypeVar("T")

PAYABLE_CONTRACT_STATES = pages.PAYABLE_CONTRACT_STATES


def provider_message(exc: PaymentProviderError) -> str:
    if isinstance(exc, PaymentsNotConfigured):
        return _("Card payments are not set up for this organization. Enter the Stripe keys in the settings.")
    if isinstance(exc, ProviderUnavailable):
        return _("The payment provider cannot be reached at the moment. Please try again in a minute.")
    return _("The payment provider refused: %(reason)s") % {"reason": getattr(exc, "message", "") or str(exc)}


def run_service(form: forms.BaseForm | None, call: Callable[[], T]) -> tuple[T | None, list[str]]:
    """Call a service; its refusal becomes the form's errors, or a list of sentences without a form."""
    try:
        return call(), []
    except PermissionDenied as exc:
        problems = [str(exc) or _("You do not have the permission for this.")]
    except ValidationError as exc:
        if form is not None:
            form_errors_from(form, exc)
            return None, []
        problems = list(exc.messages)
    except PaymentProviderError as exc:
        problems = [provider_message(exc)]
    if form is not None:
        for problem in problems:
            form.add_error(None, problem)
        return None, []
    return None, problems


def _contract_url(request: TenantRequest, contract, anchor: str = "#panel-payments") -> str:
    return reverse("contracts:detail", args=[request.organization.slug, contract.pk]) + anchor


def _booking_context(request: TenantRequest, contract, payment: Payment | None) -> dict:
    config = element_config(request.organization)
    payable = payment is not None and payment.state in pages.PAYABLE_STATES and bool(payment.client_secret)
    return {
        "contract": contract,
        "payment": payment,
        "config": config,
        "show_element": config is not None and payable,
        "may_start": contract.status in PAYABLE_CONTRACT_STATES
        and (payment is None or payment.state in (Payment.State.FAILED, Payment.State.CANCELLED)),
        "return_url": request.build_absolute_uri(
            reverse("billing:booking_payment_return", args=[request.organization.slug, contract.pk])
        ),
        "deposit": contract.deposit,
    }


@never_cache
@requires("contracts.change")
def booking_payment(request: TenantRequest, org_slug, pk):
    """The contract's "Card payment and deposit": one day's rent and the deposit in the Payment Element.

    POST starts (or finds again) the booking payment; GET shows its Payment Element. Starting is a
    POST so that opening the page never creates anything at the provider.
    """
    contract = contract_get(membership=request.membership, pk=pk)
    problems: list[str] = []
    if request.method == "POST":
        payment, problems = run_service(
            None, lambda: payment_services.booking_payment_start(actor=request.membership, contract=contract)
        )
        if payment is not None:
            return redirect("billing:booking_payment", org_slug=request.organization.slug, pk=contract.pk)
    context = _booking_context(request, contract, selectors_payments.booking_payment(contract=contract))
    context["problems"] = problems
    response = render(request, "billing/payments/booking_payment.html", context, status=400 if problems else 200)
    return with_provider_csp(response, context["config"])


@never_cache
@requires("contracts.change")
def booking_payment_return(request: TenantRequest, org_slug, pk):
    """Where the Payment Element (and 3-D Secure) sends the browser back: sync the row and say how it went.

    The query string only names the intent; what happened is re-read from the provider
    (`payment_sync`), never taken from `redirect_status`.
    """
    contract = contract_get(membership=request.membership, pk=pk)
    intent_id = request.GET.get("payment_intent", "")[:100]
    payment = pages.booking_payment_by_intent(
        contract=contract, intent_id=intent_id
    ) or selectors_payments.booking_payment(contract=contract)
    if payment is None:
        return redirect("billing:booking_payment", org_slug=request.organization.slug, pk=contract.pk)
    problems: list[str] = []
    if payment.state not in Payment.FINAL_STATES and payment.provider_id:
        synced, problems = run_service(None, lambda: payment_services.payment_sync(payment=payment))
        payment = synced or payment
    context = _booking_context(request, contract, payment)
    money = pages.contract_money(contract=contract)
    context.update({"problems": problems, "money": money, "contract_url": _contract_url(request, contract)})
    response = render(request, "billing/payments/booking_return.html", context)
    return with_provider_csp(response, context["config"])


def _action_page(request, contract, form, *, title: str, intro: str, submit: str, danger=False, status=200):
    return render(
        request,
        "billing/payments/action.html",
        {"contract": contract, "form": form, "title": title, "intro": intro, "submit": submit, "danger": danger},
        status=status,
    )


@requires("contracts.change")
def charge_create(request: TenantRequest, org_slug, pk):
    """A later charge on the customer's stored card (damage, extension, fuel, cleaning).

    Part of handling the contract (`contracts.change`, bcore's `stored_card_charge` decides the same).
    """
    contract = contract_get(membership=request.membership, pk=pk)
    card = pages.stored_card_of(customer_id=contract.customer_id, organization_id=contract.organization_id)
    form = LaterChargeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        # The description reaches the customer (card statement, pay-link e-mail): in their language.
        with translation.override(contract.customer.message_language):
            description = form.description()
        payment, _problems = run_service(
            form,
            lambda: charge_services.stored_card_charge(
                actor=request.membership,
                customer=contract.customer,
                amount=form.cleaned_data["amount"],
                description=description,
                contract=contract,
            ),
        )
        if payment is not None:
            messages.success(request, _("The charge is being taken from the stored card."))
            return redirect(_contract_url(request, contract))
    if card is None and not form.errors:
        form.add_error(None, _("The customer has no stored card. Take the booking's card payment first."))
    intro = (
        _("Charged to %(card)s without the customer present. If the card is declined, the customer gets a pay link.")
        % {"card": card}
        if card
        else ""
    )
    return _action_page(
        request,
        contract,
        form,
        title=_("Charge the stored card"),
        intro=intro,
        submit=_("Charge"),
        status=400 if request.method == "POST" and form.errors else 200,
    )


@requires("billing.change")
def refund_create(request: TenantRequest, org_slug, pk):
    payment = selectors_payments.payment_get(membership=request.membership, pk=pk)
    refundable = refund_services.refundable(payment)
    form = RefundForm(_posted(request), refundable=refundable)
    if request.method == "POST" and form.is_valid():
        refund, _problems = run_service(
            form,
            lambda: refund_services.refund_create(
                actor=request.membership,
                payment=payment,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            ),
        )
        if refund is not None:
            messages.success(request, _("The refund is on its way to the customer's card."))
            return _back(request, payment.contract)
    intro = _("Paid %(amount)s €, of which %(refundable)s € can still be refunded.") % {
        "amount": payment.amount,
        "refundable": refundable,
    }
    return _action_page(
        request,
        payment.contract,
        form,
        title=_("Refund"),
        intro=intro,
        submit=_("Refund"),
        danger=True,
        status=400 if request.method == "POST" and form.errors else 200,
    )


@requires("contracts.change")
def hold_release(request: TenantRequest, org_slug, pk):
    hold = selectors_payments.hold_get(membership=request.membership, pk=pk)
    form = ReleaseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        released, _problems = run_service(form, lambda: hold_services.hold_release(actor=request.membership, hold=hold))
        if released is not None:
            messages.success(request, _("The deposit is being released."))
            return redirect(_contract_url(request, hold.contract))
    until = date_format(localtime(hold.capture_before), "SHORT_DATETIME_FORMAT") if hold.capture_before else "—"
    intro = _("%(amount)s € are held on the customer's card until %(until)s.") % {"amount": hold.amount, "until": until}
    if hold.state != DepositHold.State.HELD and not form.errors:
        form.add_error(None, _("This deposit is not held (any more)."))
    return _action_page(
        request,
        hold.contract,
        form,
        title=_("Release the deposit"),
        intro=intro,
        submit=_("Release"),
        danger=True,
        status=400 if request.method == "POST" and form.errors else 200,
    )


def _posted(request):
    """The form's data on a POST (even an empty one, so a missing field is an error), else unbound."""
    return request.POST if request.method == "POST" else None


def _back(request: TenantRequest, contract):
    if contract is None:
        return redirect("org_dashboard", org_slug=request.organization.slug)
    return redirect(_contract_url(request, contract))

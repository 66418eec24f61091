"""The customer's pay page `/pay/<token>/` for an open payment (a declined later charge): no login,
the token from the "payment_link" e-mail is the only key, shown in the customer's language.

The page never trusts the return URL's `redirect_status`: the confirmation page re-reads the intent
from the provider (`payment_sync`) and shows the row's state.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django_scopes import scope

from .. import selectors_payment_pages as pages
from ..models import Payment
from ..services import payments as payment_services
from .payment_element import element_config, with_provider_csp
from .payments import run_service


def _payment(token: str) -> Payment:
    payment = pages.payment_by_token(token=token)
    if payment is None or not payment.organization.is_active:
        raise Http404
    return payment


def _language(payment: Payment) -> str:
    return payment.customer.message_language


def _finish(request, payment: Payment, template: str, context: dict):
    config = context.get("config")
    response = render(request, template, {"payment": payment, "public_organization": payment.organization, **context})
    # The link is the key: never sent to other sites (same reason as fleetback's customer page).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return with_provider_csp(response, config)


@never_cache
def pay_page(request, token: str):
    payment = _payment(token)
    with scope(organization=payment.organization), translation.override(_language(payment)):
        config = element_config(payment.organization) if payment.state in pages.PAYABLE_STATES else None
        problems: list[str] = []
        if config is not None and not payment.client_secret:
            # A declined charge whose intent could not be read: a fresh one for the Payment Element.
            prepared, problems = run_service(None, lambda: payment_services.open_payment_intent(payment=payment))
            payment = prepared or payment
        return _finish(
            request,
            payment,
            "billing/payments/pay_page.html",
            {
                "config": config,
                "problems": problems,
                "payable": payment.state in pages.PAYABLE_STATES and bool(payment.client_secret),
                "paid": payment.state == Payment.State.SUCCEEDED,
                "return_url": request.build_absolute_uri(reverse("billing_public:pay_done", args=[token])),
            },
        )


@never_cache
def pay_done(request, token: str):
    payment = _payment(token)
    with scope(organization=payment.organization), translation.override(_language(payment)):
        problems: list[str] = []
        if payment.state not in Payment.FINAL_STATES and payment.provider_id:
            synced, problems = run_service(None, lambda: payment_services.payment_sync(payment=payment))
            payment = synced or payment
        payable = payment.state in pages.PAYABLE_STATES and bool(payment.client_secret)
        return _finish(
            request,
            payment,
            "billing/payments/pay_done.html",
            {
                "problems": problems,
                "paid": payment.state == Payment.State.SUCCEEDED,
                "payable": payable,
                "pay_url": reverse("billing_public:pay_page", args=[token]),
            },
        )

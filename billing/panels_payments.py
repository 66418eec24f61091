"""The contract page's "Payments and deposit" panel (bpay).

Read in a fixed number of queries whatever the number of payments, refunds, holds or deductions
(`selectors_payment_pages.contract_money`); the action links come from one `reverse()` per kind
(`rentoffice.list_urls.pk_url`).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from rentoffice.list_urls import pk_url
from rentoffice.panels import Panel, register

from . import selectors_payment_pages as pages
from .models import DepositHold, Payment


def _contract_payments(view, contract) -> dict:
    money = pages.contract_money(contract=contract)
    slug = view.membership.organization.slug
    may_refund = view.has_perm("billing.change")
    may_handle = view.has_perm("contracts.change")
    refund_url = pk_url("billing:refund_create", org_slug=slug)
    release_url = pk_url("billing:hold_release", org_slug=slug)
    photo_before = pk_url("protocols:photo_thumb", org_slug=slug)
    photo_after = pk_url("vehicles:damage_photo_thumb", org_slug=slug)
    for payment in money.payments:
        payment.refund_url = (
            refund_url(payment.pk) if may_refund and pages.refundable_amount(payment=payment) > 0 else ""
        )
        payment.refund_rows = list(payment.refunds.all())
    for hold in money.holds:
        hold.release_url = release_url(hold.pk) if may_handle and hold.state == DepositHold.State.HELD else ""
        hold.deduction_rows = list(hold.deductions.all())
        for deduction in hold.deduction_rows:
            evidence = money.evidence.get(deduction.pk)
            deduction.before_urls = [photo_before(p.pk) for p in evidence.before] if evidence else []
            deduction.after_urls = [photo_after(p.pk) for p in evidence.after] if evidence else []
    booking_open = any(p.purpose == Payment.Purpose.BOOKING and p.state in pages.PAYABLE_STATES for p in money.payments)
    return {
        "contract": contract,
        "money": money,
        "may_start_booking": may_handle
        and contract.status in pages.PAYABLE_CONTRACT_STATES
        and not money.booking_paid
        and not booking_open,
        "booking_open": booking_open and may_handle,
        "may_charge": may_handle and money.card is not None and contract.status != contract.Status.CANCELLED,
    }


def register_panels() -> None:
    register(
        "contract",
        Panel(
            "payments",
            _("Payments and deposit"),
            "billing/payments/panel.html",
            _contract_payments,
            25,
            "billing.view",
        ),
    )

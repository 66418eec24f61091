"""Celery tasks of billing: payments (thin adapters that load by id and call a service).

Every task that moves money is `acks_late` and `reject_on_worker_lost`: a worker that dies in the
middle leaves the message to be delivered again, and the service's row lock plus the row's own
idempotency key make that second run a repeat the provider answers with its first result.
Transient provider failures (`ProviderUnavailable`) retry with exponential back-off.
"""

from __future__ import annotations

from rentoffice.background import tenant_task
from rentoffice.models import Organization

from ..provider import ProviderUnavailable

MONEY_TASK = {"bind": True, "acks_late": True, "reject_on_worker_lost": True, "max_retries": 8}


def _backoff(task) -> int:
    return min(5 * 2**task.request.retries, 15 * 60)


@tenant_task(**MONEY_TASK)
def payment_charge(self, *, organization: Organization, payment_id: int) -> None:
    """Charge a stored card off-session (queued by `stored_card_charge`)."""
    from ..models import Payment
    from ..services.stored_card_charges import payment_charge_gave_up, payment_charge_run

    payment = Payment.objects.filter(organization=organization, pk=payment_id).first()
    if payment is None:
        return
    try:
        payment_charge_run(payment=payment)
    except ProviderUnavailable as exc:
        if self.request.retries >= self.max_retries:
            payment_charge_gave_up(payment=payment, reason=str(exc))
            return
        raise self.retry(exc=exc, countdown=_backoff(self)) from exc


@tenant_task(**MONEY_TASK)
def hold_authorise(self, *, organization: Organization, hold_id: int) -> None:
    from ..models import DepositHold
    from ..services.holds import hold_authorise_run

    hold = DepositHold.objects.filter(organization=organization, pk=hold_id).first()
    if hold is None:
        return
    try:
        hold_authorise_run(hold=hold)
    except ProviderUnavailable as exc:
        raise self.retry(exc=exc, countdown=_backoff(self)) from exc


@tenant_task(**MONEY_TASK)
def hold_capture(self, *, organization: Organization, hold_id: int) -> None:
    from ..models import DepositHold
    from ..services.holds import hold_capture_run

    hold = DepositHold.objects.filter(organization=organization, pk=hold_id).first()
    if hold is None:
        return
    try:
        hold_capture_run(hold=hold)
    except ProviderUnavailable as exc:
        raise self.retry(exc=exc, countdown=_backoff(self)) from exc


@tenant_task(**MONEY_TASK)
def hold_release(self, *, organization: Organization, hold_id: int) -> None:
    from ..models import DepositHold
    from ..services.holds import hold_release_run

    hold = DepositHold.objects.filter(organization=organization, pk=hold_id).first()
    if hold is None:
        return
    try:
        hold_release_run(hold=hold)
    except ProviderUnavailable as exc:
        raise self.retry(exc=exc, countdown=_backoff(self)) from exc


@tenant_task(**MONEY_TASK)
def refund_send(self, *, organization: Organization, refund_id: int) -> None:
    from ..models import Refund
    from ..services.refunds import refund_run

    refund = Refund.objects.filter(organization=organization, pk=refund_id).first()
    if refund is None:
        return
    try:
        refund_run(refund=refund)
    except ProviderUnavailable as exc:
        raise self.retry(exc=exc, countdown=_backoff(self)) from exc


@tenant_task(bind=True, acks_late=True, max_retries=5)
def payment_sync(self, *, organization: Organization, payment_id: int) -> None:
    """Follow an intent the customer confirmed (return page without waiting for the webhook)."""
    from ..models import Payment
    from ..services.payments import payment_sync as sync

    payment = Payment.objects.filter(organization=organization, pk=payment_id).first()
    if payment is None:
        return
    try:
        sync(payment=payment)
    except ProviderUnavailable as exc:
        raise self.retry(exc=exc, countdown=_backoff(self)) from exc


@tenant_task()
def holds_expiring(*, organization: Organization) -> int:
    """Beat, hourly: holds expiring within 24 h (warned once; re-authorised or captured per setting)."""
    from ..provider import PaymentsNotConfigured
    from ..services.holds import holds_expiring as run

    try:
        return run(organization=organization)
    except PaymentsNotConfigured:
        return 0


@tenant_task()
def payments_sweep(*, organization: Organization) -> int:
    """Beat: stored-card charges whose task was lost (broker down at the time) are queued again."""
    from ..services.stored_card_charges import payments_sync_pending

    return payments_sync_pending(organization_id=organization.pk)

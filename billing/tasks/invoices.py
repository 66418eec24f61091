"""Celery tasks of billing: invoices (thin adapters that load by id and call a service)."""

import logging

from rentoffice.background import tenant_task
from rentoffice.models import Organization

logger = logging.getLogger(__name__)


@tenant_task(bind=True, max_retries=6, acks_late=True, reject_on_worker_lost=True)
def invoice_deliver(self, *, organization: Organization, invoice_id: int) -> None:
    """Enqueued on commit by `invoice_issue`; running it twice leaves one PDF and one e-mail."""
    from ..models import Invoice
    from ..services.invoice_delivery import invoice_deliver as deliver

    invoice = Invoice.objects.filter(organization=organization, pk=invoice_id).first()
    if invoice is None:
        return
    try:
        deliver(invoice=invoice)
    except Exception as exc:  # rendering or storage hiccup: the work is idempotent, so try again later
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


def invoice_deliver_enqueue(*, organization_id: int, invoice_id: int) -> None:
    """Hand the PDF and e-mail to the workers; a broker outage is logged (the sweep delivers later)."""
    try:
        invoice_deliver.apply_async(kwargs={"organization_id": organization_id, "invoice_id": invoice_id}, retry=False)
    except Exception:  # kombu raises several unrelated types when the broker is unreachable
        logger.exception("invoice %s: could not enqueue the delivery; the sweep will retry", invoice_id)


@tenant_task()
def invoices_deliver_pending(*, organization: Organization) -> int:
    """The periodic sweep for documents whose delivery task was lost (broker down at issue)."""
    from ..services.invoice_delivery import invoices_deliver_pending as sweep

    return sweep(organization=organization)

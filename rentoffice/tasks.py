from django.conf import settings

from . import outbox
from .background import periodic_dispatch, tenant_task
from .models import Organization

__all__ = ["outbox_sweep", "periodic_dispatch", "send_message"]  # periodic_dispatch: found by the workers here


@tenant_task(system=True, bind=True, max_retries=settings.OUTBOX_MAX_ATTEMPTS, acks_late=True)
def send_message(self, *, organization: Organization | None, message_id: int) -> bool:
    try:
        return outbox.message_send(organization=organization, message_id=message_id)
    except outbox.TransientSendError as exc:
        delay = outbox.retry_delay(self.request.retries + 1).total_seconds()
        raise self.retry(exc=exc, countdown=delay) from exc


@tenant_task(system=True)
def outbox_sweep(*, organization: Organization | None) -> int:
    return outbox.outbox_sweep(organization=organization)

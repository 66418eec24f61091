from celery import shared_task
from django.conf import settings

from . import outbox


@shared_task(bind=True, max_retries=settings.OUTBOX_MAX_ATTEMPTS, acks_late=True)
def send_message(self, message_id: int) -> bool:
    try:
        return outbox.message_send(message_id=message_id)
    except outbox.TransientSendError as exc:
        delay = outbox.retry_delay(self.request.retries + 1).total_seconds()
        raise self.retry(exc=exc, countdown=delay)


@shared_task
def outbox_sweep() -> int:
    return outbox.outbox_sweep()

"""Protocol work in the workers: tenant tasks (one organization each, in its scope) around the services."""

from rentoffice.background import tenant_task
from rentoffice.models import Organization


@tenant_task(bind=True, max_retries=5, acks_late=True)
def protocol_deliver(self, *, organization: Organization, protocol_id: int) -> None:
    """Enqueued on commit by `protocol_submit`; running it twice leaves one PDF and one e-mail."""
    from .models import Protocol
    from .services.delivery import protocol_deliver as deliver

    protocol = Protocol.objects.filter(organization=organization, pk=protocol_id).first()
    if protocol is None:
        return
    try:
        deliver(protocol=protocol)
    except Exception as exc:  # rendering or storage hiccup: the work is idempotent, so try again later
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc


@tenant_task()
def protocols_deliver_pending(*, organization: Organization) -> int:
    """The periodic sweep for protocols whose delivery task was lost (broker down at submission)."""
    from .services.delivery import protocols_deliver_pending as sweep

    return sweep(organization=organization)

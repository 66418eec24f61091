"""Thin Celery adapters: load by id, call the service (ppdf owns this module; minimal version by pengine)."""

from rentoffice.background import tenant_task


@tenant_task()
def protocol_deliver(*, organization, protocol_id: int) -> None:
    """Render the PDF once and e-mail it to the customer once (safe to run twice)."""
    from .models import Protocol
    from .services.delivery import protocol_deliver as deliver

    protocol = Protocol.objects.filter(organization=organization, pk=protocol_id).first()
    if protocol is None:  # removed since it was queued: nothing to deliver
        return
    deliver(protocol=protocol)

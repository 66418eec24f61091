"""The provider's webhooks: verified, de-duplicated by event id, treated as a trigger to re-fetch.

An event only says "look again": the object is fetched from the provider and the row synced to
what it says now, so events may arrive in any order, twice, or late. The event row is written in
the same transaction as its effects: a transient failure rolls both back and the view answers
5xx, so the provider delivers it again; a repeated delivery finds the row (unique constraint) and
does nothing. Identical deliveries at the same moment wait on the unique index for the first.
Work done here acts as the system (`actor=None`).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from rentoffice.models import Organization

from ..models import DepositHold, Payment, Refund, WebhookEvent
from ..provider import PaymentProviderError, ProviderUnavailable, WebhookSignatureInvalid, provider_for
from .holds import hold_sync
from .payments import payment_sync
from .refunds import refund_sync

logger = logging.getLogger(__name__)

EVENTS = (
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "payment_intent.amount_capturable_updated",
    "payment_intent.requires_action",
    "payment_intent.processing",
    "charge.refunded",
    "refund.updated",
    "charge.refund.updated",
)


def webhook_url(organization: Organization) -> str:
    path = reverse("billing_public:stripe_webhook", args=[organization.pk])
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def stripe_webhooks_connect(*, organization: Organization) -> None:
    """Register our endpoint with the provider and keep its signing secret (encrypted)."""
    secret = provider_for(organization).webhook_endpoint_create(url=webhook_url(organization), events=EVENTS)
    organization.stripe_webhook_secret = secret
    organization.save(update_fields=["stripe_webhook_secret"])


def webhook_receive(*, organization: Organization, payload: bytes, signature_header: str) -> WebhookEvent:
    """Verify and act on one delivery. Raises WebhookSignatureInvalid (→ 400, nothing written) or
    ProviderUnavailable (→ 503, nothing kept, the provider retries)."""
    secret = organization.stripe_webhook_secret or ""
    if not secret:
        raise WebhookSignatureInvalid("no webhook secret configured")
    provider = provider_for(organization)
    event = provider.event_verify(payload=payload, signature_header=signature_header or "", secret=secret)
    event_id = str(event.get("id", ""))[:100]
    if not event_id:
        raise WebhookSignatureInvalid("event without id")
    data_object: dict[str, Any] = (event.get("data") or {}).get("object") or {}
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = WebhookEvent.objects.create(
                    organization=organization,
                    event_id=event_id,
                    type=str(event.get("type", ""))[:100],
                    object_id=str(data_object.get("id", ""))[:100],
                )
        except IntegrityError:
            return WebhookEvent.objects.get(organization=organization, event_id=event_id)
        try:
            acted = _dispatch(organization, data_object)
        except ProviderUnavailable:
            raise
        except PaymentProviderError as exc:
            # Permanent (the object is unknown to the provider): keep the event so it is not retried.
            logger.warning("webhook %s: %s", event_id, exc)
            row.state = WebhookEvent.State.FAILED
            row.error = str(exc)[:500]
        else:
            row.state = WebhookEvent.State.PROCESSED if acted else WebhookEvent.State.IGNORED
        row.processed_at = timezone.now()
        row.save(update_fields=["state", "error", "processed_at"])
    return row


def _dispatch(organization: Organization, data_object: dict[str, Any]) -> bool:
    """Sync the row the object belongs to; False when it is none of ours (ignored)."""
    kind = data_object.get("object")
    object_id = str(data_object.get("id", ""))
    metadata = data_object.get("metadata") or {}
    if kind == "payment_intent":
        return _intent_sync(organization, object_id, metadata)
    if kind == "refund":
        refund = _refund_for(organization, object_id, metadata)
        if refund is None:
            return False
        refund_sync(refund=refund)
        return True
    if kind == "charge" and data_object.get("payment_intent"):
        intent_id = str(data_object["payment_intent"])
        acted = _intent_sync(organization, intent_id, {})
        for refund in Refund.objects.filter(organization=organization, payment__provider_id=intent_id):
            refund_sync(refund=refund)
            acted = True
        return acted
    return False


def _intent_sync(organization: Organization, intent_id: str, metadata: dict[str, Any]) -> bool:
    payment = _payment_for(organization, intent_id, metadata)
    if payment is not None:
        payment_sync(payment=payment)
        return True
    hold = DepositHold.objects.filter(organization=organization, provider_id=intent_id).first()
    if hold is None and metadata.get("hold_uuid"):
        hold = _by_uuid(DepositHold, organization, metadata["hold_uuid"])
    if hold is None:
        return False
    if not hold.provider_id:
        DepositHold.objects.filter(pk=hold.pk, provider_id="").update(provider_id=intent_id)
        hold.refresh_from_db()
    hold_sync(hold=hold)
    return True


def _payment_for(organization: Organization, intent_id: str, metadata: dict[str, Any]) -> Payment | None:
    payment = (
        Payment.objects.filter(organization=organization, provider_id=intent_id)
        .exclude(purpose=Payment.Purpose.DEPOSIT)  # the captured part of a hold shares the hold's intent
        .first()
    )
    if payment is None and metadata.get("payment_uuid"):
        payment = _by_uuid(Payment, organization, metadata["payment_uuid"])
        if payment is not None and not payment.provider_id:
            # The event overtook the task that stores the intent id: take it from the provider's side.
            Payment.objects.filter(pk=payment.pk, provider_id="").update(provider_id=intent_id)
            payment.refresh_from_db()
    return payment


def _refund_for(organization: Organization, refund_id: str, metadata: dict[str, Any]) -> Refund | None:
    refund = Refund.objects.filter(organization=organization, provider_id=refund_id).first()
    if refund is None and metadata.get("refund_uuid"):
        refund = _by_uuid(Refund, organization, metadata["refund_uuid"])
        if refund is not None and not refund.provider_id:
            Refund.objects.filter(pk=refund.pk, provider_id="").update(provider_id=refund_id)
            refund.refresh_from_db()
    return refund


def _by_uuid(model, organization: Organization, value: str):
    try:
        return model.objects.filter(organization=organization, uuid=value).first()
    except Exception:  # not a uuid: not one of ours
        return None

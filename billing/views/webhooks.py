"""The provider's webhook endpoint (no login, no CSRF: the signature is the authentication)."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_scopes import scope, scopes_disabled

from rentoffice.models import Organization

from ..provider import PaymentsNotConfigured, ProviderUnavailable, WebhookSignatureInvalid
from ..services.webhooks import webhook_receive

logger = logging.getLogger(__name__)

# Stripe's own events are a few kB; anything far larger is not one of them.
MAX_PAYLOAD = 512 * 1024


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest, organization_id: int) -> HttpResponse:
    """400 for a bad signature (nothing written), 503 on a transient failure (the provider retries)."""
    with scopes_disabled():
        organization = Organization.objects.filter(pk=organization_id, is_active=True).first()
    if organization is None:
        raise Http404
    payload = request.body
    if len(payload) > MAX_PAYLOAD:
        return JsonResponse({"error": "payload too large"}, status=400)
    try:
        with scope(organization=organization):
            event = webhook_receive(
                organization=organization,
                payload=payload,
                signature_header=request.headers.get("Stripe-Signature", ""),
            )
    except WebhookSignatureInvalid:
        return JsonResponse({"error": "invalid signature"}, status=400)
    except PaymentsNotConfigured:
        return JsonResponse({"error": "payments not configured"}, status=400)
    except ProviderUnavailable:
        logger.warning("webhook for organization %s: provider unavailable, asking for a retry", organization.pk)
        return JsonResponse({"error": "try again"}, status=503)
    return JsonResponse({"received": True, "state": event.state})

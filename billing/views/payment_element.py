"""What every page with the Payment Element shares: the provider's script and the widened CSP.

Stripe.js must come from Stripe (js.stripe.com; in tests and `make run` the fake's stand-in), and it
talks to and frames the provider's origins. Only the pages that show the Payment Element allow those
origins — every other page keeps the strict policy of `settings.CONTENT_SECURITY_POLICY`. The origins
depend on the organization's provider (the fake runs on a free port), so the update is set per
response, the same attribute django-csp's `@csp_update` decorator sets.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import translation

from ..provider import PaymentProvider, PaymentsNotConfigured, provider_for


@dataclass(frozen=True)
class ElementConfig:
    publishable_key: str
    js_url: str
    origins: tuple[str, ...]
    locale: str


def element_config(organization) -> ElementConfig | None:
    """The provider's browser side for this organization; None when card payments are not configured."""
    try:
        provider: PaymentProvider = provider_for(organization)
    except PaymentsNotConfigured:
        return None
    return ElementConfig(
        publishable_key=provider.publishable_key,
        js_url=provider.js_url,
        origins=tuple(provider.origins),
        locale=(translation.get_language() or "de")[:2],
    )


def with_provider_csp(response: HttpResponse, config: ElementConfig | None) -> HttpResponse:
    if config is not None and config.origins:
        origins = list(config.origins)
        response._csp_update = {  # type: ignore[attr-defined]  # django-csp reads it (see csp.decorators)
            "script-src": origins,
            "connect-src": origins,
            "frame-src": origins,
        }
    return response

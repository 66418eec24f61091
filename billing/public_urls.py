"""URLs without login: the customer's pay page for an open payment and the provider's webhooks."""

from django.urls import path  # noqa: F401

app_name = "billing_public"

urlpatterns: list = [
    # /pay/<token>/ … the customer's page for an open payment (bpay)
    # /pay/stripe/webhook/<int:organization_id>/ the provider's webhooks (bcore)
]

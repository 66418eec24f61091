"""URLs without login: the customer's pay page for an open payment and the provider's webhooks."""

from django.urls import path

from .views import webhooks

app_name = "billing_public"

urlpatterns: list = [
    # /pay/<token>/ … the customer's page for an open payment (bpay)
    path("stripe/webhook/<int:organization_id>/", webhooks.stripe_webhook, name="stripe_webhook"),
]

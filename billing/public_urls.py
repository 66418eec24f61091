"""URLs without login: the customer's pay page for an open payment and the provider's webhooks."""

from django.urls import path

from .views import pay_public, webhooks

app_name = "billing_public"

urlpatterns: list = [
    path("stripe/webhook/<int:organization_id>/", webhooks.stripe_webhook, name="stripe_webhook"),
    # The customer's page for an open payment (bpay); the token is the only key.
    path("<str:token>/", pay_public.pay_page, name="pay_page"),
    path("<str:token>/done/", pay_public.pay_done, name="pay_done"),
]

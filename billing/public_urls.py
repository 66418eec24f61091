"""URLs without login: the customer's pay page for an open payment and the provider's webhooks."""

from django.urls import path

from .views import pay_public

app_name = "billing_public"

urlpatterns: list = [
    # The customer's page for an open payment (bpay); the token is the only key.
    path("<str:token>/", pay_public.pay_page, name="pay_page"),
    path("<str:token>/done/", pay_public.pay_done, name="pay_done"),
    # /pay/stripe/webhook/<int:organization_id>/ the provider's webhooks (bcore)
]

from django.urls import path

from .views import payments

# The contract's card payment and deposit, later charges, refunds and releases (bpay).
urlpatterns = [
    path("contracts/<int:pk>/payment/", payments.booking_payment, name="booking_payment"),
    path("contracts/<int:pk>/payment/return/", payments.booking_payment_return, name="booking_payment_return"),
    path("contracts/<int:pk>/charge/", payments.charge_create, name="charge_create"),
    path("payments/<int:pk>/refund/", payments.refund_create, name="refund_create"),
    path("deposit-holds/<int:pk>/release/", payments.hold_release, name="hold_release"),
]

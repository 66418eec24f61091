from django.urls import path

from .views import settlement

urlpatterns: list = [
    path("settlements/<int:pk>/", settlement.settlement_detail, name="settlement"),
    path("settlements/<int:pk>/run/", settlement.settlement_run, name="settlement_run"),
    path(
        "settlements/<int:pk>/charges/<int:charge_pk>/",
        settlement.settlement_charge_update,
        name="settlement_charge_update",
    ),
    path("settlements/<int:pk>/waive/", settlement.settlement_waive, name="settlement_waive"),
    path("settlements/<int:pk>/payment/", settlement.settlement_record_payment, name="settlement_record_payment"),
]

from django.urls import path

from .views import open_items

urlpatterns: list = [
    path("open-items/", open_items.open_item_list, name="open_items"),
    path("open-items/invoice/<int:pk>/record/", open_items.payment_record_invoice, name="payment_record_invoice"),
    path("open-items/payment/<int:pk>/record/", open_items.payment_record_payment, name="payment_record_payment"),
    path("open-items/customer/<int:pk>/record/", open_items.payment_record_customer, name="payment_record_customer"),
]

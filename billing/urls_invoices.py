from django.urls import path

from .views import invoices

urlpatterns: list = [
    path("invoices/", invoices.invoice_list, name="invoice_list"),
    path("invoices/new/", invoices.invoice_create, name="invoice_create"),
    path("invoices/<int:pk>/", invoices.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/edit/", invoices.invoice_edit, name="invoice_edit"),
    path("invoices/<int:pk>/delete/", invoices.invoice_delete, name="invoice_delete"),
    path("invoices/<int:pk>/issue/", invoices.invoice_issue, name="invoice_issue"),
    path("invoices/<int:pk>/pdf/", invoices.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/send/", invoices.invoice_send, name="invoice_send"),
    path("invoices/<int:pk>/cancel/", invoices.invoice_cancel, name="invoice_cancel"),
    path("settings/", invoices.billing_settings, name="settings"),
]

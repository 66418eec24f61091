from django.urls import path

from .views import crm, office

app_name = "fleetback"

urlpatterns = [
    path("checklists/", office.checklists, name="checklists"),
    path("checklists/<int:pk>/", office.checklist_edit, name="checklist_edit"),
    path("after-sales/", office.case_list, {"mode": "after_sales"}, name="list_after_sales"),
    path("sales/", office.case_list, {"mode": "sales"}, name="list_sales"),
    path("after-sales/new/", office.case_create, {"mode": "after_sales"}, name="create_after_sales"),
    path("sales/new/", office.case_create, {"mode": "sales"}, name="create_sales"),
    path("<int:pk>/", office.case_detail, name="detail"),
    path("<int:pk>/edit/", office.case_edit, name="edit"),
    path("<int:pk>/send/", office.case_send, name="send"),
    path("<int:pk>/preview/", office.case_preview, name="preview"),
    path("<int:pk>/print/", office.case_pdf, name="pdf"),
    path("<int:pk>/duplicate/", office.case_duplicate, name="duplicate"),
    path("<int:pk>/close/", office.case_close, name="close"),
    path("<int:pk>/delete/", office.case_delete, name="delete"),
    path("<int:pk>/items/<int:item_pk>/decide/", office.item_decide, name="item_decide"),
    path("<int:pk>/recipients/<int:recipient_pk>/revoke/", office.recipient_revoke, name="recipient_revoke"),
    path("contacts/", crm.contact_list, name="contacts"),
    path("contacts/<int:pk>/", crm.contact_detail, name="contact"),
    path("contacts/<int:pk>/edit/", crm.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/privacy/", crm.contact_privacy, name="contact_privacy"),
    path("contacts/<int:pk>/customer/", crm.contact_customer, name="contact_customer"),
    path("contacts/<int:pk>/export/", crm.contact_export, name="contact_export"),
    path("contacts/<int:pk>/delete/", crm.contact_delete, name="contact_delete"),
]

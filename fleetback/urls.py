from django.urls import path

from .views import dashboard, office

app_name = "fleetback"

urlpatterns = [
    path("checklists/", office.checklists, name="checklists"),
    path("checklists/<int:pk>/", office.checklist_edit, name="checklist_edit"),
    path("after-sales/", dashboard.case_list, {"mode": "after_sales"}, name="list_after_sales"),
    path("sales/", dashboard.case_list, {"mode": "sales"}, name="list_sales"),
    path("statuses/", dashboard.case_statuses, name="statuses"),
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
]

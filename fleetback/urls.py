from django.urls import path

from .views import dashboard, editors, office

app_name = "fleetback"

urlpatterns = [
    path("checklists/", office.checklists, name="checklists"),
    path("checklists/<int:pk>/", office.checklist_edit, name="checklist_edit"),
    path("after-sales/", dashboard.case_list, {"mode": "after_sales"}, name="list_after_sales"),
    path("sales/", dashboard.case_list, {"mode": "sales"}, name="list_sales"),
    path("statuses/", dashboard.case_statuses, name="statuses"),
    path("messages/", editors.message_list, name="messages"),
    path("messages/new/", editors.message_create, name="message_create"),
    path("messages/<int:pk>/", editors.message_edit, name="message_edit"),
    path("messages/<int:pk>/delete/", editors.message_delete, name="message_delete"),
    path(
        "default-texts/after-sales/", editors.default_texts, {"mode": "after_sales"}, name="default_texts_after_sales"
    ),
    path("default-texts/sales/", editors.default_texts, {"mode": "sales"}, name="default_texts_sales"),
    path("brands/", editors.brand_list, name="brands"),
    path("brands/<int:pk>/", editors.brand_design, name="brand_design"),
    path("brands/<int:pk>/logo/", editors.brand_logo, name="brand_logo"),
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

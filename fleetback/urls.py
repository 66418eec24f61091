from django.urls import path

from .views import dashboard, editors, media, office

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
    # media and attachments (fbmedia)
    path("media-limits/", media.media_limits, name="media_limits"),
    path("media-limits/<int:station_pk>/", media.media_limits_edit, name="media_limits_edit"),
    path("<int:pk>/media/upload/", media.media_upload, name="media_upload"),
    path("<int:pk>/media/reorder/", media.media_reorder, name="media_reorder"),
    path("<int:pk>/media.zip", media.media_zip_download, name="media_zip"),
    path("<int:pk>/media/<int:medium_pk>/", media.medium_file, name="medium_file"),
    path("<int:pk>/media/<int:medium_pk>/poster/", media.medium_poster, name="medium_poster"),
    path("<int:pk>/media/<int:medium_pk>/download/", media.medium_download, name="medium_download"),
    path("<int:pk>/media/<int:medium_pk>/public/", media.medium_public, name="medium_public"),
    path("<int:pk>/media/<int:medium_pk>/move/", media.medium_move, name="medium_move"),
    path("<int:pk>/media/<int:medium_pk>/delete/", media.medium_delete, name="medium_delete"),
    path("<int:pk>/media/<int:medium_pk>/draw/", media.medium_draw, name="medium_draw"),
    path("<int:pk>/attachments/upload/", media.attachment_upload, name="attachment_upload"),
    path("<int:pk>/attachments/<int:attachment_pk>/", media.attachment_file, name="attachment_file"),
    path("<int:pk>/attachments/<int:attachment_pk>/public/", media.attachment_public, name="attachment_public"),
    path("<int:pk>/attachments/<int:attachment_pk>/delete/", media.attachment_delete, name="attachment_delete"),
]

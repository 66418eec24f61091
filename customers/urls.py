from django.urls import path

from .views import actions, attributes, documents, office, portal

app_name = "customers"

urlpatterns = [
    path("", office.customer_list, name="list"),
    path("new/", office.customer_create, name="create"),
    path("search/", office.customer_search, name="search"),
    path("cards/suggest/", office.card_suggest, name="card_suggest"),
    path("main-customers/suggest/", office.main_suggest, name="main_suggest"),
    path("settings/", office.customer_settings, name="settings"),
    path("attributes/", attributes.attribute_list, name="attributes"),
    path("attributes/<int:attribute_pk>/rename/", attributes.attribute_rename, name="attribute_rename"),
    path("attributes/<int:attribute_pk>/delete/", attributes.attribute_delete, name="attribute_delete"),
    path("document-templates/", documents.document_templates, name="document_templates"),
    path("document-templates/<int:template_pk>/", documents.document_templates, name="document_template_edit"),
    path(
        "document-templates/<int:template_pk>/preview/",
        documents.document_template_preview,
        name="document_template_preview",
    ),
    path("email-templates/", documents.email_templates, name="email_templates"),
    path("email-templates/<int:template_pk>/", documents.email_templates, name="email_template_edit"),
    path("<int:pk>/", office.customer_card, name="card"),
    path("<int:pk>/licence-checked/", office.licence_checked, name="licence_checked"),
    path("<int:pk>/copy/", actions.customer_copy, name="copy"),
    path("<int:pk>/terminate/", actions.customer_terminate, name="terminate"),
    path("<int:pk>/block/", actions.customer_block, name="block"),
    path("<int:pk>/unlock/", actions.customer_unlock, name="unlock"),
    path("<int:pk>/time-limit/", actions.customer_time_limit, name="time_limit"),
    path("<int:pk>/delete/", actions.customer_delete, name="delete"),
    path("<int:pk>/export/", actions.customer_export, name="export"),
    path("<int:pk>/merge/", actions.customer_merge_pick, name="merge_pick"),
    path("<int:pk>/merge/<int:other_pk>/", actions.customer_merge, name="merge"),
    path("<int:pk>/email/", documents.customer_email, name="email"),
    path("<int:pk>/documents/", documents.document_upload, name="document_upload"),
    path("<int:pk>/documents/<int:doc_pk>/", documents.document_download, name="document_download"),
    path("<int:pk>/documents/<int:doc_pk>/delete/", documents.document_delete, name="document_delete"),
    path("<int:pk>/portal/invite/", portal.account_invite, name="account_invite"),
    path("<int:pk>/portal/<int:account_pk>/resend/", portal.account_resend, name="account_resend"),
    path("<int:pk>/portal/<int:account_pk>/reset/", portal.account_reset, name="account_reset"),
    path("<int:pk>/portal/<int:account_pk>/delete/", portal.account_delete, name="account_delete"),
]

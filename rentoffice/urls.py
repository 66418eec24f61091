from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import health
from .api import urls as api_urls
from .forms import StaffPasswordResetForm
from .security import ThrottledPasswordChangeForm
from .views import account, message_templates, messages, office, panels, system

org_patterns = [
    path("", office.dashboard, name="org_dashboard"),
    path("station-filter/", account.set_station_filter, name="set_station_filter"),
    path("settings/", office.organization_settings, name="organization_settings"),
    path("logo/", office.organization_logo, name="organization_logo"),
    path("regions/", office.region_list, name="region_list"),
    path("regions/<int:pk>/", office.region_edit, name="region_edit"),
    path("stations/", office.station_list, name="station_list"),
    path("stations/new/", office.station_create, name="station_create"),
    path("stations/<int:pk>/", office.station_edit, name="station_edit"),
    path("users/", office.user_list, name="user_list"),
    path("users/invite/", office.user_invite, name="user_invite"),
    path("users/<int:pk>/", office.membership_edit, name="membership_edit"),
    path("users/<int:pk>/resend/", office.membership_resend, name="membership_resend"),
    path("roles/", office.role_list, name="role_list"),
    path("roles/new/", office.role_create, name="role_create"),
    path("roles/<int:pk>/", office.role_edit, name="role_edit"),
    path("templates/", message_templates.template_list, name="message_template_list"),
    path("templates/<slug:key>/<slug:language>/", message_templates.template_edit, name="message_template_edit"),
    path("activity/<slug:kind>/<int:pk>/", system.activity_all, name="activity_all"),
    path("messages/<slug:kind>/<int:pk>/", system.messages_all, name="messages_all"),
    path("panels/<slug:kind>/<slug:key>/<int:pk>/", panels.panel_body, name="panel_body"),
    path("message/<int:pk>/", messages.message_detail, name="message_detail"),
    path("message/<int:pk>/html/", messages.message_html, name="message_html"),
    path("message/<int:pk>/attachment/", messages.message_attachment, name="message_attachment"),
    path("vehicles/", include("vehicles.urls")),
    path("customers/", include("customers.urls")),
    path("contracts/", include("contracts.urls")),
    path("cases/", include("fleetback.urls")),
    path("protocols/", include("protocols.urls")),
    path("billing/", include("billing.urls")),
]

urlpatterns = [
    path("", account.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("login/", account.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(form_class=ThrottledPasswordChangeForm),
        name="password_change",
    ),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        account.ThrottledPasswordResetView.as_view(form_class=StaffPasswordResetForm),
        name="password_reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        account.PasswordSetView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("profile/", account.profile, name="profile"),
    path("language/", account.set_language, name="set_language"),
    path("o/<slug:org_slug>/", include(org_patterns)),
    path("api/v1/o/<slug:org_slug>/", include((api_urls.org_patterns, "api"))),
    path("portal/", include("customers.portal_urls")),
    path("c/", include("fleetback.public_urls")),
    # Customers' pay links and the payment provider's webhooks (no login; see billing/public_urls.py).
    path("pay/", include("billing.public_urls")),
    path("django-admin/", admin.site.urls),
]

handler404 = "rentoffice.views.errors.not_found"
handler403 = "rentoffice.views.errors.forbidden"
handler500 = "rentoffice.views.errors.server_error"
handler400 = "rentoffice.views.errors.bad_request"

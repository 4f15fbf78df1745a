from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from abtests.api import router as abtests_api
from bakedbot import notice_views, views
from bakedbot.api import api
from bakedbot.api import not_found as api_not_found
from bakedbot.forms import EmailAuthenticationForm
from costs.api import router as costs_api
from playbooks.api import router as playbooks_api

# The JSON API: each app owns its router; they are mounted here so that the cost core and the
# API module import no feature app.
api.add_router("", costs_api)
api.add_router("", abtests_api)
api.add_router("", playbooks_api)

handler403 = "bakedbot.views.permission_denied"

urlpatterns = [
    path("api/v1/", api.urls),
    path("api/v1/<path:path>", api_not_found),
    path("", views.home, name="home"),
    path("dashboard", views.dashboard, name="dashboard"),
    path("dashboard/organisations", views.organisations, name="organisations"),
    path("dashboard/notifications", notice_views.notifications, name="notifications"),
    path(
        "dashboard/notifications/read",
        notice_views.notifications_read_all,
        name="notifications_read_all",
    ),
    path(
        "dashboard/notifications/<str:notice_id>/read",
        notice_views.notification_read,
        name="notification_read",
    ),
    path("dashboard/api-tokens", views.api_tokens, name="api_tokens"),
    path(
        "dashboard/api-tokens/<str:token_id>/revoke",
        views.api_token_revoke,
        name="api_token_revoke",
    ),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("costs.urls")),
    path("", include("media.urls")),
    path("", include("presets.urls")),
    path("", include("abtests.urls")),
    path("", include("playbooks.urls")),
]

# 403 and 404 are Django's handlers drawing templates/403.html and 404.html inside the shell; the
# 500 page has its own because Django draws 500.html without the request (bakedbot.error_views).
handler500 = "bakedbot.error_views.server_error"

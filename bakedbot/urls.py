from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from bakedbot import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard", views.dashboard, name="dashboard"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
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

from django.urls import path

from media import dashboard_views, views

app_name = "media"
urlpatterns = [
    path("dashboard/media", dashboard_views.media_dashboard, name="dashboard"),
    path("dashboard/media/budget", dashboard_views.media_budget_update, name="budget_update"),
    path(
        "dashboard/media/alerts/<str:alert_id>/acknowledge",
        dashboard_views.media_alert_acknowledge,
        name="alert_acknowledge",
    ),
    path("dashboard/creative", views.creative_center, name="creative"),
]

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
    path("dashboard/creative/estimate", views.creative_estimate, name="creative_estimate"),
    path("dashboard/creative/generate", views.creative_generate, name="creative_generate"),
    path(
        "dashboard/creative/preset-search",
        views.creative_preset_search,
        name="creative_preset_search",
    ),
    path("dashboard/creative/jobs", views.creative_jobs, name="creative_jobs"),
    path(
        "dashboard/creative/jobs/<str:job_id>/retry",
        views.creative_job_retry,
        name="creative_job_retry",
    ),
    path("dashboard/creative/gallery", views.creative_gallery, name="creative_gallery"),
    path("dashboard/creative/media/<str:asset_id>", views.asset_file, name="asset_file"),
    path(
        "dashboard/creative/media/<str:asset_id>/thumbnail",
        views.asset_thumbnail,
        name="asset_thumbnail",
    ),
    path("dashboard/creative/media/<str:asset_id>/submit", views.asset_submit, name="asset_submit"),
    path("dashboard/creative/content/review", views.content_review, name="content_review"),
    path(
        "dashboard/creative/content/<str:content_id>/approve",
        views.content_approve,
        name="content_approve",
    ),
    path(
        "dashboard/creative/content/<str:content_id>/reject",
        views.content_reject,
        name="content_reject",
    ),
]

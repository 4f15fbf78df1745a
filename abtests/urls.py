from django.urls import path

from abtests import recommendation_views, views, wizard_views

app_name = "abtests"
urlpatterns = [
    path("dashboard/abtests", views.test_list, name="list"),
    path("dashboard/abtests/new", wizard_views.wizard_new, name="new"),
    path(
        "dashboard/abtests/recommendations",
        recommendation_views.recommendations,
        name="recommendations",
    ),
    path("dashboard/abtests/<str:test_id>", views.test_detail, name="detail"),
    path("dashboard/abtests/<str:test_id>/wizard", wizard_views.wizard_step, name="wizard"),
    path("dashboard/abtests/<str:test_id>/status", views.test_status, name="status"),
    path(
        "dashboard/abtests/<str:test_id>/variants/<str:variant_id>/metrics",
        views.variant_metrics,
        name="variant_metrics",
    ),
    path(
        "dashboard/abtests/<str:test_id>/variants/<str:variant_id>/media",
        wizard_views.variant_media,
        name="variant_media",
    ),
    path("dashboard/abtests/<str:test_id>/metrics-upload", views.metrics_upload, name="upload"),
    path("dashboard/abtests/<str:test_id>/split", views.apply_split, name="split"),
]

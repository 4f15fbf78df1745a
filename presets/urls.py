from django.urls import path

from presets import views

app_name = "presets"
urlpatterns = [
    path("dashboard/presets", views.gallery, name="gallery"),
    path("dashboard/presets/new", views.create, name="create"),
    path("dashboard/presets/published", views.published, name="published"),
    path("dashboard/presets/preview", views.preview, name="preview"),
    path("dashboard/presets/compose", views.compose, name="compose"),
    path("dashboard/presets/picker", views.picker, name="picker"),
    path("dashboard/presets/<str:preset_id>/edit", views.edit, name="edit"),
    path("dashboard/presets/<str:preset_id>/delete", views.delete, name="delete"),
    path("dashboard/presets/<str:preset_id>/publish", views.publish, name="publish"),
    path("dashboard/presets/<str:preset_id>/copy", views.copy, name="copy"),
]

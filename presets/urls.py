from django.urls import path

from presets import views

app_name = "presets"
urlpatterns = [
    path("dashboard/presets", views.gallery, name="gallery"),
]

from django.urls import path

from media import views

app_name = "media"
urlpatterns = [
    path("dashboard/media", views.media_dashboard, name="dashboard"),
    path("dashboard/creative", views.creative_center, name="creative"),
]

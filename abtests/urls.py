from django.urls import path

from abtests import views

app_name = "abtests"
urlpatterns = [
    path("dashboard/abtests", views.test_list, name="list"),
]

from django.urls import path

from costs import views

app_name = "costs"
urlpatterns = [
    path("dashboard/ceo", views.ceo, name="ceo"),
]

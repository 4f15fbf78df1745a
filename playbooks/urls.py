from django.urls import path

from playbooks import views

app_name = "playbooks"
urlpatterns = [
    path("dashboard/playbooks", views.playbook_list, name="list"),
    path("dashboard/ceo/playbooks", views.ceo_library, name="ceo_library"),
]

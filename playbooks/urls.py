from django.urls import path

from playbooks import views

app_name = "playbooks"
urlpatterns = [
    path("dashboard/playbooks", views.playbook_list, name="list"),
    path("dashboard/playbooks/install", views.playbook_install, name="install"),
    path(
        "dashboard/playbooks/templates/<slug:template_id>/run",
        views.template_run,
        name="template_run",
    ),
    path("dashboard/playbooks/runs/<str:run_id>", views.run_detail, name="run_detail"),
    path("dashboard/playbooks/runs/<str:run_id>/rerun", views.run_rerun, name="run_rerun"),
    path("dashboard/playbooks/<str:playbook_id>", views.playbook_detail, name="detail"),
    path(
        "dashboard/playbooks/<str:playbook_id>/settings",
        views.playbook_settings,
        name="settings",
    ),
    path("dashboard/playbooks/<str:playbook_id>/toggle", views.playbook_toggle, name="toggle"),
    path("dashboard/playbooks/<str:playbook_id>/run", views.playbook_run, name="run"),
    path("dashboard/ceo/playbooks", views.ceo_library, name="ceo_library"),
    path("dashboard/ceo/playbooks/seed", views.ceo_seed, name="ceo_seed"),
    path("dashboard/ceo/playbooks/install", views.ceo_install, name="ceo_install"),
]

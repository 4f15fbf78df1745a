from django.urls import path

from costs import admin_views, views

app_name = "costs"
urlpatterns = [
    path("dashboard/ceo", views.ceo, name="ceo"),
    path("dashboard/ceo/summary.csv", views.summary_csv, name="summary_csv"),
    path("dashboard/ceo/events.csv", views.events_csv, name="events_csv"),
    path("dashboard/costs/prices", admin_views.price_versions, name="price_versions"),
    path("dashboard/costs/billing", admin_views.billing, name="billing"),
]

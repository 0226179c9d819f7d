"""``/reports/``: the dashboard (apps/reports/views.py)."""

from django.urls import path

from apps.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/", views.dashboard_export, name="export"),
    path("annual/", views.annual_report, name="annual"),
    path("signoffs/", views.signoff, name="signoff"),
    path("annual/draft/", views.annual_draft, name="annual_draft"),
]

"""``/jobs/``: My jobs outside the admin (apps/jobs/views.py)."""

from django.urls import path

from apps.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.jobs_page, name="list"),
    path("<int:job_id>/", views.job_page, name="page"),
    path("<int:job_id>/status/", views.job_status, name="status"),
    path("<int:job_id>/download/", views.job_download, name="download"),
]

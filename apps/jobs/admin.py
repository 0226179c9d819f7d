"""My jobs: the list of one's jobs (a district admin's: the subtree's), and a job's page with
its progress bar and then its report (docs/jobs.md)."""

from django.contrib import admin
from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from procrastinate.contrib.django.models import ProcrastinateJob

from apps.jobs.kinds import kind_of
from apps.jobs.models import Job
from apps.jobs.selectors import job_list
from apps.organizations.admin_base import ScopedAdminMixin

# procrastinate's own page of its queue lists every account's jobs, unscoped: not offered.
# Its rows are read through ours.
if admin.site.is_registered(ProcrastinateJob):
    admin.site.unregister(ProcrastinateJob)


def kind_label(job: Job) -> str:
    kind = kind_of(job.kind)
    if kind is None:
        return job.kind
    if job.dry_run:
        return _("%(kind)s (dry run)") % {"kind": kind.label}
    return str(kind.label)


def job_status(job: Job) -> dict:
    """What the job's page and its polling script read (the API's serializer says the same)."""
    return {
        "id": job.pk,
        "state": job.state,
        "state_display": job.get_state_display(),
        "phase": job.phase,
        "phase_display": job.get_phase_display() if job.phase else "",
        "done": job.done,
        "total": job.total,
        "error": job.error,
        "finished": not job.is_active,
    }


@admin.register(Job)
class JobAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read only: jobs are started by the pages that hand work to them."""

    actions = []
    list_display = ["created_at", "kind_display", "user", "state", "progress", "finished_at"]
    list_display_links = ["created_at"]
    list_filter = ["state"]
    list_select_related = ["user"]

    def get_queryset(self, request):
        return job_list(user=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("kind"))
    def kind_display(self, job):
        return kind_label(job)

    @admin.display(description=_("progress"))
    def progress(self, job):
        if not job.total:
            return ""
        return f"{job.done:,} / {job.total:,}"

    def get_urls(self):
        return [
            path(
                "<int:object_id>/status/",
                self.admin_site.admin_view(self.status_view),
                name="jobs_job_status",
            ),
            *super().get_urls(),
        ]

    def _job(self, request, object_id) -> Job:
        if not self.has_view_permission(request):
            raise Http404
        job = self.get_queryset(request).filter(pk=object_id).first()
        if job is None:
            raise Http404
        return job

    def status_view(self, request, object_id):
        """The job's state and progress as JSON, for the page's script."""
        response = JsonResponse(job_status(self._job(request, object_id)))
        response["Cache-Control"] = "no-store"
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The job's page: a progress bar while it runs, then the import's report."""
        job = self._job(request, object_id)
        kind = kind_of(job.kind)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": kind_label(job),
            "job": job,
            "status": job_status(job),
            "status_url": reverse("admin:jobs_job_status", args=[job.pk]),
            "report": job.result or None,
            "changelist_url": reverse(kind.changelist) if kind else "",
        }
        return TemplateResponse(request, "admin/jobs/job/page.html", context)

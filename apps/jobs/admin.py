"""My jobs: the list of one's jobs (a district admin's: the subtree's), and a job's page with
its progress bar and then its report (docs/jobs.md)."""

from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from procrastinate.contrib.django.models import ProcrastinateJob

from apps.core.validators import ascii_digits
from apps.jobs import services
from apps.jobs.display import download_response, kind_label, page_context, status_response
from apps.jobs.kinds import kind_of
from apps.jobs.models import Job
from apps.jobs.selectors import job_list
from apps.organizations.admin_base import ScopedAdminMixin

# procrastinate's own page of its queue lists every account's jobs, unscoped: not offered.
# Its rows are read through ours.
if admin.site.is_registered(ProcrastinateJob):
    admin.site.unregister(ProcrastinateJob)


def start_export(model_admin, request, queryset, filters: list[str]):
    """An admin export too large for a request becomes a job (connected to the admin's export
    action in apps/jobs/apps.py): the records chosen now, within the account's subtree."""
    ids = list(queryset.values_list("pk", flat=True)[: services.EXPORT_MAX_ROWS + 1])
    if len(ids) > services.EXPORT_MAX_ROWS:
        message = _(
            "At most %(max)s rows can be exported: narrow the list with its filters or search, "
            "then export again."
        )
        model_admin.message_user(
            request, message % {"max": f"{services.EXPORT_MAX_ROWS:,}"}, messages.ERROR
        )
        return None
    job = services.export_job_start(
        by=request.user, model=model_admin.model, ids=ids, filters=filters
    )
    message = _(
        "%(count)s rows are being written to a file in the background; this page shows when it "
        "is ready."
    )
    messages.info(request, message % {"count": f"{len(ids):,}"})
    return redirect("admin:jobs_job_change", job.pk)


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
            path(
                "<int:object_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="jobs_job_download",
            ),
            *super().get_urls(),
        ]

    def _job(self, request, object_id) -> Job:
        if not self.has_view_permission(request) or not ascii_digits(str(object_id)):
            raise Http404
        job = self.get_queryset(request).filter(pk=object_id).first()
        if job is None:
            raise Http404
        return job

    def status_view(self, request, object_id):
        """The job's state and progress as JSON, for the page's script."""
        return status_response(self._job(request, object_id))

    def download_view(self, request, object_id):
        """An export's file, for the account that asked for it alone, for 24 hours; logged."""
        return download_response(request, self._job(request, object_id))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The job's page: a progress bar while it runs, then the import's report."""
        job = self._job(request, object_id)
        kind = kind_of(job.kind)
        context = {
            **self.admin_site.each_context(request),
            **page_context(request, job, url_names="admin:jobs_job_"),
            "opts": self.model._meta,
            "changelist_url": reverse(kind.changelist) if getattr(kind, "changelist", "") else "",
        }
        return TemplateResponse(request, "admin/jobs/job/page.html", context)

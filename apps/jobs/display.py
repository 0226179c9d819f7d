"""How a job is shown, on the admin's job page and on the site's own (``apps/jobs/views.py``):
its kind in words, its status as the page's script reads it, the page's context, and the
export's download (docs/jobs.md)."""

from django.apps import apps
from django.http import FileResponse, Http404, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core import xlsx_export
from apps.jobs import services
from apps.jobs.kinds import FileKind, kind_of
from apps.jobs.models import Job


def kind_label(job: Job) -> str:
    if job.kind == services.EXPORT_JOB:
        opts = _model_opts(job)
        name = opts.verbose_name_plural if opts else job.params.get("model", "")
        return _("Export of %(records)s") % {"records": name}
    kind = kind_of(job.kind)
    if kind is None:
        return job.kind
    if job.dry_run:
        return _("%(kind)s (dry run)") % {"kind": kind.label}
    return str(kind.label)


def _model_opts(job: Job):
    try:
        return apps.get_model(job.params.get("model", ""))._meta
    except (LookupError, ValueError):
        return None


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


def status_response(job: Job) -> JsonResponse:
    response = JsonResponse(job_status(job))
    response["Cache-Control"] = "no-store"
    return response


def page_context(request, job: Job, *, url_names: str) -> dict:
    """What a job's page shows; ``url_names`` prefixes its status and download routes' names
    (the admin's ``admin:jobs_job_``, the site's ``jobs:``)."""
    writes_file = job.kind == services.EXPORT_JOB or isinstance(kind_of(job.kind), FileKind)
    return {
        "title": kind_label(job),
        "job": job,
        "status": job_status(job),
        "status_url": reverse(f"{url_names}status", args=[job.pk]),
        "writes_file": writes_file,
        "report": None if writes_file else job.result,
        "download_url": reverse(f"{url_names}download", args=[job.pk])
        if services.may_download(request.user, job)
        else "",
    }


def download_response(request, job: Job) -> FileResponse:
    """A job's file for 24 hours, logged: an export's for the account that asked for it alone,
    a draft's for whoever sees the job (``services.export_download``). A 404 for anyone else,
    or once it has gone."""
    stream = services.export_download(by=request.user, job=job)
    if stream is None:
        raise Http404
    kind = kind_of(job.kind)
    if isinstance(kind, FileKind):
        name, content_type = job.result.get("name") or f"{job.pk}.docx", kind.content_type
    else:
        opts = _model_opts(job)
        name = f"{opts.verbose_name_plural if opts else 'export'}_{job.pk}.xlsx"
        content_type = xlsx_export.CONTENT_TYPE
    response = FileResponse(stream, as_attachment=True, filename=name)
    response["Content-Type"] = content_type
    response["Cache-Control"] = "no-store"
    return response

"""Every write of jobs: starting one, its progress, its end (docs/jobs.md).

A job is two rows: procrastinate's in its queue (when to run it, which worker has it) and our
``Job`` (who, how far, what came of it). Both are written in one transaction when the job is
started, so a job is queued exactly when its record exists.

An import runs in one transaction, every row or none (apps/core/imports.py). Its progress is
written meanwhile through a connection of its own, committed at once, so a page sees it move
while the import's own transaction is still open; the job's end is written inside the
import's transaction, so the rows and "finished" commit together. A worker killed mid-import
leaves neither: its job is found stalled by procrastinate's heartbeats and ended here.
"""

import hashlib
import json
import logging
import time
from datetime import timedelta

from asgiref.sync import async_to_sync
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, connections, transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Status

from apps.core import logs, xlsx_export
from apps.core.audit import export_log_write
from apps.core.imports import CHECKING
from apps.core.models import AccessLog
from apps.core.xlsx import SheetError
from apps.jobs.choices import ACTIVE_STATES, JobState, Phase
from apps.jobs.kinds import FileKind, JobRefused, kind_of
from apps.jobs.models import Job

logger = logging.getLogger(__name__)

MAX_ERRORS_KEPT = 1000  # bad rows a job's report lists; the count says how many in all
EXPORT_JOB = "export"  # an Excel export too large for a request (docs/jobs.md, Exports)
EXPORT_MAX_ROWS = 200_000  # a whole district's people, with room to grow
EXPORT_KEPT_FOR = timedelta(hours=24)  # an export's file, and any job's file
PROGRESS_EVERY = 0.5  # seconds between two writes of a job's progress
RUN_TASK = "jobs.run"


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def import_job_start(*, by, kind: str, data: bytes, dry_run: bool) -> tuple[Job, bool]:
    """Queue an import of the sheet ``data`` by ``by``; return the job and whether it is new.

    The same file, of the same kind and dry run, by the same account while a job of it is
    waiting or running, starts no second job: that one is returned. The file is stored
    privately (``job_file_path``) until the job ends.
    """
    from apps.jobs.tasks import run_job  # the task module imports this one

    digest = file_digest(data)
    same = Job.objects.filter(
        user=by, kind=kind, input_digest=digest, dry_run=dry_run, state__in=ACTIVE_STATES
    )
    if found := same.first():
        return found, False
    job = Job(user=by, organization=by.organization, kind=kind, dry_run=dry_run)
    job.input_digest = digest
    job.input_file.save("upload.xlsx", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            job.save()
            # A queueing lock too: procrastinate refuses a second waiting job of the same key.
            job.queue_id = run_job.configure(
                queueing_lock=f"import:{by.pk}:{kind}:{digest}:{int(dry_run)}"
            ).defer(job_id=job.pk, **logs.carried())
            job.save(update_fields=["queue_id"])
    except (IntegrityError, AlreadyEnqueued):
        job.input_file.delete(save=False)
        if found := same.first():
            return found, False
        raise
    except BaseException:
        job.input_file.delete(save=False)
        raise
    return job, True


class ProgressWriter:
    """The progress callback of an import (``apps.core.imports.Progress``), written to the
    job's row through a connection of its own, at most every ``PROGRESS_EVERY`` seconds (and
    at each change of phase and at the end of one)."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.connection = connections.create_connection("default")
        self.phase, self.written_at = "", 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        phase = Phase.CHECKING if stage == CHECKING else Phase.STORING
        now = time.monotonic()
        if phase == self.phase and done < total and now - self.written_at < PROGRESS_EVERY:
            return
        self.phase, self.written_at = phase, now
        with self.connection.cursor() as cursor:
            cursor.execute(
                "UPDATE jobs_job SET phase = %s, done = %s, total = %s WHERE id = %s",
                [phase, done, total, self.job_id],
            )

    def close(self) -> None:
        self.connection.close()


def job_run(job_id: int) -> None:
    """Run the job (in a worker): as the account that started it, checked again now."""
    job = Job.objects.select_related("user__organization").filter(pk=job_id).first()
    if job is None or job.state != JobState.QUEUED:
        return  # ended meanwhile (found stalled), or already run
    with logs.log_context(account_id=job.user_id):  # its log lines name its account
        _job_run(job)


def _job_run(job: Job) -> None:
    if job.kind == EXPORT_JOB:
        with translation.override(settings.LANGUAGE_CODE):
            _run_export(job)
        return
    kind = kind_of(job.kind)
    with translation.override(settings.LANGUAGE_CODE):  # a job's words are Chinese
        if kind is None:
            _fail(job, _("This kind of job no longer exists: nothing was done."))
            return
        if isinstance(kind, FileKind):
            _run_file(job, kind)
            return
        if not job.user.has_perm(kind.perm):  # deactivated, or the role lost the right
            _fail(
                job, _("The account that started this job may no longer do it: nothing was done.")
            )
            return
        Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, started_at=timezone.now())
        progress = ProgressWriter(job.pk)
        try:
            _run_import(job, kind, progress)
        except SheetError as exc:
            _fail(job, str(exc))
        except Exception:
            _fail(job, _("The job stopped on an unexpected error: nothing was imported."))
            raise
        finally:
            progress.close()
            job.input_file.delete(save=False)


def _run_import(job: Job, kind, progress: ProgressWriter) -> None:
    data = job.input_file.read()
    job.input_file.close()
    with transaction.atomic():  # the rows and the job's end commit together
        report = kind.importer.run(
            data=data, by=job.user, dry_run=job.dry_run, max_rows=None, progress=progress
        )
        created = len(report.created)
        if created:
            message = str(kind.importer.done % {"count": created})
        elif report.errors:
            message = _("No row was imported: correct the rows below.")
        else:
            message = _("Every row is correct; untick dry run to import.")
        result = {
            "rows": report.rows,
            "created": created,
            "error_count": len(report.errors),
            "errors": [[number, str(problem)] for number, problem in report.errors][
                :MAX_ERRORS_KEPT
            ],
            "message": message,
        }
        Job.objects.filter(pk=job.pk).update(
            state=JobState.SUCCEEDED, result=result, finished_at=timezone.now(), input_file=""
        )


# --- Files (a report's Word draft) ----------------------------------------------------------


def file_job_start(*, by, kind: str, params: dict) -> tuple[Job, bool]:
    """Queue a job of the file kind ``kind`` (apps/jobs/kinds.py) for ``by`` with ``params``;
    return the job and whether it is new. The same parameters asked again by the same account
    while a job of them waits or runs start no second job (the digest of the parameters takes
    the uploaded file's place in ``jobs_one_active_job_per_file``)."""
    from apps.jobs.tasks import run_job  # the task module imports this one

    digest = file_digest(json.dumps(params, sort_keys=True).encode())
    same = Job.objects.filter(user=by, kind=kind, input_digest=digest, state__in=ACTIVE_STATES)
    if found := same.first():
        return found, False
    job = Job(user=by, organization=by.organization, kind=kind, input_digest=digest, params=params)
    try:
        with transaction.atomic():
            job.save()
            job.queue_id = run_job.defer(job_id=job.pk)
            job.save(update_fields=["queue_id"])
    except IntegrityError:
        if found := same.first():
            return found, False
        raise
    return job, True


def _run_file(job: Job, kind: FileKind) -> None:
    """Write the job's file as its account, checked again now; any failure ends the job
    failed, with no file left behind."""
    if not kind.allowed(job.user):
        _fail(job, _("The account that started this job may no longer do it: nothing was done."))
        return
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, started_at=timezone.now(), phase=Phase.STORING
    )
    try:
        data, name = kind.write(job)
    except JobRefused as refused:
        _fail(job, str(refused))
        return
    except Exception:
        _fail(job, _("The job stopped on an unexpected error: no file was written."))
        raise
    try:
        job.output_file.save(name, ContentFile(data), save=False)
        Job.objects.filter(pk=job.pk).update(
            state=JobState.SUCCEEDED,
            output_file=job.output_file.name,
            expires_at=timezone.now() + EXPORT_KEPT_FOR,
            finished_at=timezone.now(),
            result={
                "name": name,
                "message": _("The file is ready: download it within 24 hours."),
            },
        )
    except Exception:
        job.output_file.delete(save=False)
        _fail(job, _("The job stopped on an unexpected error: no file was written."))
        raise


# --- Exports ---------------------------------------------------------------------------------


def export_job_start(*, by, model, ids: list[int], filters: list[str]) -> Job:
    """Queue an export of the records ``ids`` of ``model`` (chosen within ``by``'s subtree when
    asked, in the list's order) as the admin's export writes them: every column, masked, under
    a title naming ``filters``. Its file is kept for ``by`` alone for 24 hours."""
    from apps.jobs.tasks import run_job  # the task module imports this one

    job = Job(
        user=by,
        organization=by.organization,
        kind=EXPORT_JOB,
        total=len(ids),
        params={"model": model._meta.label_lower, "ids": ids, "filters": filters},
    )
    with transaction.atomic():
        job.save()
        job.queue_id = run_job.defer(job_id=job.pk, **logs.carried())
        job.save(update_fields=["queue_id"])
    return job


def _run_export(job: Job) -> None:
    """Write the export's file as its account, checked again: the admin's own columns and masks
    (ScopedAdminMixin.export_sheet), the records still in its subtree, each read logged. Any
    failure ends the job failed, with no file left behind."""
    try:
        model = apps.get_model(job.params["model"])
        model_admin = admin.site._registry[model]
    except (KeyError, LookupError, ValueError):
        _fail(job, _("This kind of job no longer exists: nothing was done."))
        return
    opts = model._meta
    if not job.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
        _fail(job, _("The account that started this job may no longer do it: nothing was done."))
        return
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, started_at=timezone.now(), phase=Phase.STORING
    )
    try:
        _write_export(job, model_admin)
    except Exception:
        job.output_file.delete(save=False)
        _fail(job, _("The job stopped on an unexpected error: no file was written."))
        raise


def _write_export(job: Job, model_admin) -> None:
    request = HttpRequest()  # the admin's export reads the account from its request
    request.user = job.user
    ids = job.params["ids"]
    order = {pk: index for index, pk in enumerate(ids)}
    chosen = model_admin.get_queryset(request).filter(pk__in=ids)  # scoped again, now
    rows = model_admin.export_rows(request, chosen, refuse=False, limit=len(ids))
    rows.sort(key=lambda row: order[row.pk])
    sheet = model_admin.export_sheet(request, rows, filters=job.params.get("filters", []))
    content = ContentFile(xlsx_export.sheets_bytes([sheet]))
    with transaction.atomic():
        job.output_file.save("export.xlsx", content, save=False)
        export_log_write(by=job.user, records=rows)
        Job.objects.filter(pk=job.pk).update(
            state=JobState.SUCCEEDED,
            output_file=job.output_file.name,
            done=len(rows),
            total=len(rows),
            expires_at=timezone.now() + EXPORT_KEPT_FOR,
            finished_at=timezone.now(),
            result={
                "rows": len(rows),
                "message": _("The file is ready: download it within 24 hours."),
            },
        )


def export_download(*, by, job: Job):
    """A job's file while it is kept, each download logged; None once it has expired. An
    export's file (records, masked) goes to the account that asked for it alone; another job's
    file (a report's draft: figures only) to whoever sees the job, read through ``job_list``
    by the caller (docs/jobs.md)."""
    if not may_download(by, job) or job.expires_at <= timezone.now():
        return None
    try:
        stream = job.output_file.open("rb")
    except FileNotFoundError:
        return None  # removed by hand, or written where this server does not look
    AccessLog.objects.create(
        user=by,
        content_type=ContentType.objects.get_for_model(Job),
        object_id=job.pk,
        through=DOWNLOAD,
    )
    return stream


DOWNLOAD = "download"


def may_download(user, job: Job) -> bool:
    """Whether ``user``, who sees ``job``, may download its file (see ``export_download``)."""
    if not job.output_file:
        return False
    return job.kind != EXPORT_JOB or job.user_id == user.pk


def expired_exports_delete(*, now=None) -> int:
    """Delete the files of jobs (exports, drafts) past their 24 hours (a periodic job); the
    job's row stays, saying the file is gone. Returns how many files went."""
    now = now or timezone.now()
    expired = Job.objects.filter(expires_at__lte=now).exclude(output_file="")
    count = 0
    for job in expired:
        job.output_file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(output_file="")
        count += 1
    return count


def _fail(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk).update(
        state=JobState.FAILED, error=message, finished_at=timezone.now(), input_file=""
    )


QUEUE_ROWS_KEPT_FOR = timedelta(days=7)


def queue_rows_prune() -> None:
    """Delete procrastinate's rows of jobs that ended over a week ago (a periodic job): our
    ``Job`` row keeps what a person reads of each (who, what, how it ended); the queue's own
    row and its events only say when and where it ran, and would otherwise pile up by the
    hundred thousand with the minute's periodic tasks."""
    from procrastinate.contrib.django import app

    async_to_sync(app.job_manager.delete_old_jobs)(
        nb_hours=int(QUEUE_ROWS_KEPT_FOR.total_seconds() // 3600),
        include_failed=True,
        include_cancelled=True,
        include_aborted=True,
    )


def stalled_jobs_end(*, seconds_since_heartbeat: float = 60) -> int:
    """End the jobs whose worker stopped sending heartbeats (killed, its machine gone): the
    queue's row and ours marked failed. Nothing of an import was kept (its transaction died
    with the worker's connection). Returns how many were ended."""
    from procrastinate.contrib.django import app

    stalled = async_to_sync(app.job_manager.get_stalled_jobs)(
        task_name=RUN_TASK, seconds_since_heartbeat=seconds_since_heartbeat
    )
    for queued in stalled:
        async_to_sync(app.job_manager.finish_job_by_id_async)(
            queued.id, status=Status.FAILED, delete_job=False
        )
        with translation.override(settings.LANGUAGE_CODE):
            message = _(
                "The worker running this job stopped: nothing was imported. Start it again."
            )
        for job in Job.objects.filter(queue_id=queued.id, state__in=ACTIVE_STATES):
            _fail(job, message)
            job.input_file.delete(save=False)
        logger.warning("job %s ended: its worker stopped", queued.id)
    return len(stalled)

"""Our own record of a background job: who started it, how far it is, what it left."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.jobs.choices import ACTIVE_STATES, JobState, Phase


def job_output_path(instance, filename: str) -> str:
    """``job-results/%Y/%m/<uuid4 hex>.xlsx``: a job's file (an export, a Word draft: the
    suffix of the name it is saved under), private as an upload is."""
    folder = timezone.localdate().strftime("job-results/%Y/%m")
    suffix = ".docx" if filename.endswith(".docx") else ".xlsx"
    return f"{folder}/{uuid.uuid4().hex}{suffix}"


def job_file_path(instance, filename: str) -> str:
    """``jobs/%Y/%m/<uuid4 hex>.xlsx``: a name of our own under the private media root, as
    attachments are named (apps/files/models.py); never served from a URL as is."""
    folder = timezone.localdate().strftime("jobs/%Y/%m")
    return f"{folder}/{uuid.uuid4().hex}.xlsx"


class Job(models.Model):
    """Work one account started that runs in a worker (docs/jobs.md): an import of a large
    sheet. The queue's own row (procrastinate's) says when to run it; this one says what it
    is, for whom, how far it got and what came of it, and is what pages and the API show.

    It belongs to the organization of the account that started it, so district admins see
    their subtree's jobs through ``scoped()``; everyone else sees their own.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="jobs",
        verbose_name=_("started by"),
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="jobs",
        verbose_name=_("organization"),
    )
    kind = models.CharField(_("kind"), max_length=50)  # a name of apps/jobs/kinds.py
    dry_run = models.BooleanField(_("dry run"), default=False)
    state = models.CharField(
        _("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED
    )
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices, blank=True)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    total = models.PositiveIntegerField(_("rows in all"), default=0)
    # What the job works on (an uploaded sheet), deleted once the job ends.
    input_file = models.FileField(_("file"), upload_to=job_file_path, max_length=200, blank=True)
    input_digest = models.CharField(_("file digest"), max_length=64, blank=True)
    # What an export is of, chosen when it was asked: {"model", "ids", "filters"}.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # An export's file: downloaded by the account that asked for it alone, until expires_at.
    output_file = models.FileField(
        _("result file"), upload_to=job_output_path, max_length=200, blank=True
    )
    expires_at = models.DateTimeField(_("download until"), null=True, blank=True)
    # The report an import page shows: {"rows", "errors": [[row, problem]], "created", "message"}.
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)  # why it failed, in Chinese
    queue_id = models.BigIntegerField(_("queue job id"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("running since"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    scope_field = "organization"

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A second click on the same file starts no second job while the first is on
            # (an export has no file: an account may run several).
            models.UniqueConstraint(
                fields=["user", "kind", "input_digest", "dry_run"],
                condition=models.Q(state__in=ACTIVE_STATES) & ~models.Q(input_digest=""),
                name="jobs_one_active_job_per_file",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.kind}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

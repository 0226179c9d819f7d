"""A job's states and the phases of its progress (docs/jobs.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)


class Phase(models.TextChoices):
    CHECKING = "checking", _("Checking rows")
    STORING = "storing", _("Storing rows")

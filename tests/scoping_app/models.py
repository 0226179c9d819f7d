from django.db import models
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel, VersionedModel


class Record(models.Model):
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT)
    title = models.CharField(max_length=50)

    scope_field = "organization"


class Referral(models.Model):
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="referrals")
    target = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=16)

    scope_field = "record__organization"


class Unscoped(models.Model):
    name = models.CharField(max_length=50)


class Ticket(VersionedModel, TimeStampedModel):
    """A record with statuses, to prove the transition machinery before cases exist."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT)
    title = models.CharField(max_length=50)
    status = models.CharField(max_length=16, default="open")
    outcome = models.CharField(max_length=16, blank=True)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    scope_field = "organization"

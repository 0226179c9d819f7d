from django.db import models

from apps.organizations.models import OrganizationRecord
from tests.scoping_app.choices import TICKET_MOVES, Outcome, Status


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


class Campaign(OrganizationRecord):
    """A record an ancestor publishes for the subtree below it (the ancestor exception)."""

    name = models.CharField(max_length=50)

    def __str__(self):
        return self.name


class Ticket(OrganizationRecord):
    """A record with every hook of the resource contract, before cases and events exist:
    statuses, an ancestor's record named on a write, referrals, a masked field, soft delete."""

    title = models.CharField(max_length=50)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    notes = models.TextField(blank=True)
    secret = models.CharField(max_length=50, blank=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, null=True, blank=True)

    transitions = TICKET_MOVES
    status_field = "status"

    class Meta(OrganizationRecord.Meta):
        ordering = ["id"]

    def __str__(self):
        return self.title

    @property
    def secret_masked(self) -> str:
        return "***" if self.secret else ""


class TicketReferral(models.Model):
    """A ticket referred to another organization, which may then work that ticket."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="referrals")
    target = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=16, default="sent")

    scope_field = "ticket__organization"

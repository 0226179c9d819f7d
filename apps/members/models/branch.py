"""三会一课: party-branch meetings, their attendance, and how often each kind is required."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import SoftDeletableModel, TimeStampedModel
from apps.members.choices import AttendanceStatus, BranchMeetingKind
from apps.members.models.people import Member
from apps.organizations.models import MonthRollup, OrganizationRecord

NOT_IN_THE_SUBTREE = _("This person does not belong to the organization that held the meeting.")
LEAVE_NEEDS_A_REASON = _("Give the reason for the leave.")


def _in_subtree(person: Member, organization) -> bool:
    """Whether ``person`` belongs to ``organization`` or an organization below it."""
    return person.organization.path.startswith(organization.path)


class BranchMeeting(OrganizationRecord):
    """A meeting of an organization's party branch: one of the 三会一课, or a themed party day.

    The organization is the one whose party branch held it; its chair,
    recorder and attendance are people of that organization's subtree. How
    often each kind must be held is data (``MeetingRequirement``), not code.
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="branchmeetings",
        help_text=_("The organization whose party branch held the meeting."),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=BranchMeetingKind.choices)
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=200)
    chair = models.ForeignKey(
        Member,
        verbose_name=_("chaired by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorder = models.ForeignKey(
        Member,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    minutes = models.TextField(_("minutes"), blank=True)

    class Meta:
        verbose_name = _("party branch meeting")
        verbose_name_plural = _("party branch meetings")
        ordering = ["-held_on", "-id"]
        indexes = [
            *OrganizationRecord.Meta.indexes,
            models.Index(fields=["organization", "held_on"], name="branchmeeting_org_held"),
            # The list's order (read backwards) and its kind filter (docs/quality.md, 25).
            models.Index(fields=["held_on", "id"], name="branchmeeting_held"),
            models.Index(fields=["kind", "held_on", "id"], name="branchmeeting_kind_held"),
            # A street's kind: its villages' meetings of that kind, not a fifth of the table.
            models.Index(fields=["organization", "kind", "held_on"], name="branchmeeting_org_kind"),
        ]

    def __str__(self):
        return f"{self.held_on} {self.get_kind_display()}：{self.topic}"

    def clean(self):
        errors = {}
        if self.held_on and self.held_on > timezone.localdate():
            errors["held_on"] = [_("A meeting is recorded once it has been held.")]
        if self.organization_id:
            for name in ("chair", "recorder"):
                person = getattr(self, name)
                if person is not None and not _in_subtree(person, self.organization):
                    errors[name] = [NOT_IN_THE_SUBTREE]
        if errors:
            raise ValidationError(errors)


class BranchAttendance(SoftDeletableModel, TimeStampedModel):
    """Whether a person was at a party branch meeting: present, on leave (with a reason), absent.

    A row taken off the list is marked deleted, never removed (nor when a merge folds two
    people's rows into one): what was recorded stays in the record."""

    meeting = models.ForeignKey(
        BranchMeeting,
        verbose_name=_("party branch meeting"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="branch_attendance",
    )
    status = models.CharField(
        _("attendance"),
        max_length=8,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.PRESENT,
    )
    reason = models.CharField(
        _("reason for leave"),
        max_length=200,
        blank=True,
        help_text=_("Required when the person asked for leave."),
    )

    history = HistoricalRecords()

    scope_field = "meeting__organization"

    class Meta:
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance")
        ordering = ["member__name_pinyin", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=Q(deleted_at__isnull=True),
                name="branch_attendance_once",
                violation_error_message=_("This person is already on the meeting's attendance."),
            ),
            models.CheckConstraint(
                condition=~Q(status=AttendanceStatus.LEAVE, reason=""),
                name="branch_attendance_leave_has_reason",
                violation_error_message=LEAVE_NEEDS_A_REASON,
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.get_status_display()}"

    def clean(self):
        errors = {}
        if self.status == AttendanceStatus.LEAVE and not self.reason.strip():
            errors["reason"] = [LEAVE_NEEDS_A_REASON]
        try:
            meeting = self.meeting  # unsaved, in an admin inline on the add page
        except BranchMeeting.DoesNotExist:
            meeting = None
        if (
            meeting is not None
            and meeting.organization_id
            and self.member_id
            and not _in_subtree(self.member, meeting.organization)
        ):
            errors["member"] = [NOT_IN_THE_SUBTREE]
        if errors:
            raise ValidationError(errors)


# The required frequencies live in their own module (this one would pass 400 lines); Django
# finds a model where its app's models module imports it.


class BranchMeetingMonth(MonthRollup):
    """The party branch meetings one organization held in one month: what the reports' count
    of 三会一课 held reads for whole months (docs/reports.md, Rollups). Kept by the database as
    meetings are written (migration's triggers, apps/core/rollups.py); nothing in Python
    writes it."""

    held = models.IntegerField(_("meetings held"), default=0)

    class Meta:
        verbose_name = _("party branch meetings of a month")
        verbose_name_plural = _("party branch meetings by month")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month"], name="branch_meeting_month_key"
            )
        ]
        indexes = [models.Index(fields=["month", "organization"], name="branch_meeting_month")]

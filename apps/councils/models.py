"""Women's councils (妇女议事会): the council and its members, its meetings on site and in the
online council hall (云上议事厅) with their attendance, and every topic followed to its
outcome (docs/councils.md)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel
from apps.councils.choices import (
    CLOSED,
    HAS_ASSIGNEE,
    TOPIC_MOVES,
    MeetingMode,
    MemberRole,
    RaisedVia,
    ResultKind,
    TopicStatus,
)
from apps.organizations.models import MonthRollup, OrganizationRecord

TEXT_LIMIT = settings.API_TEXT_MAX_LENGTH

ENDS_BEFORE_IT_STARTS = _("The end cannot be before the start.")
COUNCIL_DISSOLVED = _("The council was dissolved: it takes no new members.")
DISSOLVED_BEFORE_ESTABLISHED = _("A council cannot be dissolved before it was established.")
MEETING_BEFORE_ESTABLISHED = _("The meeting is dated before the council was established.")
MEETING_AFTER_DISSOLVED = _("The meeting is dated after the council was dissolved.")
ONLINE_NEEDS_CHANNEL = _(
    "Say which channel the online meeting used (a group chat, a video call …)."
)
NOT_IN_THE_SUBTREE = _("This person does not belong to the council's organization.")
NOT_A_MEMBER = _("This person is not a member of the council on the day of the meeting.")
MEETING_OF_ANOTHER_COUNCIL = _("The meeting belongs to another council.")
RAISED_AT_MEETING_NEEDS_IT = _("Name the meeting the topic was raised at.")
ASSIGNEE_ONE_OF_TWO = _(
    "Name the responsible body: an organization or an outside body, one of the two."
)
ASSIGNEE_OUT_OF_REACH = _(
    "The responsible organization must be the council's own, one below it or one above it."
)
DUE_BEFORE_ASSIGNED = _("The due date cannot be before the day the topic was assigned.")


def _in_subtree(person, organization) -> bool:
    return person.organization.path.startswith(organization.path)


class Council(OrganizationRecord):
    """A women's council an organization set up, such as a village's "小马扎" 妇女议事会. A
    council is dissolved by giving the day; its meetings and topics stay."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="councils",
        help_text=_("The organization that set the council up."),
    )
    name = models.CharField(_("name"), max_length=100)
    established_on = models.DateField(_("established on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    themes = models.CharField(
        _("themes"),
        max_length=500,
        blank=True,
        help_text=_("What the council takes up: village affairs, neighbourhood, families …"),
    )

    class Meta:
        verbose_name = _("women's council")
        verbose_name_plural = _("women's councils")
        ordering = ["organization__path", "name", "id"]
        indexes = [
            *OrganizationRecord.Meta.indexes,
            models.Index(fields=["organization", "established_on"], name="council_org_established"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=F("established_on")),
                name="council_dissolved_after_established",
                violation_error_message=DISSOLVED_BEFORE_ESTABLISHED,
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.dissolved_on and self.established_on and self.dissolved_on < self.established_on:
            raise ValidationError({"dissolved_on": [DISSOLVED_BEFORE_ESTABLISHED]})

    def sits_on(self, day) -> bool:
        """Whether the council existed on ``day``."""
        return self.established_on <= day and (
            self.dissolved_on is None or day <= self.dissolved_on
        )


class CouncilMember(OrganizationRecord):
    """A person of the organization's people list on a council, in a role, for a term. Her
    organization is the council's."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="council_members",
    )
    council = models.ForeignKey(
        Council, verbose_name=_("women's council"), on_delete=models.PROTECT, related_name="members"
    )
    person = models.ForeignKey(
        "members.Member", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"), null=True, blank=True)

    class Meta:
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        ordering = ["council", "role", "term_start", "id"]
        indexes = [
            *OrganizationRecord.Meta.indexes,
            models.Index(fields=["council", "person"], name="councilmember_council"),
            models.Index(fields=["person"], name="councilmember_person"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=F("term_start")),
                name="councilmember_term_ends_after_start",
                violation_error_message=ENDS_BEFORE_IT_STARTS,
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.get_role_display()}"

    def clean(self):
        errors = {}
        if self.term_end and self.term_start and self.term_end < self.term_start:
            errors["term_end"] = [ENDS_BEFORE_IT_STARTS]
        if self._state.adding and self.council_id and self.council.dissolved_on is not None:
            errors["council"] = [COUNCIL_DISSOLVED]
        if (
            self.council_id
            and self.person_id
            and not _in_subtree(self.person, self.council.organization)
        ):
            errors["person"] = [NOT_IN_THE_SUBTREE]
        if errors:
            raise ValidationError(errors)

    def serves_on(self, day) -> bool:
        return self.term_start <= day and (self.term_end is None or day <= self.term_end)


class Meeting(OrganizationRecord):
    """A meeting of a council, on site (a place) or in the online council hall (a channel). Its
    organization is the council's; its attendance is the members present, and invited guests
    are counted."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="council_meetings",
    )
    council = models.ForeignKey(
        Council,
        verbose_name=_("women's council"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    held_on = models.DateField(_("held on"))
    mode = models.CharField(
        _("mode"), max_length=16, choices=MeetingMode.choices, default=MeetingMode.ON_SITE
    )
    channel = models.CharField(
        _("channel"),
        max_length=100,
        blank=True,
        help_text=_("For an online meeting: the group chat or video call it was held in."),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.ForeignKey(
        "members.Member",
        verbose_name=_("chaired by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorder = models.ForeignKey(
        "members.Member",
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    minutes = models.TextField(
        _("minutes"), blank=True, validators=[MaxLengthValidator(TEXT_LIMIT)]
    )
    guests_count = models.PositiveIntegerField(_("invited guests"), default=0)

    class Meta:
        verbose_name = _("council meeting")
        verbose_name_plural = _("council meetings")
        ordering = ["-held_on", "-id"]
        indexes = [
            *OrganizationRecord.Meta.indexes,
            models.Index(fields=["held_on", "id"], name="councilmeeting_held"),
            models.Index(fields=["organization", "held_on"], name="councilmeeting_org_held"),
            models.Index(fields=["council", "held_on"], name="councilmeeting_council_held"),
        ]

    def __str__(self):
        return f"{self.held_on} {self.council}"

    @property
    def present_people(self) -> list:
        """The people present (from the prefetched attendance when the selector loaded it)."""
        return [row.person for row in self.attendance.all()]

    def clean(self):
        errors = {}
        council = self.council if self.council_id else None
        if council is not None and self.held_on:
            if self.held_on < council.established_on:
                errors["held_on"] = [MEETING_BEFORE_ESTABLISHED]
            elif council.dissolved_on and self.held_on > council.dissolved_on:
                errors["held_on"] = [MEETING_AFTER_DISSOLVED]
        if self.mode == MeetingMode.ONLINE and not self.channel.strip():
            errors["channel"] = [ONLINE_NEEDS_CHANNEL]
        if council is not None:
            for name in ("chair", "recorder"):
                person = getattr(self, name)
                if person is not None and not _in_subtree(person, council.organization):
                    errors[name] = [NOT_IN_THE_SUBTREE]
        if errors:
            raise ValidationError(errors)


class MeetingMonth(MonthRollup):
    """The council meetings one organization held in one month, by mode: what the reports'
    meeting counts read for whole months (docs/reports.md, Rollups). Kept by the database as
    meetings are written (migration's triggers, apps/core/rollups.py); nothing in Python
    writes it."""

    mode = models.CharField(_("mode"), max_length=16, choices=MeetingMode.choices)
    held = models.IntegerField(_("meetings held"), default=0)

    class Meta:
        verbose_name = _("council meetings of a month")
        verbose_name_plural = _("council meetings by month")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month", "mode"], name="council_meeting_month_key"
            )
        ]
        indexes = [models.Index(fields=["month", "organization"], name="council_meeting_month")]

    def __str__(self):
        return f"{self.organization_id} {self.month:%Y-%m} {self.mode}"


class MeetingAttendance(TimeStampedModel):
    """A council member present at a meeting. Part of the meeting: the row goes when the
    person is taken off its attendance, and the history keeps that it was there."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("council meeting"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    person = models.ForeignKey(
        "members.Member",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="council_attendance",
    )

    history = HistoricalRecords()

    scope_field = "meeting__organization"

    class Meta:
        verbose_name = _("council meeting attendance")
        verbose_name_plural = _("council meeting attendance")
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="council_attendance_once",
                violation_error_message=_("This person is already on the meeting's attendance."),
            ),
        ]

    def __str__(self):
        return str(self.person)


class TopicCategory(models.Model):
    """What a topic is about (发展环境, 乡村振兴, 村务 …): a district-wide list with fixed English
    codes, seeded by a migration, read by everyone and belonging to no organization."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("topic category")
        verbose_name_plural = _("topic categories")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class Topic(OrganizationRecord):
    """A topic (议题) raised at a meeting or through the online council hall, followed to its
    outcome. Its status moves only through the transitions table (``TOPIC_MOVES``)."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="council_topics",
    )
    council = models.ForeignKey(
        Council, verbose_name=_("women's council"), on_delete=models.PROTECT, related_name="topics"
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("council meeting"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="topics",
    )
    raised_via = models.CharField(
        _("raised via"), max_length=16, choices=RaisedVia.choices, default=RaisedVia.MEETING
    )
    raised_by = models.ForeignKey(
        "members.Member",
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    raised_on = models.DateField(_("raised on"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, validators=[MaxLengthValidator(TEXT_LIMIT)]
    )
    category = models.ForeignKey(
        TopicCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=24, choices=TopicStatus.choices, default=TopicStatus.RAISED
    )
    not_adopted_reason = models.CharField(_("reason not adopted"), max_length=500, blank=True)
    responsible_organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("responsible organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The council's own organization, one below it or one above it."),
    )
    responsible_body = models.CharField(
        _("responsible outside body"),
        max_length=200,
        blank=True,
        help_text=_("A body outside the federation's tree, such as the town's water office."),
    )
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    result_kind = models.CharField(
        _("result"), max_length=16, choices=ResultKind.choices, blank=True
    )
    evidence = models.TextField(
        _("evidence"), blank=True, validators=[MaxLengthValidator(TEXT_LIMIT)]
    )
    feedback = models.TextField(
        _("feedback to the raiser"), blank=True, validators=[MaxLengthValidator(TEXT_LIMIT)]
    )

    transitions = TOPIC_MOVES
    status_field = "status"

    class Meta:
        verbose_name = _("council topic")
        verbose_name_plural = _("council topics")
        ordering = ["-raised_on", "-id"]
        indexes = [
            *OrganizationRecord.Meta.indexes,
            models.Index(fields=["raised_on", "id"], name="topic_raised"),
            models.Index(fields=["organization", "raised_on"], name="topic_org_raised"),
            models.Index(fields=["council", "raised_on"], name="topic_council_raised"),
            models.Index(fields=["status", "due_on"], name="topic_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__isnull=True)
                | Q(assigned_on__isnull=True)
                | Q(due_on__gte=F("assigned_on")),
                name="topic_due_after_assigned",
                violation_error_message=DUE_BEFORE_ASSIGNED,
            ),
        ]

    def __str__(self):
        return self.title

    def moved(self, *, to: str, now) -> None:
        """What a move means besides its status (``apps.core.transitions``): the day it was
        assigned, the day it was closed."""
        day = timezone.localdate(now)
        if to == TopicStatus.ASSIGNED:
            self.assigned_on = day
        if to in CLOSED:
            self.closed_on = day

    def clean(self):
        errors = {}
        if self.council_id:
            if self.meeting_id and self.meeting.council_id != self.council_id:
                errors["meeting"] = [MEETING_OF_ANOTHER_COUNCIL]
            if self.raised_by_id and not _in_subtree(self.raised_by, self.council.organization):
                errors["raised_by"] = [NOT_IN_THE_SUBTREE]
        if self.raised_via == RaisedVia.MEETING and not self.meeting_id:
            errors["meeting"] = [RAISED_AT_MEETING_NEEDS_IT]
        if self.status in HAS_ASSIGNEE:
            named = bool(self.responsible_organization_id) + bool(self.responsible_body.strip())
            if named != 1:
                errors["responsible_organization"] = [ASSIGNEE_ONE_OF_TWO]
            if self.due_on and self.assigned_on and self.due_on < self.assigned_on:
                errors["due_on"] = [DUE_BEFORE_ASSIGNED]
        if self.responsible_organization_id and self.organization_id:
            mine, theirs = self.organization.path, self.responsible_organization.path
            if not (theirs.startswith(mine) or mine.startswith(theirs)):
                errors["responsible_organization"] = [ASSIGNEE_OUT_OF_REACH]
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, today) -> bool:
        return self.status in (TopicStatus.ASSIGNED, TopicStatus.IN_PROGRESS) and bool(
            self.due_on and self.due_on < today
        )

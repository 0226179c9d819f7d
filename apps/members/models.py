"""People (人员): one record per person, which every later app points at."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from apps.core.identity import (
    id_number_birth_date,
    id_number_gender,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_mobile,
)
from apps.core.models import AliveQuerySet, TimeStampedModel
from apps.members.choices import (
    AppointmentRole,
    AttendanceStatus,
    BranchMeetingKind,
    Education,
    Ethnicity,
    Gender,
    PoliticalStatus,
)
from apps.organizations.models import OrganizationRecord, pinyin_key


class Member(OrganizationRecord):
    """A person the federation works with: an executive member, a volunteer, a client …

    The ID number and phone are stored normalized (18 characters, E.164) and
    shown masked everywhere except the person's own page, to the roles that
    may read them. A birth date and gender that disagree with the ID number
    are refused.
    """

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    name_pinyin = models.CharField(_("pinyin sort key"), max_length=255, editable=False)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    ethnicity = models.CharField(
        _("ethnicity"), max_length=16, choices=Ethnicity.choices, default=Ethnicity.HAN
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    id_number = models.CharField(
        _("resident ID number"),
        max_length=18,
        blank=True,
        help_text=_("18 characters; the birth date and gender are read from it."),
    )
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    political_status = models.CharField(
        _("political status"), max_length=24, choices=PoliticalStatus.choices, blank=True
    )
    education = models.CharField(
        _("education"), max_length=16, choices=Education.choices, blank=True
    )
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=_("Set when this record was a duplicate, merged into another person's."),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name_pinyin", "id"]
        permissions = [("view_identity", _("Can see full ID numbers and phone numbers"))]
        indexes = [
            *OrganizationRecord.Meta.indexes,
            models.Index(fields=["organization", "name_pinyin"], name="member_org_name"),
            models.Index(fields=["id_number"], condition=~Q(id_number=""), name="member_id_number"),
        ]

    def __str__(self):
        return self.name

    @property
    def birth_year(self) -> int | None:
        """What lists show: the full date is the hidden middle of a masked ID number."""
        return self.birth_date.year if self.birth_date else None

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def clean(self):
        errors = {}
        if self.id_number:
            try:
                self.id_number = normalize_id_number(self.id_number)
            except ValidationError as exc:
                errors["id_number"] = exc.messages
            else:
                errors.update(self._disagreements_with_id_number())
        if self.phone:
            try:
                self.phone = normalize_mobile(self.phone)
            except ValidationError as exc:
                errors["phone"] = exc.messages
        if errors:
            raise ValidationError(errors)

    def _disagreements_with_id_number(self) -> dict:
        errors = {}
        born = id_number_birth_date(self.id_number)
        if self.birth_date is None:
            self.birth_date = born
        elif self.birth_date != born:
            errors["birth_date"] = [_("The birth date does not agree with the ID number.")]
        if self.gender and self.gender != id_number_gender(self.id_number):
            errors["gender"] = [_("The gender does not agree with the ID number.")]
        return errors

    def save(self, *args, **kwargs):
        self.name_pinyin = pinyin_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_pinyin"}
        super().save(*args, **kwargs)


class AppointmentQuerySet(AliveQuerySet):
    def current(self, on=None):
        """Terms running on ``on`` (today in Beijing time by default)."""
        on = on or timezone.localdate()
        return self.alive().filter(
            Q(started_on__lte=on), Q(ended_on__isnull=True) | Q(ended_on__gte=on)
        )

    def past(self, on=None):
        on = on or timezone.localdate()
        return self.alive().filter(ended_on__lt=on)


class Appointment(OrganizationRecord):
    """A person's role in an organization for a term (任职): chair, executive member …

    The person is one record however many roles they hold; the organization is
    where the role is held, which may be above the person's own village.
    """

    member = models.ForeignKey(
        Member, verbose_name=_("person"), on_delete=models.PROTECT, related_name="appointments"
    )
    role = models.CharField(_("role"), max_length=24, choices=AppointmentRole.choices)
    started_on = models.DateField(_("term starts"))
    ended_on = models.DateField(
        _("term ends"), null=True, blank=True, help_text=_("Empty while the term runs on.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["organization", "role", "-started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="appointment_ends_after_it_starts",
                violation_error_message=_("A term cannot end before it starts."),
            )
        ]
        indexes = [
            *OrganizationRecord.Meta.indexes,
            models.Index(fields=["organization", "role", "ended_on"], name="appointment_org_role"),
        ]

    def __str__(self):
        return f"{self.member} · {self.get_role_display()}"

    def clean(self):
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": [_("A term cannot end before it starts.")]})

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return (
            self.deleted_at is None
            and self.started_on <= today
            and (self.ended_on is None or self.ended_on >= today)
        )


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


class BranchAttendance(TimeStampedModel):
    """Whether a person was at a party branch meeting: present, on leave (with a reason), absent."""

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
from apps.members.requirements import MeetingRequirement  # noqa: E402, F401

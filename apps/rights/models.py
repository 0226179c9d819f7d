"""Rights-protection stations, posts, the legal service center and information-collection
points, and the people who staff them (docs/rights.md)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.organizations.models import MonthRollup, OrganizationRecord
from apps.rights.choices import StaffRole, StationKind

CLOSED_BEFORE_OPENED = _("The closing date cannot be before the opening date.")


class Station(OrganizationRecord):
    """A place where women and children ask for help, kept by one organization: a village's
    station (维权服务站) or post (维权服务岗), the district's legal service center (its own
    organization, a committee under the district), an information-collection point. A station
    is closed by giving its closing date; its record and its cases stay."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="stations",
        help_text=_("The organization that runs it."),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=StationKind.choices)
    name = models.CharField(_("name"), max_length=100)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    contact = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("rights-protection station")
        verbose_name_plural = _("rights-protection stations")
        ordering = ["organization__path", "kind", "name", "id"]
        indexes = [
            *OrganizationRecord.Meta.indexes,
            # Coverage: the stations open on a day, by organization (docs/rights.md).
            models.Index(fields=["organization", "kind", "opened_on"], name="station_org_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="station_closed_after_opened",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            raise ValidationError({"closed_on": CLOSED_BEFORE_OPENED})

    def is_open_on(self, day) -> bool:
        return self.opened_on <= day and (self.closed_on is None or self.closed_on >= day)


class StationStaff(OrganizationRecord):
    """A person of the organization's people list who works at a station, in a role, for a
    term (a mediator, a lawyer on duty). Her organization is the station's."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="station_staff",
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="staff"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=24, choices=StaffRole.choices)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("station staff")
        verbose_name_plural = _("station staff")
        ordering = ["station", "role", "started_on", "id"]
        indexes = [
            *OrganizationRecord.Meta.indexes,
            models.Index(fields=["station", "ended_on"], name="stationstaff_station"),
            models.Index(fields=["member"], name="stationstaff_member"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="stationstaff_ended_after_started",
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.get_role_display()}"

    def clean(self):
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("The end cannot be before the start.")})


# --- Cases -----------------------------------------------------------------------------------
# A woman's or a child's request for help (docs/rights.md, Cases). Read in full only by case
# workers and by the station that registered it; everyone else reads masked lists.

from django.conf import settings  # noqa: E402
from django.core.validators import MaxLengthValidator  # noqa: E402
from simple_history.models import HistoricalRecords  # noqa: E402

from apps.core.models import ClientKeyedModel, TimeStampedModel  # noqa: E402
from apps.members.choices import Gender  # noqa: E402
from apps.rights.choices import (  # noqa: E402
    CASE_MOVES,
    REFERRING_OUTCOMES,
    CaseStatus,
    Channel,
    FollowUpMethod,
    Outcome,
    PartyRole,
    Risk,
)

CLOSING_NEEDS_OUTCOME = _("A case is closed with an outcome.")
REFERRAL_NEEDS_CONSENT = _(
    "The person seeking help has not agreed to be referred: a case is handed to another body "
    "only with that consent."
)
TEXT_LIMIT = settings.API_TEXT_MAX_LENGTH


class CaseCategory(models.Model):
    """What a case is about (家庭暴力, 婚姻家庭纠纷 …): a district-wide list with fixed codes,
    seeded by a migration, read by everyone and belonging to no organization."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class CaseCounter(models.Model):
    """The last case number given in a district and a year. Read under a row lock inside the
    intake's transaction, so racing intakes get consecutive numbers, none twice, no gaps."""

    district = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    scope_field = "district"

    class Meta:
        verbose_name = _("case number counter")
        verbose_name_plural = _("case number counters")
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="casecounter_one_per_year")
        ]

    def __str__(self):
        return f"{self.year}: {self.last}"


class Case(OrganizationRecord):
    """A request for help received by a station; its organization is the station's.

    The narrative's text never goes into the history: the history keeps
    ``narrative_changed_at`` instead, which says that (and when) it changed.
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="cases",
        help_text=_("The receiving station's organization."),
    )
    number = models.CharField(_("case number"), max_length=20, unique=True, editable=False)
    station = models.ForeignKey(
        Station, verbose_name=_("receiving station"), on_delete=models.PROTECT, related_name="cases"
    )
    received_at = models.DateTimeField(_("received at"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    category = models.ForeignKey(
        CaseCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    risk = models.CharField(_("risk level"), max_length=8, choices=Risk.choices)
    consent_to_record = models.BooleanField(
        _("consent to record identity"),
        default=False,
        help_text=_("Without it every party is anonymous."),
    )
    consent_to_refer = models.BooleanField(_("consent to refer"), default=False)
    narrative = models.TextField(
        _("narrative"), blank=True, validators=[MaxLengthValidator(TEXT_LIMIT)]
    )
    narrative_changed_at = models.DateTimeField(
        _("narrative changed at"), null=True, blank=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.REGISTERED
    )
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)

    transitions = CASE_MOVES
    status_field = "status"
    history_excluded = ("narrative",)  # RecordHistory: the text stays out of the history

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at", "-id"]
        indexes = [
            *OrganizationRecord.Meta.indexes,
            models.Index(fields=["organization", "received_at"], name="case_org_received"),
            models.Index(fields=["station", "received_at"], name="case_station_received"),
        ]
        permissions = [("read_case", _("Can read a case in full"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.CLOSED) | ~Q(outcome=""),
                name="case_closed_with_outcome",
            ),
        ]

    def __str__(self):
        return self.number or "—"

    def clean(self):
        if self.status == CaseStatus.CLOSED:
            if not self.outcome:
                raise ValidationError({"outcome": CLOSING_NEEDS_OUTCOME})
            if self.closed_at is None:
                from django.utils import timezone

                self.closed_at = timezone.now()
        else:  # open (or reopened): no outcome yet; the last closing stays in the history
            self.outcome, self.closed_at = "", None
        if self.outcome in REFERRING_OUTCOMES and not self.consent_to_refer:
            raise ValidationError({"outcome": REFERRAL_NEEDS_CONSENT})


class CaseMonth(MonthRollup):
    """The cases one organization received in one month (Beijing time), by category: what the
    reports' count of cases received reads for whole months (docs/reports.md, Rollups). Kept by
    the database as cases are written (migration 0008's triggers, apps/core/rollups.py); nothing
    in Python writes it."""

    category = models.ForeignKey(
        CaseCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    received = models.IntegerField(_("cases received"), default=0)

    class Meta:
        verbose_name = _("cases of a month")
        verbose_name_plural = _("cases by month")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month", "category"], name="case_month_key"
            )
        ]
        indexes = [models.Index(fields=["month", "organization"], name="case_month_month")]

    def __str__(self):
        return f"{self.organization_id} {self.month:%Y-%m} {self.category_id}"


class CaseParty(ClientKeyedModel, TimeStampedModel):
    """A person a case names: the woman or child seeking help, the other party, a witness.

    The case's own record, never a person of the village's list. Anonymous unless the seeker
    consented to record identity. Name, ID number, phone and note stay out of the history,
    which keeps ``identity_changed_at`` instead. ``linked_to`` is the same person's party on
    an earlier case, found by ID number by a case worker.
    """

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="parties"
    )
    role = models.CharField(_("role in the case"), max_length=16, choices=PartyRole.choices)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    name = models.CharField(_("name"), max_length=50, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True, validators=[MaxLengthValidator(TEXT_LIMIT)])
    identity_changed_at = models.DateTimeField(
        _("identity changed at"), null=True, blank=True, editable=False
    )
    linked_to = models.ForeignKey(
        "self",
        verbose_name=_("same person in an earlier case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["name", "id_number", "phone", "note"])

    scope_field = "case__organization"

    class Meta:
        verbose_name = _("case party")
        verbose_name_plural = _("case parties")
        ordering = ["case", "role", "id"]
        indexes = [
            models.Index(
                fields=["id_number"], name="caseparty_id_number", condition=~Q(id_number="")
            )
        ]

    def __str__(self):
        return self.get_role_display()


class FollowUp(ClientKeyedModel, TimeStampedModel):
    """A follow-up visit (回访) after a case is closed."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="followups"
    )
    visited_on = models.DateField(_("visited on"))
    method = models.CharField(_("method"), max_length=8, choices=FollowUpMethod.choices)
    note = models.TextField(_("note"), blank=True, validators=[MaxLengthValidator(TEXT_LIMIT)])
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visited by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    scope_field = "case__organization"

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["case", "visited_on", "id"]

    def __str__(self):
        return f"{self.visited_on}"


from apps.rights.models_deadlines import DeadlineRule, Escalation  # noqa: E402, F401 (Django finds them here)
from apps.rights.models_referrals import Referral, ReferralEscalation  # noqa: E402, F401 (the same)

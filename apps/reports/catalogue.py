"""The one catalogue of figures (docs/reports.md, The catalogue).

Every figure the system reports is one ``Figure`` here: its dotted key, its name and its
counting rule (English in the code, Chinese in locale/: "本期本组织及下级组织举办的、业务条线为
家庭教育的活动场次"), the records it counts (a ``Source``: one model, the day that places a
record in a period, the rows that count at all) and the aggregate. The dashboard, the summary
API, the Excel export and the annual report read their numbers through ``selectors.report``,
which reads this catalogue, so they cannot disagree.

A ``Breakdown`` is a figure split by a code (events by category, cases by outcome); its
parts add up to the figure it names as its ``total``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Cast, NullIf
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.councils.choices import ADOPTED as ADOPTED_STATUSES
from apps.councils.choices import MeetingMode, TopicStatus
from apps.councils.models import Council, Meeting, MeetingMonth, Topic
from apps.events.choices import FundSource
from apps.events.models import Event, EventMonth, Fund
from apps.members.choices import AppointmentRole
from apps.members.models import Appointment, BranchMeeting, BranchMeetingMonth
from apps.members.selectors.branch import meetings_required
from apps.organizations.choices import Kind, Level, TitleStatus
from apps.organizations.models import Organization, Position, Title
from apps.organizations.scoping import scope_field
from apps.rights.choices import COVERING_KINDS, CaseStatus, Outcome
from apps.rights.models import Case, CaseMonth, Referral, Station
from apps.rights.models_referrals import ReferralStatus
from apps.rights.selectors.overdue import with_deadlines


class Median(models.Aggregate):
    """The median of an expression (PostgreSQL's ``percentile_cont(0.5)``): a figure that does
    not add up, computed live (docs/reports.md)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = models.FloatField()


def days_between(start: str, end: str) -> Func:
    """``end - start`` in days, with the fraction."""
    return Func(
        F(end) - F(start),
        template="EXTRACT(EPOCH FROM %(expressions)s) / 86400.0",
        output_field=models.FloatField(),
    )


DATED, SNAPSHOT, YEARLY, OVERLAPPING = "dated", "snapshot", "yearly", "overlapping"


@dataclass(frozen=True)
class Source:
    """The records a family of figures counts: ``rows()`` (the live rows, before scoping and
    the period) and how a period picks them (``placed``):

    - ``dated``: the rows whose ``day`` (a date or a date-and-time field) falls in the period;
    - ``snapshot``: the rows open on the period's last day (``day`` the opening date,
      ``until`` the closing one): positions, villages;
    - ``overlapping``: the rows open on any day of the period (``day`` to ``until``), for
      figures that look at days within it (party branches' terms);
    - ``yearly``: the rows of the years the period covers (``day`` a year number): titles,
      which are applied for and awarded by year; a quarter or a month has none (None).

    Figures of one source are computed together, in one query."""

    key: str
    model: type[models.Model]
    day: str
    rows: Callable[[], models.QuerySet]
    sensitive: bool = False  # case figures: suppressed for leadership (docs/reports.md, Privacy)
    placed: str = DATED
    until: str = "closed_on"

    @property
    def timed(self) -> bool:
        """Whether ``day`` holds a time (and so a period's bounds are Beijing instants)."""
        return isinstance(self.model._meta.get_field(self.day), models.DateTimeField)

    @property
    def path(self) -> str:
        """The lookup of the row's organization's path."""
        field = scope_field(self.model)
        return f"{field}__path" if field else "path"

    def within(self, period) -> Q | None:
        """The rows ``period`` counts; None where the source has no figure for such a period."""
        if self.placed == SNAPSHOT and self.timed:  # open at the end of the last day
            return Q(**{f"{self.day}__lt": period.ends}) & (
                Q(**{f"{self.until}__isnull": True}) | Q(**{f"{self.until}__gte": period.ends})
            )
        if self.placed == OVERLAPPING:  # open on any day of the period
            return Q(**{f"{self.day}__lte": period.last}) & (
                Q(**{f"{self.until}__isnull": True}) | Q(**{f"{self.until}__gte": period.first})
            )
        if self.placed == SNAPSHOT:
            on = period.last
            return Q(**{f"{self.day}__lte": on}) & (
                Q(**{f"{self.until}__isnull": True}) | Q(**{f"{self.until}__gte": on})
            )
        if self.placed == YEARLY:
            whole_years = (period.first.month, period.first.day) == (1, 1) and (
                period.last.month,
                period.last.day,
            ) == (12, 31)
            if not whole_years:
                return None
            return Q(
                **{f"{self.day}__gte": period.first.year, f"{self.day}__lte": period.last.year}
            )
        if self.timed:
            return Q(**{f"{self.day}__gte": period.starts, f"{self.day}__lt": period.ends})
        return Q(**{f"{self.day}__gte": period.first, f"{self.day}__lte": period.last})


TIMES = _("times")


@dataclass(frozen=True)
class Figure:
    key: str  # "<domain>.<name>"
    source: Source
    name: Promise
    rule: Promise
    measure: Callable[[Q | None], models.Aggregate]  # the aggregate, given the figure's filter
    where: "Q | Callable | None" = None
    unit: Promise = TIMES
    adds_up: bool = True  # a sum of the children's figures (a median is not)
    # The aggregate, given the figure's filter and the period, for a figure whose counting
    # depends on the period's days (the 三会一课 meetings owed in it); replaces ``measure``.
    measure_in: "Callable[[Q | None, Any], models.Expression] | None" = None

    @property
    def zero(self):
        """What the figure is over no rows: 0, or 0.00 yuan for money."""
        return Decimal("0.00") if self.unit is YUAN else 0

    @property
    def domain(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name_in_domain(self) -> str:
        return self.key.split(".", 1)[1]

    def aggregate(self, also: Q | None = None, period=None, rollup=None) -> models.Aggregate:
        """The aggregate, limited to the figure's rows and ``also`` (a period). A figure whose
        rows depend on the period (a village with a station open on its last day) has a
        callable ``where``, given the period. Given its source's ``rollup``, the sum of the
        rollup's column instead, over its rows (``also`` then a condition on them)."""
        where = self.where(period) if callable(self.where) else self.where
        conditions = [q for q in (where, also) if q is not None]
        where = None
        for condition in conditions:
            where = condition if where is None else where & condition
        if rollup is not None:
            return Sum(rollup.column_of(self), filter=where, default=0)
        if self.measure_in is not None:
            return self.measure_in(where, period)
        return self.measure(where)


@dataclass(frozen=True)
class Breakdown:
    """``total`` split by ``by`` (a code field of the source's rows), each part named by
    ``label`` (a field holding its name) or by ``choices``."""

    key: str
    total: Figure
    by: str
    name: Promise
    label: str | None = None
    choices: type[models.TextChoices] | None = None

    @property
    def source(self) -> Source:
        return self.total.source


def count(where: Q | None) -> models.Aggregate:
    return Count("pk", filter=where)


def total_of(column: str) -> Callable[[Q | None], models.Aggregate]:
    def measure(where: Q | None) -> models.Aggregate:
        return Sum(column, filter=where, default=0)

    measure.summed = column  # what a rollup of the source adds up for it (Rollup.column_of)
    return measure


@dataclass(frozen=True)
class Rollup:
    """A source's figures that add up, kept by month, organization and the codes its figures
    filter by, in a table of the source's own app (docs/reports.md, Rollups): ``rows`` is that
    table as a source (``day`` the month), ``counted`` the column that counts the records.

    Its every figure reads it for a period of whole months: the count as the sum of
    ``counted``, a total as the sum of the column of the same name, filtered as the figure's
    records are (the table has the same ``line``, ``category`` …)."""

    rows: Source
    counted: str

    def column_of(self, figure: "Figure") -> str:
        if figure.measure is count:
            return self.counted
        return figure.measure.summed


def percent_of(part: Q, whole: Q) -> Callable[[Q | None], models.Expression]:
    """Of the rows that are ``whole``, the share that are also ``part``, in per cent (None
    over none)."""

    def measure(where: Q | None) -> models.Expression:
        of = whole if where is None else where & whole
        return ExpressionWrapper(
            Cast(Count("pk", filter=of & part), FloatField())
            * 100.0
            / NullIf(Count("pk", filter=of), 0),
            output_field=FloatField(),
        )

    return measure


def median_days_of_dates(start: str, end: str) -> Callable[[Q | None], models.Aggregate]:
    """The median of ``end - start`` for two date fields (whole days)."""

    def measure(where: Q | None) -> models.Aggregate:
        days = Func(  # PostgreSQL's date - date: whole days, an integer
            F(end),
            F(start),
            template="(%(expressions)s)",
            arg_joiner=" - ",
            output_field=models.IntegerField(),
        )
        return Median(days, filter=where)

    return measure


def median_days(start: str, end: str) -> Callable[[Q | None], models.Aggregate]:
    def measure(where: Q | None) -> models.Aggregate:
        return Median(days_between(start, end), filter=where)

    return measure


EVENTS = Source("events", Event, "starts_at", lambda: Event.objects.alive())
# A month whose every event has gone stays in the rollup at zero: it is left out, as live.
EVENT_MONTHS = Source("events", EventMonth, "month", lambda: EventMonth.objects.filter(held__gt=0))
FUNDS = Source("funds", Fund, "received_on", lambda: Fund.objects.alive())
CASES_RECEIVED = Source("cases_received", Case, "received_at", lambda: Case.objects.alive(), True)
CASES_RECEIVED_MONTHS = Source(
    "cases_received",
    CaseMonth,
    "month",
    lambda: CaseMonth.objects.filter(received__gt=0),
    True,
)
CASES_CLOSED = Source(
    "cases_closed",
    Case,
    "closed_at",
    lambda: Case.objects.alive().filter(status=CaseStatus.CLOSED),
    True,
)
# Cases open at the end of the period's last day (received by then, not closed by then), with
# their deadlines (docs/rights.md, Deadlines: the rule in force the day each was received).
CASES_OPEN = Source(
    "cases_open",
    Case,
    "received_at",
    lambda: with_deadlines(Case.objects.alive()),
    True,
    placed=SNAPSHOT,
    until="closed_at",
)
REFERRALS = Source("referrals", Referral, "sent_at", lambda: Referral.objects.alive(), True)
BRANCH_MEETINGS = Source(
    "branch_meetings", BranchMeeting, "held_on", lambda: BranchMeeting.objects.alive()
)
BRANCH_MEETING_MONTHS = Source(
    "branch_meetings",
    BranchMeetingMonth,
    "month",
    lambda: BranchMeetingMonth.objects.filter(held__gt=0),
)
# Party branches: the organizations with a branch secretary in office (an appointment's
# term), each counted once; the terms that overlap the period.
BRANCHES = Source(
    "branches",
    Appointment,
    "started_on",
    lambda: Appointment.objects.alive().filter(role=AppointmentRole.BRANCH_SECRETARY),
    placed=OVERLAPPING,
    until="ended_on",
)


def in_office_on(day) -> Q:
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))


def meetings_owed(where: Q | None, period) -> models.Expression:
    """The meetings owed in ``period`` by the branches among ``where``'s rows: for each first day
    of a month or quarter owed (``meetings_required``), the branches with a secretary in office
    that day times the meetings owed from it. Worked out once per report's period (one query)."""
    owed = period.once(
        "branch.meetings_required",
        lambda: meetings_required(period.first, period.last, timezone.localdate()),
    )
    # Nothing owed yet (a period still running): 0, still an aggregate like the query's others.
    total = Count("pk", filter=where) * Value(0)
    for day, meetings in owed.items():
        on = in_office_on(day) if where is None else where & in_office_on(day)
        total = total + Count("organization", distinct=True, filter=on) * Value(meetings)
    return ExpressionWrapper(total, output_field=models.IntegerField())


COUNCIL_MEETINGS = Source("council_meetings", Meeting, "held_on", lambda: Meeting.objects.alive())
COUNCIL_MEETING_MONTHS = Source(
    "council_meetings", MeetingMonth, "month", lambda: MeetingMonth.objects.filter(held__gt=0)
)
TOPICS_RAISED = Source("topics_raised", Topic, "raised_on", lambda: Topic.objects.alive())
COUNCILS_SET_UP = Source(
    "councils_set_up", Council, "established_on", lambda: Council.objects.alive()
)
COUNCILS_SITTING = Source(
    "councils_sitting",
    Council,
    "established_on",
    lambda: Council.objects.alive(),
    placed=SNAPSHOT,
    until="dissolved_on",
)
POSITIONS = Source(
    "positions", Position, "opened_on", lambda: Position.objects.all(), placed=SNAPSHOT
)
TITLES = Source("titles", Title, "year", lambda: Title.objects.all(), placed=YEARLY)
VILLAGES = Source(
    "villages",
    Organization,
    "opened_on",
    lambda: Organization.objects.filter(kind=Kind.VILLAGE),
    placed=SNAPSHOT,
)
SOURCES = (
    EVENTS,
    FUNDS,
    CASES_RECEIVED,
    CASES_CLOSED,
    CASES_OPEN,
    REFERRALS,
    BRANCH_MEETINGS,
    BRANCHES,
    COUNCIL_MEETINGS,
    TOPICS_RAISED,
    COUNCILS_SET_UP,
    COUNCILS_SITTING,
    POSITIONS,
    TITLES,
    VILLAGES,
)


def _covered_by(
    rows: Callable[[], models.QuerySet], day: str = "opened_on", until: str = "closed_on"
):
    """Villages with one of ``rows()`` of their own or below them open on the period's last
    day (a rights station or post, a women's home, a council)."""

    def where(period) -> Q:
        on = period.last
        open_then = Q(**{f"{day}__lte": on}) & (
            Q(**{f"{until}__isnull": True}) | Q(**{f"{until}__gte": on})
        )
        return Q(Exists(rows().filter(open_then, organization__path__startswith=OuterRef("path"))))

    return where


WITH_STATION = _covered_by(lambda: Station.objects.alive().filter(kind__in=list(COVERING_KINDS)))
WITH_WOMENS_HOME = _covered_by(lambda: Position.objects.filter(kind__code="womens_home"))
WITH_COUNCIL = _covered_by(lambda: Council.objects.alive(), "established_on", "dissolved_on")
SOLVED = Q(status__in=[TopicStatus.RESOLVED, TopicStatus.TURNED_INTO_RESULT])
ADOPTED = Q(status__in=list(ADOPTED_STATUSES))

FAMILY_EDUCATION = Q(line__code="family_education")
THEMED = Q(category__code="themed_publicity")
MOBILE_CLASSROOM = Q(category__code="mobile_classroom")
TRAINING = Q(category__code="skills_training")
PERSONS, YUAN, DAYS = _("persons"), _("yuan"), _("days")

FIGURES: tuple[Figure, ...] = (
    Figure(
        "events.held",
        EVENTS,
        _("Events held"),
        _("Events held in the period by the organization and the organizations below it."),
        count,
    ),
    Figure(
        "events.people_reached",
        EVENTS,
        _("People reached by events"),
        _(
            "People reached by the events held in the period by the organization and the "
            "organizations below it."
        ),
        total_of("people_reached"),
        unit=PERSONS,
    ),
    Figure(
        "events.participants",
        EVENTS,
        _("Event participants"),
        _(
            "Participants of the events held in the period by the organization and the "
            "organizations below it."
        ),
        total_of("participants"),
        unit=PERSONS,
    ),
    Figure(
        "events.volunteers",
        EVENTS,
        _("Volunteers at events"),
        _(
            "Volunteers at the events held in the period by the organization and the "
            "organizations below it."
        ),
        total_of("volunteers"),
        unit=PERSONS,
    ),
    Figure(
        "events.spent",
        EVENTS,
        _("Money spent on events"),
        _(
            "Money spent on the events held in the period by the organization and the "
            "organizations below it, in yuan."
        ),
        total_of("spent"),
        unit=YUAN,
    ),
    Figure(
        "events.family_education_held",
        EVENTS,
        _("Family-education events held"),
        _(
            "Events held in the period by the organization and the organizations below it "
            "whose line of work is family education."
        ),
        count,
        FAMILY_EDUCATION,
    ),
    Figure(
        "events.family_education_reached",
        EVENTS,
        _("People reached by family-education events"),
        _(
            "People reached by the events held in the period by the organization and the "
            "organizations below it whose line of work is family education."
        ),
        total_of("people_reached"),
        FAMILY_EDUCATION,
        unit=PERSONS,
    ),
    Figure(
        "events.themed_publicity_held",
        EVENTS,
        _("Themed publicity sessions held"),
        _(
            "Events of the category themed publicity session held in the period by the "
            "organization and the organizations below it."
        ),
        count,
        THEMED,
    ),
    Figure(
        "events.themed_publicity_reached",
        EVENTS,
        _("People reached by themed publicity sessions"),
        _(
            "People reached by the themed publicity sessions held in the period by the "
            "organization and the organizations below it."
        ),
        total_of("people_reached"),
        THEMED,
        unit=PERSONS,
    ),
    Figure(
        "events.mobile_classroom_held",
        EVENTS,
        _("Mobile-classroom sessions held"),
        _(
            "Events of the category mobile-classroom session held in the period by the "
            "organization and the organizations below it."
        ),
        count,
        MOBILE_CLASSROOM,
    ),
    Figure(
        "events.trainings_held",
        EVENTS,
        _("Skills trainings held"),
        _(
            "Events of the category skills training held in the period by the organization "
            "and the organizations below it."
        ),
        count,
        TRAINING,
    ),
    Figure(
        "events.trainees",
        EVENTS,
        _("People trained"),
        _(
            "Participants of the skills trainings held in the period by the organization and "
            "the organizations below it."
        ),
        total_of("participants"),
        TRAINING,
        unit=PERSONS,
    ),
    Figure(
        "funds.higher_level",
        FUNDS,
        _("Funds obtained from higher levels"),
        _(
            "Money obtained from higher levels and received in the period by the organization "
            "and the organizations below it, in yuan."
        ),
        total_of("amount"),
        Q(source=FundSource.HIGHER_LEVEL),
        unit=YUAN,
    ),
    Figure(
        "funds.higher_level_for_training",
        FUNDS,
        _("Funds obtained from higher levels for training"),
        _(
            "Money obtained from higher levels, received in the period by the organization and "
            "the organizations below it, for a skills training, in yuan."
        ),
        total_of("amount"),
        Q(source=FundSource.HIGHER_LEVEL, event__category__code="skills_training"),
        unit=YUAN,
    ),
    Figure(
        "funds.donations",
        FUNDS,
        _("Donations raised"),
        _(
            "Donations (such as '99 Giving Day') raised and received in the period by the "
            "organization and the organizations below it, in yuan."
        ),
        total_of("amount"),
        Q(source=FundSource.DONATION),
        unit=YUAN,
    ),
    Figure(
        "cases.received",
        CASES_RECEIVED,
        _("Cases received"),
        _(
            "Rights-protection cases received in the period by the stations of the "
            "organization and the organizations below it."
        ),
        count,
        unit=_("cases"),
    ),
    Figure(
        "cases.closed",
        CASES_CLOSED,
        _("Cases closed"),
        _(
            "Rights-protection cases of the organization and the organizations below it "
            "closed in the period."
        ),
        count,
        unit=_("cases"),
    ),
    Figure(
        "cases.median_days_to_close",
        CASES_CLOSED,
        _("Median days to close a case"),
        _(
            "The median of the days from receipt to closing of the cases of the organization "
            "and the organizations below it closed in the period."
        ),
        median_days("received_at", "closed_at"),
        unit=DAYS,
        adds_up=False,
    ),
    Figure(
        "cases.open_at_end",
        CASES_OPEN,
        _("Cases open at the period's end"),
        _(
            "Rights-protection cases of the organization and the organizations below it "
            "received and not closed by the end of the period's last day."
        ),
        count,
        unit=_("cases"),
    ),
    Figure(
        "cases.overdue_at_end",
        CASES_OPEN,
        _("Cases past their closing deadline"),
        _(
            "Cases open at the end of the period's last day whose closing deadline (by the rule "
            "of their risk in force the day they were received) had passed by then."
        ),
        count,
        lambda period: Q(close_due__lt=period.ends),
        unit=_("cases"),
    ),
    Figure(
        "referrals.sent",
        REFERRALS,
        _("Referrals sent"),
        _(
            "Cases of the organization and the organizations below it referred through the "
            "green channel in the period."
        ),
        count,
        unit=_("cases"),
    ),
    Figure(
        "referrals.accepted",
        REFERRALS,
        _("Referrals accepted"),
        _(
            "Referrals sent in the period from the organization and the organizations below it "
            "that the receiving side accepted (answered or not yet)."
        ),
        count,
        Q(status__in=[ReferralStatus.ACCEPTED, ReferralStatus.ANSWERED]),
        unit=_("cases"),
    ),
    Figure(
        "referrals.answered_in_time",
        REFERRALS,
        _("Referrals answered in time"),
        _(
            "Referrals sent in the period from the organization and the organizations below it "
            "that the receiving side answered by the deadline to answer."
        ),
        count,
        Q(status=ReferralStatus.ANSWERED, answered_at__lte=F("due_at")),
        unit=_("cases"),
    ),
    Figure(
        "branch.meetings_held",
        BRANCH_MEETINGS,
        _("三会一课 meetings held"),
        _(
            "Meetings of the party branches' 三会一课 held in the period in the organization "
            "and the organizations below it."
        ),
        count,
    ),
    Figure(
        "branch.branches",
        BRANCHES,
        _("Party branches"),
        _(
            "The organization and the organizations below it with a party branch secretary in "
            "office on the period's last day."
        ),
        lambda where: Count("organization", distinct=True, filter=where),
        lambda period: in_office_on(period.last),
        unit=_("items"),
    ),
    Figure(
        "branch.meetings_required",
        BRANCHES,
        _("三会一课 meetings required"),
        _(
            "The 三会一课 meetings the party branches of the organization and the organizations "
            "below it had to hold in the period: for each month or quarter of the period that "
            "has ended, the minimum of the rule in force on its first day, for each branch with "
            "a secretary in office that day."
        ),
        count,
        measure_in=lambda where, period: meetings_owed(where, period),
    ),
    Figure(
        "councils.set_up",
        COUNCILS_SET_UP,
        _("Women's councils set up"),
        _("Women's councils the organization and the organizations below it set up in the period."),
        count,
        unit=_("items"),
    ),
    Figure(
        "councils.sitting",
        COUNCILS_SITTING,
        _("Women's councils sitting"),
        _(
            "Women's councils of the organization and the organizations below it set up and "
            "not dissolved on the period's last day."
        ),
        count,
        unit=_("items"),
    ),
    Figure(
        "councils.meetings_held",
        COUNCIL_MEETINGS,
        _("Council meetings held"),
        _(
            "Meetings of the women's councils of the organization and the organizations below "
            "it held in the period."
        ),
        count,
    ),
    Figure(
        "councils.meetings_online",
        COUNCIL_MEETINGS,
        _("Council meetings held online"),
        _(
            "Meetings held in the period in the online council hall by the women's councils of "
            "the organization and the organizations below it."
        ),
        count,
        Q(mode=MeetingMode.ONLINE),
    ),
    Figure(
        "councils.topics_raised",
        TOPICS_RAISED,
        _("Council topics raised"),
        _(
            "Topics raised in the period at the women's councils of the organization and the "
            "organizations below it."
        ),
        count,
        unit=_("items"),
    ),
    Figure(
        "councils.topics_adopted",
        TOPICS_RAISED,
        _("Council topics adopted"),
        _(
            "Topics raised in the period at the women's councils of the organization and the "
            "organizations below it that were adopted (whatever came of them since)."
        ),
        count,
        ADOPTED,
        unit=_("items"),
    ),
    Figure(
        "councils.topics_resolved",
        TOPICS_RAISED,
        _("Council topics resolved"),
        _(
            "Topics raised in the period at the women's councils of the organization and the "
            "organizations below it that are resolved now."
        ),
        count,
        Q(status=TopicStatus.RESOLVED),
        unit=_("items"),
    ),
    Figure(
        "councils.topics_turned_into_results",
        TOPICS_RAISED,
        _("Council topics turned into results"),
        _(
            "Topics raised in the period at the women's councils of the organization and the "
            "organizations below it that have been turned into a result (a project, a rule, a "
            "service)."
        ),
        count,
        Q(status=TopicStatus.TURNED_INTO_RESULT),
        unit=_("items"),
    ),
    Figure(
        "councils.resolution_rate",
        TOPICS_RAISED,
        _("Share of adopted topics resolved"),
        _(
            "Of the topics raised in the period at the women's councils of the organization and "
            "the organizations below it and adopted, the share resolved or turned into a result "
            "by now, in per cent."
        ),
        percent_of(SOLVED, ADOPTED),
        unit=_("%"),
        adds_up=False,
    ),
    Figure(
        "councils.median_days_to_resolve",
        TOPICS_RAISED,
        _("Median days to resolve a topic"),
        _(
            "Of the topics raised in the period at the women's councils of the organization and "
            "the organizations below it and resolved or turned into a result since, the median "
            "of the days from being raised to being closed."
        ),
        median_days_of_dates("raised_on", "closed_on"),
        SOLVED,
        unit=DAYS,
        adds_up=False,
    ),
    Figure(
        "positions.open",
        POSITIONS,
        _("Positions open"),
        _(
            "Positions (such as women's homes) of the organization and the organizations below "
            "it open on the period's last day."
        ),
        count,
        unit=_("places"),
    ),
    Figure(
        "titles.applied",
        TITLES,
        _("Demonstration titles applied for"),
        _(
            "Demonstration titles the organization and the organizations below it applied for in "
            "the period's years, whatever came of them."
        ),
        count,
        unit=_("items"),
    ),
    Figure(
        "titles.awarded",
        TITLES,
        _("Demonstration titles awarded"),
        _(
            "Demonstration titles of the period's years awarded to the organization and the "
            "organizations below it."
        ),
        count,
        Q(status=TitleStatus.AWARDED),
        unit=_("items"),
    ),
    Figure(
        "titles.housekeeping_provincial_applied",
        TITLES,
        _("Provincial housekeeping demonstration stations applied for"),
        _(
            "Provincial-level women's housekeeping community demonstration stations the "
            "organization and the organizations below it applied for in the period's years."
        ),
        count,
        Q(kind__code="housekeeping_demo_station", level=Level.PROVINCIAL),
        unit=_("items"),
    ),
    Figure(
        "titles.mobile_classroom_city_awarded",
        TITLES,
        _("City-level mobile-classroom demonstration points"),
        _(
            "City-level 'little stool' mobile-classroom demonstration points of the period's "
            "years awarded to the organization and the organizations below it."
        ),
        count,
        Q(kind__code="mobile_classroom_demo", level=Level.CITY, status=TitleStatus.AWARDED),
        unit=_("items"),
    ),
    Figure(
        "titles.micro_home_awarded",
        TITLES,
        _("Demonstration party-building micro-homes"),
        _(
            "Demonstration women's party-building micro-homes of the period's years awarded to "
            "the organization and the organizations below it."
        ),
        count,
        Q(kind__code="micro_home_demo", status=TitleStatus.AWARDED),
        unit=_("items"),
    ),
    Figure(
        "coverage.villages",
        VILLAGES,
        _("Villages and communities"),
        _("Villages and communities of the organization's subtree open on the period's last day."),
        count,
        unit=_("places"),
    ),
    Figure(
        "coverage.with_station",
        VILLAGES,
        _("Villages with a rights-protection station"),
        _(
            "Villages and communities with a rights-protection station or post of their own "
            "open on the period's last day."
        ),
        count,
        WITH_STATION,
        unit=_("places"),
    ),
    Figure(
        "coverage.with_womens_home",
        VILLAGES,
        _("Villages with a women's home"),
        _(
            "Villages and communities with a women's home of their own open on the period's "
            "last day."
        ),
        count,
        WITH_WOMENS_HOME,
        unit=_("places"),
    ),
    Figure(
        "coverage.with_council",
        VILLAGES,
        _("Villages with a women's council"),
        _(
            "Villages and communities with a women's council of their own sitting on the "
            "period's last day."
        ),
        count,
        WITH_COUNCIL,
        unit=_("places"),
    ),
)
BY_KEY = {figure.key: figure for figure in FIGURES}

BREAKDOWNS: tuple[Breakdown, ...] = (
    Breakdown(
        "events.held_by_line",
        BY_KEY["events.held"],
        "line__code",
        _("Events held by line of work"),
        label="line__name",
    ),
    Breakdown(
        "events.held_by_category",
        BY_KEY["events.held"],
        "category__code",
        _("Events held by category"),
        label="category__name",
    ),
    Breakdown(
        "events.reached_by_category",
        BY_KEY["events.people_reached"],
        "category__code",
        _("People reached by category"),
        label="category__name",
    ),
    Breakdown(
        "positions.open_by_kind",
        BY_KEY["positions.open"],
        "kind__code",
        _("Positions open by kind"),
        label="kind__name",
    ),
    Breakdown(
        "titles.awarded_by_level",
        BY_KEY["titles.awarded"],
        "level",
        _("Demonstration titles awarded by level"),
        choices=Level,
    ),
    Breakdown(
        "cases.received_by_category",
        BY_KEY["cases.received"],
        "category__code",
        _("Cases received by category"),
        label="category__name",
    ),
    Breakdown(
        "cases.closed_by_outcome",
        BY_KEY["cases.closed"],
        "outcome",
        _("Cases closed by outcome"),
        choices=Outcome,
    ),
)


# The sources kept by month (each one's figures all add up: count or total_of), by key.
ROLLUPS = {
    EVENTS.key: Rollup(EVENT_MONTHS, counted="held"),
    CASES_RECEIVED.key: Rollup(CASES_RECEIVED_MONTHS, counted="received"),
    BRANCH_MEETINGS.key: Rollup(BRANCH_MEETING_MONTHS, counted="held"),
    COUNCIL_MEETINGS.key: Rollup(COUNCIL_MEETING_MONTHS, counted="held"),
}


def figures_of(source: Source) -> list[Figure]:
    return [figure for figure in FIGURES if figure.source is source]

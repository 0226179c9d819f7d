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

from django.db import models
from django.db.models import Count, F, Func, Q, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.events.choices import FundSource
from apps.events.models import Event, Fund
from apps.members.models import BranchMeeting
from apps.rights.choices import CaseStatus, Outcome
from apps.rights.models import Case


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


@dataclass(frozen=True)
class Source:
    """The records a family of figures counts: ``rows()`` (the live rows, before scoping and
    the period), placed in a period by ``day`` (a date or a date-and-time field). Figures of one
    source are computed together, in one query."""

    key: str
    model: type[models.Model]
    day: str
    rows: Callable[[], models.QuerySet]
    sensitive: bool = False  # case figures: suppressed for leadership (docs/reports.md, Privacy)

    @property
    def timed(self) -> bool:
        """Whether ``day`` holds a time (and so a period's bounds are Beijing instants)."""
        return isinstance(self.model._meta.get_field(self.day), models.DateTimeField)


TIMES = _("times")


@dataclass(frozen=True)
class Figure:
    key: str  # "<domain>.<name>"
    source: Source
    name: Promise
    rule: Promise
    measure: Callable[[Q | None], models.Aggregate]  # the aggregate, given the figure's filter
    where: Q | None = None
    unit: Promise = TIMES
    adds_up: bool = True  # a sum of the children's figures (a median is not)

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

    def aggregate(self, also: Q | None = None) -> models.Aggregate:
        """The aggregate, limited to the figure's rows and ``also`` (a period)."""
        conditions = [q for q in (self.where, also) if q is not None]
        where = None
        for condition in conditions:
            where = condition if where is None else where & condition
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

    return measure


def median_days(start: str, end: str) -> Callable[[Q | None], models.Aggregate]:
    def measure(where: Q | None) -> models.Aggregate:
        return Median(days_between(start, end), filter=where)

    return measure


EVENTS = Source("events", Event, "starts_at", lambda: Event.objects.alive())
FUNDS = Source("funds", Fund, "received_on", lambda: Fund.objects.alive())
CASES_RECEIVED = Source("cases_received", Case, "received_at", lambda: Case.objects.all(), True)
CASES_CLOSED = Source(
    "cases_closed",
    Case,
    "closed_at",
    lambda: Case.objects.filter(status=CaseStatus.CLOSED),
    True,
)
BRANCH_MEETINGS = Source(
    "branch_meetings", BranchMeeting, "held_on", lambda: BranchMeeting.objects.alive()
)
SOURCES = (EVENTS, FUNDS, CASES_RECEIVED, CASES_CLOSED, BRANCH_MEETINGS)

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
        "branch.meetings_held",
        BRANCH_MEETINGS,
        _("三会一课 meetings held"),
        _(
            "Meetings of the party branches' 三会一课 held in the period in the organization "
            "and the organizations below it."
        ),
        count,
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


def figures_of(source: Source) -> list[Figure]:
    return [figure for figure in FIGURES if figure.source is source]

"""Reading the party branch's meetings (三会一课), and whether each branch holds them as often as
the district requires (``MeetingRequirement``).

Compliance is counted in a fixed number of queries, however many organizations
and periods: the requirements of the year, one grouped count of meetings per
organization, kind and month, and (for the overview) the organizations. The
periods are computed from those counts in Python, each month and quarter
against the rule in force on its first day (``apps/core/effective.py``).
"""

import calendar
from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext

from apps.core.effective import Timeline
from apps.members.choices import AppointmentRole, BranchMeetingKind, RequirementPeriod
from apps.members.models import (
    Appointment,
    BranchAttendance,
    BranchMeeting,
    MeetingRequirement,
    Member,
)
from apps.organizations.models import Organization
from apps.organizations.scoping import scoped

KINDS = list(BranchMeetingKind)


def branch_meeting_list(*, user) -> QuerySet[BranchMeeting]:
    """The meetings of the caller's subtree with their people and attendance (three queries).

    The attendance is ordered by each person's name looked up by id, and its people come by id
    in a query of their own: joined, a page's few hundred rows would let the planner read the
    whole people table to hash it (tests/test_list_plans.py).
    """
    pinyin = Member.objects.filter(pk=OuterRef("member_id")).values("name_pinyin")
    attendance = BranchAttendance.objects.alive().order_by(Subquery(pinyin), "id")
    return scoped(
        BranchMeeting.objects.select_related("organization", "chair", "recorder").prefetch_related(
            Prefetch("attendance", queryset=attendance), "attendance__member"
        ),
        user,
    )


# --- Compliance ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A month or a quarter of a year."""

    length: str  # RequirementPeriod
    number: int  # 1–12 or 1–4
    start: date
    end: date

    @property
    def months(self) -> range:
        return range(self.start.month, self.end.month + 1)

    @property
    def label(self) -> str:
        if self.length == RequirementPeriod.MONTH:
            return gettext("Month %(number)d") % {"number": self.number}
        return gettext("Quarter %(number)d") % {"number": self.number}


@dataclass(frozen=True)
class Cell:
    """The meetings of one kind held in one period, and the minimum required there (None: no
    requirement, or the organization was not open the whole period). A period still running
    is not a gap yet."""

    kind: str
    held: int
    required: int | None
    in_progress: bool

    @property
    def gap(self) -> bool:
        return self.required is not None and not self.in_progress and self.held < self.required


@dataclass(frozen=True)
class Row:
    period: Period
    cells: list[Cell | None]  # one per kind, in KINDS order; None where the kind is not counted


@dataclass(frozen=True)
class ComplianceReport:
    """An organization's year: a row per month and per quarter that has begun, a cell per kind."""

    organization: Organization
    year: int
    kinds: list[BranchMeetingKind]
    rows: list[Row]

    @property
    def gaps(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells if cell is not None and cell.gap)


@dataclass(frozen=True)
class OverviewRow:
    organization: Organization
    held: int
    gaps: int

    @property
    def street(self) -> Organization | None:
        """The branch's street (a street's own branch: itself; the district's: None)."""
        return self.organization.street


@dataclass(frozen=True)
class StreetGroup:
    """One street's rows of the overview, with their subtotals; ``street`` None for the
    district's own branch."""

    street: Organization | None
    rows: list[OverviewRow]

    @property
    def held(self) -> int:
        return sum(row.held for row in self.rows)

    @property
    def gaps(self) -> int:
        return sum(row.gaps for row in self.rows)


def periods(year: int, today: date) -> list[Period]:
    """The months and quarters of ``year`` that have begun by ``today``, each quarter after its
    third month: Month 1, 2, 3, Quarter 1, Month 4 …"""
    found = []
    for quarter in range(1, 5):
        for month in range(quarter * 3 - 2, quarter * 3 + 1):
            start = date(year, month, 1)
            end = date(year, month, calendar.monthrange(year, month)[1])
            if start <= today:
                found.append(Period(RequirementPeriod.MONTH, month, start, end))
        start = date(year, quarter * 3 - 2, 1)
        if start <= today:
            found.append(Period(RequirementPeriod.QUARTER, quarter, start, found[-1].end))
    return found


def requirements_of_year(year: int) -> Timeline:
    """The rules that judge ``year``'s months and quarters: those in force on 1 January and
    those taking effect later in the year (one query). District-wide: they have no scope."""
    return MeetingRequirement.objects.timeline(since=date(year, 1, 1), until=date(year, 12, 31))


def requirements_listed(year: int) -> list[tuple[MeetingRequirement, date | None]]:
    """The year's rules as the compliance page lists them, by kind: (rule, the day it takes
    effect if that falls within the year). A minimum of 0 is listed only where it ends a rule."""
    first = date(year, 1, 1)
    rules = sorted(
        requirements_of_year(year), key=lambda r: (KINDS.index(r.kind), r.effective_from)
    )
    return [
        (rule, rule.effective_from if rule.effective_from > first else None)
        for rule in rules
        if rule.minimum > 0 or rule.effective_from > first
    ]


def _in_force(requirements: Timeline, kind: str, period: Period) -> MeetingRequirement | None:
    """The rule judging ``period`` (None: no rule, or a minimum of 0)."""
    rule = requirements.at(kind, period.start)
    return rule if rule is not None and rule.minimum > 0 else None


def meetings_required(first: date, last: date, today: date) -> dict[date, int]:
    """The 三会一课 meetings one party branch had to hold from ``first`` to ``last``, by the
    first day of each month or quarter (as each kind's rule counts) lying wholly within those
    days and ended before ``today``: the minimums of the rules in force on that day. A branch
    owes a month's or quarter's meetings if it had a secretary on its first day
    (docs/reports.md); a running month or quarter is not owed yet, as on the compliance page.
    One query."""
    timeline = MeetingRequirement.objects.timeline(since=first, until=last)
    owed = Counter()
    for year in range(first.year, last.year + 1):
        for period in periods(year, today):
            if period.start < first or period.end > last or period.end >= today:
                continue
            for kind in KINDS:
                rule = _in_force(timeline, kind.value, period)
                if rule is not None and rule.period == period.length:
                    owed[period.start] += rule.minimum
    return dict(sorted(owed.items()))


def _counts(meetings: QuerySet[BranchMeeting], year: int, today: date) -> dict:
    """{(organization id, kind, month): meetings held}: one grouped query."""
    rows = (
        meetings.alive()
        .filter(
            held_on__gte=date(year, 1, 1),
            held_on__lte=min(date(year, 12, 31), today),
        )
        .annotate(month=ExtractMonth("held_on"))
        .values("organization_id", "kind", "month")
        .annotate(held=Count("pk"))
        .order_by()
    )
    return {(r["organization_id"], r["kind"], r["month"]): r["held"] for r in rows}


def _report(organization, year, today, requirements: Timeline, counts) -> ComplianceReport:
    rows = []
    for period in periods(year, today):
        judged = organization.opened_on <= period.start and (  # open the whole period
            organization.closed_on is None or organization.closed_on >= period.end
        )
        cells = []
        for kind in KINDS:
            requirement = _in_force(requirements, kind.value, period)
            counted_by = requirement.period if requirement else RequirementPeriod.MONTH
            if counted_by != period.length:
                cells.append(None)
                continue
            held = sum(counts.get((organization.pk, kind.value, m), 0) for m in period.months)
            required = requirement.minimum if requirement and judged else None
            cells.append(Cell(kind.value, held, required, in_progress=period.end >= today))
        rows.append(Row(period, cells))
    return ComplianceReport(organization, year, KINDS, rows)


def branch_compliance(
    *, user, organization: Organization, year: int, today: date | None = None
) -> ComplianceReport:
    """How well ``organization``'s own party branch kept to the requirements in ``year``.

    Periods after today are left out; the running month and quarter are shown
    but are not gaps yet. An organization outside the user's subtree does not
    exist for them (``Organization.DoesNotExist``). ``today``: Beijing's by default. Three
    queries.
    """
    if not scoped(Organization.objects.filter(pk=organization.pk), user).exists():
        raise Organization.DoesNotExist("No such organization in the user's subtree.")
    today = today or timezone.localdate()
    counts = _counts(BranchMeeting.objects.filter(organization=organization), year, today)
    return _report(organization, year, today, requirements_of_year(year), counts)


def branch_compliance_overview(*, user, year: int, today: date | None = None) -> list[OverviewRow]:
    """Every organization of the user's subtree with a party branch in ``year`` (it held a
    meeting, or had a branch secretary), with its number of gaps: the worst first, then in
    tree order. Three queries, however many organizations."""
    today = today or timezone.localdate()
    first, last = date(year, 1, 1), date(year, 12, 31)
    requirements = requirements_of_year(year)
    counts = _counts(scoped(BranchMeeting.objects.all(), user), year, today)
    secretary = (
        Appointment.objects.alive()
        .filter(
            organization=OuterRef("pk"),
            role=AppointmentRole.BRANCH_SECRETARY,
            started_on__lte=min(last, today),
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
    )
    with_meetings = {organization_id for organization_id, _, _ in counts}
    organizations = (
        scoped(Organization.objects.filter(Q(pk__in=with_meetings) | Q(Exists(secretary))), user)
        .select_related("street")
        .order_by("path")
    )
    held = Counter()
    for (organization_id, _, _), n in counts.items():
        held[organization_id] += n
    overview = [
        OverviewRow(
            organization,
            held[organization.pk],
            _report(organization, year, today, requirements, counts).gaps,
        )
        for organization in organizations
    ]
    overview.sort(key=lambda row: -row.gaps)  # stable: tree order among equals
    return overview


def by_street(overview: list[OverviewRow]) -> list[StreetGroup]:
    """The overview's rows under their streets, the streets in tree order (the district's own
    branch first), each street's rows in the overview's order (the worst first). No query: the
    overview's organizations come with their streets."""
    groups: dict[int | None, list[OverviewRow]] = {}
    for row in overview:
        groups.setdefault(row.organization.street_id, []).append(row)
    found = [StreetGroup(rows[0].street, rows) for rows in groups.values()]
    found.sort(key=lambda group: "" if group.street is None else group.street.path)
    return found

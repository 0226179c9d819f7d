"""Who has not reported (docs/reports.md, Completeness): for a subtree and a period, the
villages and communities that held no event, the party branches that held no 三会一课, the
women's councils that met not once, and
the positions that held fewer events than their kind requires each quarter, by street, so
the district can chase them. Five queries, however large the subtree."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncQuarter
from django.utils import timezone

from apps.councils.models import Council, Meeting
from apps.events.models import Event
from apps.members.choices import AppointmentRole
from apps.members.models import Appointment, BranchMeeting
from apps.organizations.choices import Kind
from apps.organizations.models import Organization, Position
from apps.organizations.scoping import scoped
from apps.reports import periods
from apps.reports.periods import BEIJING, Period
from apps.reports.selectors import reports_database


@dataclass
class StreetGroup:
    """The organizations of one street that did not report, in tree order."""

    street: Organization
    organizations: list[Organization] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.organizations)


@dataclass
class QuarterShort:
    quarter: Period
    held: int
    required: int


@dataclass
class ShortPosition:
    position: Position
    quarters: list[QuarterShort]


@dataclass
class Completeness:
    period: Period
    quarters: list[Period]  # the quarters the positions were judged on
    no_events: list[StreetGroup]
    no_branch_meetings: list[StreetGroup]
    positions_short: list[ShortPosition]
    idle_councils: list[StreetGroup] = field(default_factory=list)  # councils, by street

    @property
    def no_events_count(self) -> int:
        return sum(group.count for group in self.no_events)

    @property
    def no_branch_meetings_count(self) -> int:
        return sum(group.count for group in self.no_branch_meetings)

    @property
    def idle_councils_count(self) -> int:
        return sum(group.count for group in self.idle_councils)


def _open_in(period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}opened_on__lte": period.last}) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gte": period.first})
    )


def _by_street(rows, organization_of=lambda row: row) -> list[StreetGroup]:
    """``rows`` (organizations, or records of one) grouped by their organization's street."""
    groups: dict[int, StreetGroup] = {}
    for row in rows:
        organization = organization_of(row)
        street = organization.street or organization
        groups.setdefault(street.pk, StreetGroup(street)).organizations.append(row)
    return sorted(groups.values(), key=lambda group: group.street.path)


def judged_quarters(period: Period, today: datetime.date) -> list[Period]:
    """The calendar quarters wholly inside the period that have ended by ``today``: a
    position's quarter is judged once it is over, and a month is no quarter."""
    found = []
    for month in period.months():
        if month.month in (1, 4, 7, 10):
            quarter = periods.parse(f"{month.year}-Q{(month.month - 1) // 3 + 1}")
            if (
                quarter.first >= period.first
                and quarter.last <= period.last
                and quarter.last < today
            ):
                found.append(quarter)
    return found


def completeness(
    *,
    user,
    organization: Organization,
    period: Period,
    today: datetime.date | None = None,
    using: str | None = None,
) -> Completeness:
    """Who has not reported in ``organization``'s subtree, read from ``using`` (a replica when
    there is one: ``selectors.reports_database``)."""
    today = today or timezone.localdate()
    using = reports_database(using)
    subtree = Q(path__startswith=organization.path)
    in_period = Q(starts_at__gte=period.starts, starts_at__lt=period.ends)

    held_events = Event.objects.alive().filter(
        in_period, organization__path__startswith=OuterRef("path")
    )
    villages = (
        scoped(Organization.objects.filter(subtree, _open_in(period), kind=Kind.VILLAGE), user)
        .filter(~Exists(held_events))
        .select_related("street")
        .order_by("path")
        .using(using)
    )

    secretary = (
        Appointment.objects.alive()
        .filter(
            organization=OuterRef("pk"),
            role=AppointmentRole.BRANCH_SECRETARY,
            started_on__lte=period.last,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period.first))
    )
    meetings = BranchMeeting.objects.alive().filter(
        organization=OuterRef("pk"), held_on__gte=period.first, held_on__lte=period.last
    )
    branches = (
        scoped(Organization.objects.filter(subtree), user)
        .filter(Exists(secretary), ~Exists(meetings))
        .select_related("street")
        .order_by("path")
        .using(using)
    )

    quarters = judged_quarters(period, today)
    short: list[ShortPosition] = []
    if quarters:
        whole = Period(periods.RANGE, quarters[0].first, quarters[-1].last)
        positions = list(
            scoped(
                Position.objects.filter(
                    _open_in(whole),
                    kind__events_per_quarter__gt=0,
                    organization__path__startswith=organization.path,
                ),
                user,
            )
            .select_related("kind", "organization__street")
            .order_by("organization__path", "kind__sort_order", "name")
            .using(using)
        )
        held = {
            (row["position"], timezone.localtime(row["quarter"], BEIJING).date()): row["n"]
            for row in Event.objects.using(using)
            .alive()
            .filter(
                position__in=[position.pk for position in positions],
                starts_at__gte=whole.starts,
                starts_at__lt=whole.ends,
            )
            .annotate(quarter=TruncQuarter("starts_at", tzinfo=BEIJING))
            .values("position", "quarter")
            .annotate(n=Count("pk"))
            .order_by()
        }
        for position in positions:
            required = position.kind.events_per_quarter
            missed = [
                QuarterShort(quarter, held.get((position.pk, quarter.first), 0), required)
                for quarter in quarters
                if position.opened_on <= quarter.first
                and (position.closed_on is None or position.closed_on >= quarter.last)
                and held.get((position.pk, quarter.first), 0) < required
            ]
            if missed:
                short.append(ShortPosition(position, missed))
    held = Meeting.objects.alive().filter(
        council=OuterRef("pk"), held_on__gte=period.first, held_on__lte=period.last
    )
    councils = (
        scoped(
            Council.objects.alive().filter(
                established_on__lte=period.last,
                organization__path__startswith=organization.path,
            ),
            user,
        )
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=period.first))
        .filter(~Exists(held))
        .select_related("organization__street")
        .order_by("organization__path", "name")
        .using(using)
    )
    return Completeness(
        idle_councils=_by_street(councils, lambda council: council.organization),
        period=period,
        quarters=quarters,
        no_events=_by_street(villages),
        no_branch_meetings=_by_street(branches),
        positions_short=short,
    )

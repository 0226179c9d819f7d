"""Reading councils, meetings and topics, and the councils' figures (docs/councils.md).

Everything starts from ``scoped()``. Figures are computed within the reader's subtree, for a
period of days (inclusive), with the time of asking given as ``now`` where it matters.
"""

import datetime
from dataclasses import dataclass
from statistics import median

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from apps.councils.choices import ADOPTED, CLOSED, OPEN_ASSIGNED, MeetingMode, TopicStatus
from apps.councils.models import (
    Council,
    CouncilMember,
    Meeting,
    MeetingAttendance,
    Topic,
    TopicCategory,
)
from apps.organizations.scoping import scoped


def council_list(*, user) -> QuerySet[Council]:
    return scoped(Council.objects.select_related("organization"), user)


def council_member_list(*, user) -> QuerySet[CouncilMember]:
    return scoped(CouncilMember.objects.select_related("organization", "council", "person"), user)


def meeting_list(*, user) -> QuerySet[Meeting]:
    """Meetings with what a page names, their attendance prefetched (two queries a page)."""
    return scoped(
        Meeting.objects.select_related("organization", "council", "chair", "recorder"), user
    ).prefetch_related(
        Prefetch(
            "attendance",
            queryset=MeetingAttendance.objects.select_related("person").order_by("id"),
        )
    )


def topic_list(*, user) -> QuerySet[Topic]:
    return scoped(
        Topic.objects.select_related(
            "organization",
            "council",
            "meeting",
            "raised_by",
            "category",
            "responsible_organization",
        ),
        user,
    )


def category_list() -> QuerySet[TopicCategory]:
    """The district-wide list: read by everyone, belonging to no organization."""
    return TopicCategory.objects.filter(active=True)


# --- Flags -----------------------------------------------------------------------------------


def overdue_q(today: datetime.date) -> Q:
    """Assigned or in progress, and past the due date on ``today``."""
    return Q(status__in=OPEN_ASSIGNED, due_on__lt=today)


def topic_overdue(*, user, now, organization=None) -> QuerySet[Topic]:
    """Overdue topics, oldest due first. Listed for the council's organization and every one
    above it (its parent included) by the scope; ``organization`` narrows to what it and its
    parent should chase: the topics of its own councils and of its children's."""
    topics = topic_list(user=user).alive().filter(overdue_q(timezone.localdate(now)))
    if organization is not None:
        depth = organization.depth + 1
        topics = topics.filter(
            organization__path__startswith=organization.path, organization__depth__lte=depth
        )
    return topics.order_by("due_on", "id")


def previous_quarter(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The calendar quarter before the one ``today`` is in: its first and last day."""
    first_month = (today.month - 1) // 3 * 3 + 1
    this_quarter = today.replace(month=first_month, day=1)
    last = this_quarter - datetime.timedelta(days=1)
    return last.replace(month=(last.month - 1) // 3 * 3 + 1, day=1), last


def councils_inactive(*, user, now) -> QuerySet[Council]:
    """Councils that sat through the whole previous calendar quarter (established before it
    began, not dissolved before it ended) and held no meeting in it."""
    first, last = previous_quarter(timezone.localdate(now))
    met = Meeting.objects.alive().filter(
        council_id=OuterRef("pk"), held_on__gte=first, held_on__lte=last
    )
    return (
        council_list(user=user)
        .alive()
        .filter(established_on__lte=first)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=last))
        .filter(~Exists(met))
    )


# --- Figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """A council's (or a subtree's) figures for a period; see docs/councils.md for each."""

    meetings_on_site: int
    meetings_online: int
    topics_raised: int
    topics_adopted: int
    topics_resolved: int
    topics_turned_into_results: int
    resolution_rate: float | None  # closed / adopted; None with nothing adopted
    median_days_to_resolve: float | None  # raised → closed, over the closed ones

    @property
    def meetings(self) -> int:
        return self.meetings_on_site + self.meetings_online


def _figures(meetings: QuerySet, topics: QuerySet) -> Figures:
    held = meetings.aggregate(
        on_site=Count("id", filter=Q(mode=MeetingMode.ON_SITE)),
        online=Count("id", filter=Q(mode=MeetingMode.ONLINE)),
    )
    counts = topics.aggregate(
        raised=Count("id"),
        adopted=Count("id", filter=Q(status__in=ADOPTED)),
        resolved=Count("id", filter=Q(status=TopicStatus.RESOLVED)),
        turned=Count("id", filter=Q(status=TopicStatus.TURNED_INTO_RESULT)),
    )
    days = [
        (closed - raised).days
        for raised, closed in topics.filter(status__in=CLOSED, closed_on__isnull=False)
        .order_by()
        .values_list("raised_on", "closed_on")
    ]
    closed = counts["resolved"] + counts["turned"]
    return Figures(
        meetings_on_site=held["on_site"],
        meetings_online=held["online"],
        topics_raised=counts["raised"],
        topics_adopted=counts["adopted"],
        topics_resolved=counts["resolved"],
        topics_turned_into_results=counts["turned"],
        resolution_rate=round(closed / counts["adopted"], 4) if counts["adopted"] else None,
        median_days_to_resolve=float(median(days)) if days else None,
    )


def council_figures(
    *,
    user,
    start: datetime.date,
    end: datetime.date,
    organization=None,
    council: Council | None = None,
) -> Figures:
    """Figures of the meetings held and the topics raised from ``start`` to ``end``
    (inclusive): of one council, or of ``organization``'s subtree (the reader's whole subtree
    when neither is given). A topic counts in the period it was raised in, with the status it
    has now: adopted, resolved, turned into a result."""
    meetings = meeting_list(user=user).alive().filter(held_on__gte=start, held_on__lte=end)
    topics = topic_list(user=user).alive().filter(raised_on__gte=start, raised_on__lte=end)
    if council is not None:
        meetings, topics = meetings.filter(council=council), topics.filter(council=council)
    if organization is not None:
        meetings = meetings.filter(organization__path__startswith=organization.path)
        topics = topics.filter(organization__path__startswith=organization.path)
    return _figures(meetings.prefetch_related(None), topics)

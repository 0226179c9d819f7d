"""Reading events, campaigns, funds and the lists they are counted by.

Everything starts from ``scoped()``; campaigns and the lists may also be an ancestor's
(``with_ancestors()``, docs/scoping.md, exception one), and every figure about a campaign (who
has reported, the totals) is computed within the reader's own subtree (docs/events.md).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from apps.core.actors import SYSTEM
from apps.events.models import (
    Campaign,
    Event,
    EventCategory,
    EventMonth,
    EventParticipant,
    Fund,
    LineOfWork,
)
from apps.organizations.choices import Kind
from apps.organizations.models import Organization
from apps.organizations.scoping import scoped, with_ancestors


def published_readable(queryset: QuerySet, user) -> QuerySet:
    """A published list's rows the reader may read: its subtree's and its ancestors' (exception
    one), and the rows the system started with, which belong to no organization and serve the
    whole district. An inactive or anonymous account reads none."""
    if user is not SYSTEM and (user is None or not user.is_authenticated or not user.is_active):
        return queryset.none()
    readable = with_ancestors(queryset, user)
    if user is SYSTEM:
        return readable
    return queryset.filter(Q(pk__in=readable.values("pk")) | Q(organization__isnull=True))


def line_list(*, user) -> QuerySet[LineOfWork]:
    return published_readable(LineOfWork.objects.select_related("organization"), user)


def category_list(*, user) -> QuerySet[EventCategory]:
    return published_readable(EventCategory.objects.select_related("organization", "line"), user)


def event_list(*, user) -> QuerySet[Event]:
    """The events of the caller's subtree, with what a page names (one query)."""
    return scoped(
        Event.objects.select_related("organization", "line", "category", "campaign", "position"),
        user,
    )


def participant_list(*, user) -> QuerySet[EventParticipant]:
    """The participant lists of the caller's subtree's events, with the people they name."""
    return scoped(EventParticipant.objects.select_related("organization", "event", "member"), user)


def campaign_readable(*, user) -> QuerySet[Campaign]:
    """The caller's subtree's campaigns and its ancestors' (read-only: exception one)."""
    return with_ancestors(Campaign.objects.select_related("organization"), user)


def fund_list(*, user) -> QuerySet[Fund]:
    return scoped(Fund.objects.select_related("organization", "campaign", "event"), user)


# --- Figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    events: int
    participants: int
    people_reached: int
    volunteers: int
    spent: Decimal


# Totals are exact up to this many events, as a list's count is (docs/api.md, Lists): above
# it the admin asks for a narrower list (a street, a village, a range of days) instead of
# reading the whole district's events on every page.
TOTALS_CAP = 10_000


def event_months(*, user) -> QuerySet[EventMonth]:
    """The caller's subtree's events by month (docs/events.md, Rollups): the months that hold
    events."""
    return scoped(EventMonth.objects.filter(held__gt=0), user)


def month_totals(months: QuerySet[EventMonth]) -> Totals:
    """The totals of whole months of events, from their rollup (already scoped and filtered by
    the caller): one query, however many events the months hold."""
    return Totals(
        **months.aggregate(
            events=Coalesce(Sum("held"), 0),
            participants=Coalesce(Sum("participants"), 0),
            people_reached=Coalesce(Sum("people_reached"), 0),
            volunteers=Coalesce(Sum("volunteers"), 0),
            spent=Coalesce(Sum("spent"), Decimal("0.00")),
        )
    )


def event_totals(events: QuerySet[Event], *, cap: int | None = TOTALS_CAP) -> Totals | None:
    """The totals of a list of events (already scoped and filtered by the caller): one query
    that reads at most ``cap`` + 1 rows; None when there are more than ``cap``."""
    rows = events.order_by() if cap is None else events.order_by()[: cap + 1]
    figures = rows.aggregate(
        events=Count("*"),
        participants=Coalesce(Sum("participants"), 0),
        people_reached=Coalesce(Sum("people_reached"), 0),
        volunteers=Coalesce(Sum("volunteers"), 0),
        spent=Coalesce(Sum("spent"), Decimal("0.00")),
    )
    if cap is not None and figures["events"] > cap:
        return None
    return Totals(**figures)


@dataclass(frozen=True)
class CampaignRow:
    organization: Organization
    events: int
    participants: int
    people_reached: int
    spent: Decimal

    @property
    def reported(self) -> bool:
        return self.events > 0


@dataclass(frozen=True)
class CampaignReport:
    campaign: Campaign
    rows: list[CampaignRow]
    totals: Totals

    @property
    def reported(self) -> list[CampaignRow]:
        return [row for row in self.rows if row.reported]

    @property
    def not_reported(self) -> list[CampaignRow]:
        return [row for row in self.rows if not row.reported]


def campaign_report(*, user, campaign: Campaign) -> CampaignReport:
    """Who has reported events to ``campaign`` and who has not, and the totals: within the
    reader's own subtree, never over the campaign's whole one (a village reading the district's
    campaign sees its own part). Rows: every village the campaign covers in that subtree, and
    every other organization that reported. Three queries, however many organizations.

    ``campaign`` must be readable to ``user`` (``campaign_readable``).
    """
    events = scoped(Event.objects.alive().filter(campaign=campaign), user)
    grouped = {
        row["organization_id"]: row
        for row in events.order_by()
        .values("organization_id")
        .annotate(
            n=Count("pk"),
            participants=Coalesce(Sum("participants"), 0),
            people_reached=Coalesce(Sum("people_reached"), 0),
            spent=Coalesce(Sum("spent"), Decimal("0.00")),
        )
    }
    covered = Organization.objects.filter(path__startswith=campaign.organization.path)
    organizations = scoped(
        covered.filter(Q(kind=Kind.VILLAGE) | Q(pk__in=list(grouped))), user
    ).order_by("path")
    rows = []
    for organization in organizations:
        figures = grouped.get(organization.pk)
        rows.append(
            CampaignRow(
                organization,
                events=figures["n"] if figures else 0,
                participants=figures["participants"] if figures else 0,
                people_reached=figures["people_reached"] if figures else 0,
                spent=figures["spent"] if figures else Decimal("0.00"),
            )
        )
    return CampaignReport(campaign, rows, event_totals(events, cap=None))

"""Reading stations and their staff, and the coverage of villages and communities.

Coverage (docs/rights.md, Coverage) is one query whatever the tree's size: the open villages
of the subtree, each with whether a station or post (``COVERING_KINDS``) of its own or of an
organization below it is open on the day, as an ``EXISTS`` on the stations' index.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.organizations.choices import Kind
from apps.organizations.models import Organization
from apps.organizations.scoping import scoped
from apps.rights.choices import COVERING_KINDS
from apps.rights.models import Station, StationStaff


def station_list(*, user) -> QuerySet[Station]:
    """The stations of the caller's subtree, deleted ones included (the filters leave them
    out), with their organization."""
    return scoped(Station.objects.select_related("organization"), user)


def station_staff_list(*, user) -> QuerySet[StationStaff]:
    """The staff of the subtree's stations, with their person, station and organization."""
    return scoped(
        StationStaff.objects.select_related("organization", "station", "member"),
        user,
    )


def open_on(day: date) -> Q:
    """Records (stations, organizations) open on ``day``: opened by then, not closed before.
    The closing day is the last open day, as ``Station.is_open_on`` says."""
    return Q(opened_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gte=day))


@dataclass(frozen=True)
class Coverage:
    """How many of the subtree's open villages and communities have an open station or post on
    ``on``; ``without`` lists the others, in tree order."""

    on: date
    organization: Organization | None
    villages: int
    covered: int
    without: list[Organization] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        """``covered / villages`` to four places; None where there is no village."""
        return round(self.covered / self.villages, 4) if self.villages else None

    @property
    def percent(self) -> str:
        return "—" if self.share is None else f"{self.share * 100:.1f}%"


def coverage(*, user, organization: Organization | None = None, on: date | None = None) -> Coverage:
    """Coverage of ``organization``'s subtree (the caller's whole subtree if None; an
    organization outside it counts nothing) on ``on`` (today in Beijing if None). One query."""
    on = on or timezone.localdate()
    villages = scoped(Organization.objects.filter(open_on(on), kind=Kind.VILLAGE), user)
    if organization is not None:
        villages = villages.filter(path__startswith=organization.path)
    covering = Station.objects.alive().filter(
        open_on(on),
        kind__in=list(COVERING_KINDS),
        organization__path__startswith=OuterRef("path"),
    )
    rows = list(
        villages.annotate(covered=Exists(covering))
        .only("id", "name", "path", "kind", "street_id")
        .order_by("path")
    )
    without = [village for village in rows if not village.covered]
    return Coverage(
        on=on,
        organization=organization,
        villages=len(rows),
        covered=len(rows) - len(without),
        without=without,
    )

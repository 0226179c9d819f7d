"""The demo's rights-protection stations (docs/rights.md): the district's legal service center
with its case worker, a station or post in every village opening through the demo's first year
(so coverage grows month by month and reaches every village by its end), a few collection
points, a few stations closed and opened again, and mediators from the villages' people."""

from datetime import date, timedelta
from random import Random

from simple_history.utils import bulk_create_with_history

from apps.core.actors import SYSTEM
from apps.demo.names import GIVEN, SURNAMES
from apps.demo.organizations import Tree
from apps.members.models import Member
from apps.members.services import people as member_services
from apps.organizations import services as organization_services
from apps.organizations.choices import Kind, Sector
from apps.organizations.models import Organization
from apps.rights.choices import StaffRole, StationKind
from apps.rights.models import Station, StationStaff
from apps.rights.services import stations as services

REOPENED = 3  # stations closed last year and opened again a few weeks later
COLLECTION_POINTS = 4  # at the first streets' offices


def first_year(today: date) -> int:
    """The demo's records run from two calendar years before this one (apps/demo/branch.py)."""
    return today.year - 2


def build_legal_center(today: date, tree: Tree) -> Organization:
    """The district's women and children's legal service center: a committee of its own under
    the district (docs/scoping.md), made once. It is one of the tree's committees, led as they
    are (apps/demo/members.py)."""
    district = tree.district
    code = f"{district.code}FL01"
    center = Organization.objects.filter(code=code).first() or _center_create(today, tree, code)
    tree.committees.append(center)
    return center


def _center_create(today: date, tree: Tree, code: str) -> Organization:
    district = tree.district
    return organization_services.organization_create(
        parent=district,
        kind=Kind.COMMITTEE,
        code=code,
        name=f"{district.name.removesuffix('妇联')}妇女儿童法律服务中心",
        sector=Sector.ORGAN,
        opened_on=date(first_year(today) - 1, 3, 8),
    )


def _name(rng: Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def _phone(rng: Random) -> str:
    return f"139{rng.randint(0, 99_999_999):08d}"


def _day_in(rng: Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def build_stations(rng: Random, today: date, tree: Tree, legal_center: Organization) -> int:
    """The stations and their staff, made once; returns how many stations were added.

    Each row is checked by the services' own rules (``check_station``,
    ``check_station_staff``), then the rows are bulk-created with their history, as the
    demo's meetings are: made one by one they took a third of the demo's time."""
    if Station.objects.filter(organization__path__startswith=tree.district.path).exists():
        return 0
    year = first_year(today)
    people = _people_by_village(tree)
    _legal_center_station(rng, year, legal_center)
    made: list[tuple[Station, list[StationStaff]]] = []
    opened = []
    for village in tree.villages:
        kind = StationKind.STATION if rng.random() < 0.7 else StationKind.POST
        opened_on = _day_in(rng, date(year, 1, 1), date(year, 12, 31))
        if village.closed_on is not None and village.closed_on < opened_on:
            continue
        station, staff = _station(rng, village, kind, opened_on, people.get(village.pk, []))
        made.append((station, staff))
        if village.closed_on is not None:  # dissolved since: its station closed that day
            _close(station, staff, village.closed_on)
        else:
            opened.append((village, station, staff))
    last_year = date(year + 1, 1, 1), date(year + 1, 10, 31)
    for village, station, staff in rng.sample(opened, REOPENED):
        closed_on = _day_in(rng, *last_year)
        _close(station, staff, closed_on)
        again = closed_on + timedelta(days=rng.randint(20, 60))
        kind = StationKind.POST if station.kind == StationKind.STATION else StationKind.STATION
        made.append(_station(rng, village, kind, again, people.get(village.pk, [])))
    for street in tree.streets[:COLLECTION_POINTS]:
        place = street.name.removesuffix("妇联")
        point = Station(
            organization=street,
            kind=StationKind.COLLECTION_POINT,
            name=f"{place}信息收集点",
            opened_on=_day_in(rng, date(year, 1, 1), date(year, 6, 30)),
            address=f"{place}党群服务中心",
        )
        made.append((point, []))
    for station, staff in made:
        services.check_station(station)
        for row in staff:
            services.check_station_staff(row)
    stations = [station for station, _ in made]
    bulk_create_with_history(stations, Station)
    for station, staff in made:
        for row in staff:
            row.station = station  # its id, now that it has one
    bulk_create_with_history([row for _, staff in made for row in staff], StationStaff)
    return len(stations) + 1


def _people_by_village(tree: Tree) -> dict[int, list[Member]]:
    """The living people of every village, by village, in one query."""
    people: dict[int, list[Member]] = {}
    rows = (
        Member.objects.alive()
        .filter(organization__path__startswith=tree.district.path)
        .filter(organization__kind=Kind.VILLAGE)
        .select_related("organization")
        .order_by("pk")
    )
    for person in rows:
        people.setdefault(person.organization_id, []).append(person)
    return people


def _station(rng, village, kind, opened_on, people) -> tuple[Station, list[StationStaff]]:
    """A station or post of the village with one or two mediators of its people (unsaved)."""
    place = village.name.removesuffix("妇联")
    label = "维权服务站" if kind == StationKind.STATION else "维权服务岗"
    mediators = rng.sample(people, min(len(people), rng.choice([1, 2])))
    station = Station(
        organization=village,
        kind=kind,
        name=f"{place}{label}",
        opened_on=opened_on,
        contact=mediators[0].name if mediators else "",
        phone=_phone(rng),
        address=f"{place}村委会",
    )
    staff = [
        StationStaff(
            organization=village,
            station=station,
            member=person,
            role=StaffRole.MEDIATOR,
            started_on=opened_on,
        )
        for person in mediators
    ]
    return station, staff


def _close(station: Station, staff: list[StationStaff], closed_on: date) -> None:
    """Closed on ``closed_on``: its staff's terms end that day (as ``station_close`` does)."""
    station.closed_on = closed_on
    for row in staff:
        row.ended_on = closed_on


def _legal_center_station(rng: Random, year: int, center: Organization) -> None:
    """The center's own station, with its case worker and a lawyer on duty (people of the
    center's list)."""
    opened_on = date(year, 1, 1)
    station = services.station_create(
        by=SYSTEM,
        organization=center,
        kind=StationKind.LEGAL_CENTER,
        name=center.name,
        opened_on=opened_on,
        contact=_name(rng),
        phone=_phone(rng),
        address=f"{center.parent.name.removesuffix('妇联')}人民路1号",
    )
    for role in (StaffRole.CASE_WORKER, StaffRole.LAWYER):
        person = member_services.member_create(
            by=SYSTEM, organization=center, name=_name(rng), gender="female", phone=_phone(rng)
        )
        services.station_staff_add(
            by=SYSTEM, station=station, member=person, role=role, started_on=opened_on
        )

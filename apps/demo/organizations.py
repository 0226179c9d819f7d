"""The demo district's tree, positions and titles."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random

from apps.demo.names import COMMUNITY_SUFFIXES, DISTRICT, PLACE_STEMS, STREETS
from apps.organizations import services
from apps.organizations.choices import Kind, Level, Sector, TitleStatus
from apps.organizations.models import (
    Organization,
    Position,
    PositionKind,
    Title,
    TitleKind,
    pinyin_key,
)

VILLAGES_PER_STREET = (17, 23)


@dataclass
class Tree:
    district: Organization
    streets: list[Organization] = field(default_factory=list)
    villages: list[Organization] = field(default_factory=list)
    committees: list[Organization] = field(default_factory=list)


def _get_or_create(*, code: str, **fields) -> Organization:
    existing = Organization.objects.filter(code=code).first()
    return existing or services.organization_create(code=code, **fields)


def build_tree(rng: Random, today: date) -> Tree:
    """About 15 streets and 300 villages/communities, siblings added in pinyin order."""
    founded = date(1988, 3, 8)
    name, code = DISTRICT
    tree = Tree(
        _get_or_create(parent=None, kind=Kind.DISTRICT, code=code, name=name, opened_on=founded)
    )
    stems = list(PLACE_STEMS)
    rng.shuffle(stems)
    used: set[str] = set()
    plans = []
    for number, (street_name, village_word) in enumerate(STREETS, start=1):
        count = rng.randint(*VILLAGES_PER_STREET)
        villages = []
        while len(villages) < count:
            stem = stems[len(used) % len(stems)]
            suffix = rng.choice(COMMUNITY_SUFFIXES) if village_word == "社区" else ""
            village = f"{stem}{suffix}{village_word}"
            if village in used:
                village = f"{stem}{rng.choice('东西南北上下')}{village_word}"
            if village in used:
                continue
            used.add(village)
            villages.append(village)
        plans.append((number, street_name, villages))
    for number, street_name, villages in plans:
        street = _get_or_create(
            parent=tree.district,
            kind=Kind.STREET,
            code=f"{code}{number:03d}",
            name=f"{street_name}妇联",
            opened_on=founded,
        )
        tree.streets.append(street)
        for index, village in enumerate(sorted(villages, key=pinyin_key), start=1):
            tree.villages.append(
                _get_or_create(
                    parent=street,
                    kind=Kind.VILLAGE,
                    code=f"{street.code}{index:03d}",
                    name=f"{village}妇联",
                    opened_on=date(rng.choice([1998, 2003, 2008, 2012]), 1, 1),
                )
            )
    # One village merged into its neighbour this year: dissolved, kept in history.
    index = rng.randrange(len(tree.villages))
    if tree.villages[index].closed_on is None:
        tree.villages[index] = services.organization_update(
            organization=tree.villages[index], closed_on=today - timedelta(days=200)
        )
    committees = [
        (tree.district, "区级机关妇委会", Sector.ORGAN),
        (tree.streets[0], "云溪纺织集团妇委会", Sector.ENTERPRISE),
        (tree.streets[1], "东湖快递物流行业妇委会", Sector.NEW_ECONOMY),
        (tree.streets[2], "西城网络主播妇委会", Sector.NEW_ECONOMY),
        (tree.streets[7], "梅林茶业合作社妇委会", Sector.ENTERPRISE),
    ]
    for number, (parent, name, sector) in enumerate(committees, start=1):
        tree.committees.append(
            _get_or_create(
                parent=parent,
                kind=Kind.COMMITTEE,
                code=f"{parent.code}W{number:02d}",
                name=name,
                sector=sector,
                opened_on=today - timedelta(days=rng.randint(400, 2000)),
            )
        )
    return tree


def build_positions(rng: Random, today: date, tree: Tree) -> None:
    """Women's homes nearly everywhere; micro-homes, stations and classrooms in some villages."""
    kinds = {kind.code: kind for kind in PositionKind.objects.all()}
    start = today - timedelta(days=730)
    plan = [
        ("womens_home", 0.95, "妇女之家"),
        ("party_micro_home", 0.12, "妇女党建微家"),
        ("mobile_classroom", 0.08, "小马扎巾帼流动课堂"),
        ("housekeeping_station", 0.04, "巾帼家政服务站"),
        ("family_service_center", 0.02, "家庭服务中心"),
    ]
    existing = set(Position.objects.values_list("organization_id", "kind__code"))
    new = []
    for village in tree.villages:
        place = village.name.removesuffix("妇联")
        for code, share, label in plan:
            if rng.random() >= share:
                continue
            opened = (
                start + timedelta(days=rng.randint(0, 700))
                if code != "womens_home"
                else date(rng.choice([2015, 2017, 2019, 2021]), 3, 8)
            )
            if (village.pk, code) not in existing:
                new.append(
                    Position(
                        organization=village,
                        kind=kinds[code],
                        name=f"{place}{label}",
                        opened_on=opened,
                        address=f"{place}村委会",
                    )
                )
    Position.objects.bulk_create(new)


def build_titles(rng: Random, today: date, tree: Tree) -> None:
    """Titles of every level and status over the last two years, as the report counts them."""
    kinds = {kind.code: kind for kind in TitleKind.objects.all()}
    positions = list(
        Position.objects.filter(organization__path__startswith=tree.district.path)
        .select_related("kind", "organization")
        .order_by("pk")
    )
    by_kind = {}
    for position in positions:
        by_kind.setdefault(position.kind.code, []).append(position)
    years = [today.year - 1, today.year]
    plan = [
        ("mobile_classroom_demo", "mobile_classroom", Level.CITY, 4),
        ("micro_home_demo", "party_micro_home", Level.DISTRICT, 8),
        ("housekeeping_demo_station", "housekeeping_station", Level.PROVINCIAL, 3),
        ("womens_home_demo", "womens_home", Level.DISTRICT, 12),
        ("womens_home_demo", "womens_home", Level.CITY, 3),
    ]
    existing = Title.objects.filter(organization__path__startswith=tree.district.path).exists()
    if existing:
        return
    titles = []
    for year in years:
        for title_code, position_code, level, count in plan:
            candidates = by_kind.get(position_code, [])
            for position in rng.sample(candidates, min(count, len(candidates))):
                status = rng.choices(
                    [TitleStatus.AWARDED, TitleStatus.APPLIED, TitleStatus.REVOKED], [6, 3, 1]
                )[0]
                titles.append(
                    Title(
                        organization=position.organization,
                        position=position,
                        kind=kinds[title_code],
                        level=level,
                        year=year,
                        status=status,
                    )
                )
        village = rng.choice(tree.villages)
        titles.append(
            Title(
                organization=village,
                kind=kinds["common_prosperity_village"],
                level=Level.CITY,
                year=year,
                status=TitleStatus.AWARDED if year < today.year else TitleStatus.APPLIED,
            )
        )
    Title.objects.bulk_create(titles)

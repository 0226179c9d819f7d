"""Demo people: a handful per village — leaders, volunteers, residents — with valid numbers."""

from datetime import date, timedelta
from random import Random

from simple_history.utils import bulk_create_with_history

from apps.core.identity import check_character
from apps.demo.names import GIVEN, SURNAMES
from apps.demo.organizations import Tree
from apps.members.choices import AppointmentRole, Education, PoliticalStatus
from apps.members.models import Appointment, Member
from apps.organizations.models import Organization, pinyin_key

REGION = "330299"  # the fictional district's own code (Zhejiang's 33 makes it a valid province)
PEOPLE_PER_VILLAGE = (6, 12)
OCCUPATIONS = [
    "村干部",
    "社区工作者",
    "个体工商户",
    "农民",
    "教师",
    "家政服务员",
    "快递员",
    "网约车司机",
    "退休",
    "企业职工",
    "医生",
    "",
]
POLITICAL = [
    (PoliticalStatus.PARTY_MEMBER, 30),
    (PoliticalStatus.PROBATIONARY_MEMBER, 2),
    (PoliticalStatus.LEAGUE_MEMBER, 8),
    (PoliticalStatus.MASSES, 58),
    (PoliticalStatus.DEMOCRATIC_PARTY, 1),
    (PoliticalStatus.NON_PARTY, 1),
]
EDUCATION = [
    (Education.PRIMARY, 8),
    (Education.JUNIOR_HIGH, 30),
    (Education.SENIOR_HIGH, 27),
    (Education.JUNIOR_COLLEGE, 18),
    (Education.BACHELOR, 15),
    (Education.MASTER, 2),
]
MOBILE_PREFIXES = [
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "158",
    "159",
    "187",
    "189",
]


def _weighted(rng: Random, table):
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


def _id_number(born: date, gender: str, sequence: int) -> str:
    order = (sequence % 500) * 2 + (1 if gender == "male" else 0)
    first17 = f"{REGION}{born:%Y%m%d}{order:03d}"
    return first17 + check_character(first17)


def build_members(rng: Random, today: date, tree: Tree) -> int:
    """People for every open village, made once; returns how many were added this run."""
    if Member.objects.filter(organization__path__startswith=tree.district.path).exists():
        return 0
    on_file = set(Member.objects.exclude(id_number="").values_list("id_number", flat=True))
    new = []
    sequence = 0
    for village in tree.villages:
        if not village.is_open:
            continue
        place = village.name.removesuffix("妇联")
        for _ in range(rng.randint(*PEOPLE_PER_VILLAGE)):
            sequence += 1
            gender = "male" if rng.random() < 0.06 else "female"
            born = date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 52))
            name = rng.choice(SURNAMES) + "".join(
                rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2]))
            )
            id_number = _id_number(born, gender, sequence)
            phone = f"+86{rng.choice(MOBILE_PREFIXES)}{rng.randint(0, 99_999_999):08d}"
            if id_number in on_file:
                continue
            on_file.add(id_number)
            new.append(
                Member(
                    organization=village,
                    name=name,
                    name_pinyin=pinyin_key(name),
                    gender=gender,
                    birth_date=born,
                    id_number=id_number if rng.random() < 0.9 else "",
                    phone=phone if rng.random() < 0.95 else "",
                    political_status=_weighted(rng, POLITICAL),
                    education=_weighted(rng, EDUCATION),
                    occupation=rng.choice(OCCUPATIONS),
                    address=f"{place}{rng.randint(1, 120)}号",
                )
            )
    new += _entered_twice(rng, new, tree)
    bulk_create_with_history(new, Member, batch_size=1000)
    return len(new)


def _entered_twice(rng: Random, people: list[Member], tree: Tree, pairs: int = 8) -> list[Member]:
    """A few people entered again by a neighbouring village, without the ID number, as
    happens when two spreadsheets meet: staff find them among the likely duplicates."""
    villages_by_street: dict[int, list] = {}
    for village in tree.villages:
        if village.is_open:
            villages_by_street.setdefault(village.parent_id, []).append(village)
    copies = []
    for person in rng.sample([p for p in people if p.phone], pairs):
        neighbours = [
            v for v in villages_by_street[person.organization.parent_id] if v != person.organization
        ]
        copy = Member(
            organization=rng.choice(neighbours),
            name=person.name,
            name_pinyin=person.name_pinyin,
            gender=person.gender,
            birth_date=person.birth_date,
            phone=person.phone,
            political_status=person.political_status,
        )
        copies.append(copy)
    return copies


def build_appointments(rng: Random, today: date, tree: Tree) -> int:
    """Each open village's leadership and volunteers (some with a former chair), and the chair,
    vice-chairs and executives of every street, committee and the district; no term starts
    after ``today``.

    Terms follow the five-year cycle of village elections (2021, 2026 …): the
    latest election before today; a chair's predecessor left the day before
    she started. Made once.
    """
    if Appointment.objects.filter(organization__path__startswith=tree.district.path).exists():
        return 0
    people_by_village: dict[int, list[Member]] = {}
    for person in Member.objects.alive().order_by("pk"):
        people_by_village.setdefault(person.organization_id, []).append(person)
    election = date(today.year - (today.year - 2021) % 5, 3, 8)
    if election > today:
        election = election.replace(year=election.year - 5)
    days_since = (today - election).days
    new = []

    def term(member, organization, role, started_on, ended_on=None):
        new.append(
            Appointment(
                member=member,
                organization=organization,
                role=role,
                started_on=started_on,
                ended_on=ended_on,
            )
        )

    for village in tree.villages:
        people = list(people_by_village.get(village.pk, []))
        if not village.is_open or len(people) < 4:
            continue
        rng.shuffle(people)
        chair, vice, *rest = people
        started = election + timedelta(days=rng.randint(0, min(60, days_since)))
        term(chair, village, AppointmentRole.CHAIR, started)
        term(vice, village, AppointmentRole.VICE_CHAIR, started)
        if rng.random() < 0.25:  # the chair changed mid-term
            term(
                vice, village, AppointmentRole.CHAIR, date(2016, 3, 8), started - timedelta(days=1)
            )
        for person in rest[: rng.randint(2, 5)]:
            term(person, village, AppointmentRole.EXECUTIVE, started)
        for person in rest[-rng.randint(1, 4) :]:  # volunteers joined since, never after today
            joined = started + timedelta(rng.randint(0, max(0, (today - started).days)))
            term(person, village, AppointmentRole.VOLUNTEER, joined)
        if rest and rng.random() < 0.6:
            term(rng.choice(rest), village, AppointmentRole.MEDIATOR, started)
    # Every street, committee and the district has its chair, vice-chairs and executives, people
    # of its own villages (a street's federation is led by women of its villages), elected with
    # the villages; the district's congress met a few months later.
    taken = {appointment.member_id for appointment in new}
    upper = [*tree.streets, *tree.committees, tree.district]
    for organization in upper:
        # a committee has no villages of its own: its women come from its street's villages
        area = (
            organization.path
            if organization.numchild
            else organization.path[: -Organization.steplen]
        )
        inside = [
            person
            for village in tree.villages
            if village.path.startswith(area)
            for person in people_by_village.get(village.pk, [])
            if person.pk not in taken
        ]
        if len(inside) < 3:
            continue
        leaders = rng.sample(inside, min(len(inside), rng.randint(4, 7)))
        taken.update(person.pk for person in leaders)
        started = election + timedelta(
            days=min(days_since, 120 if organization is tree.district else 30)
        )
        chair, *others = leaders
        term(chair, organization, AppointmentRole.CHAIR, started)
        for index, person in enumerate(others):
            role = AppointmentRole.VICE_CHAIR if index < 2 else AppointmentRole.EXECUTIVE
            term(person, organization, role, started)
    bulk_create_with_history(new, Appointment, batch_size=1000)
    return len(new)

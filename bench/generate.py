"""The benchmark's data: the demo district grown to district scale.

``ensure(people=200_000, attendance=500_000)`` loads the demo district (``manage.py load_demo``)
and adds people and party-branch meetings with attendance until ``members_member`` holds that
many people and ``members_branchattendance`` that many rows. A second run counts them, finds them
there and adds nothing.

- People go to the open villages (and a few to the women's committees), each village's share
  drawn once, so villages differ in size as they do; names, numbers, parties and schooling are
  drawn as the demo draws them (apps/demo/members.py), with valid ID numbers of a region code of
  their own. About 0.3% are entered a second time by a neighbouring village without the ID
  number, for the duplicates page. ``updated_at`` is spread over three years, as a sync reads it.
- Open villages without a party branch get one, in a random order, until their meetings hold
  the total at about 15 a meeting: the branch is the village's party members (up to 80),
  meeting on the demo's plan (apps/demo/branch.py) this year and the two before, each
  meeting's attendance drawn around the size that reaches the total exactly.
- Written with COPY in one transaction: what it adds is all there or not at all. The rows it
  adds have **no history rows** (simple-history's tables keep only the demo's): no measurement
  reads the history of these people, and writing it would double the time this takes.
"""

import itertools
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from io import StringIO
from random import Random

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from apps.core.identity import check_character
from apps.demo.branch import LEAVE_REASONS, TOPICS, _plan
from apps.demo.members import EDUCATION, MOBILE_PREFIXES, OCCUPATIONS, POLITICAL, _weighted
from apps.demo.names import GIVEN, SURNAMES
from apps.members.choices import AttendanceStatus, BranchMeetingKind, Gender, PoliticalStatus
from apps.members.models import BranchAttendance, BranchMeeting, Member
from apps.organizations.choices import Kind
from apps.organizations.models import Organization, pinyin_key
from bench.rows import copy_rows, reserve_ids, row_of

PEOPLE, ATTENDANCE = 200_000, 500_000
SEED = 20260309
REGION = "330298"  # the generated people's own: never an ID number the demo or an import uses
TWICE = 0.003  # share of people entered again by a neighbouring village
PARTY = {PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY_MEMBER}
SPREAD = timedelta(days=3 * 365)  # how far back rows were made and changed
MONTH = timedelta(days=30)  # how long after the first entry a person is entered again
ROSTER_MAX = 80  # the party members of a village branch who attend its meetings
AVERAGE_ATTENDANCE = 15  # new branches are added until meetings of this size seat the total
BATCH = 50_000  # rows handed to COPY between progress lines

Say = Callable[[str], None]


def sizes() -> dict[str, int]:
    return {
        "people (members_member)": Member.objects.count(),
        "party branch meetings": BranchMeeting.objects.count(),
        "attendance rows (members_branchattendance)": BranchAttendance.objects.count(),
        "organizations": Organization.objects.count(),
        "open villages": Organization.objects.filter(kind=Kind.VILLAGE, closed_on=None).count(),
    }


def ensure(
    *, people: int = PEOPLE, attendance: int = ATTENDANCE, demo: bool = True, say: Say = print
) -> None:
    """Grow the database to ``people`` people and ``attendance`` attendance rows (once).

    ``demo=False`` grows whatever tree is there without loading the demo (the bench's test).
    """
    have = (Member.objects.count(), BranchAttendance.objects.count())
    if have == (people, attendance):
        say("bench: the generated data is already there")
        analyze(Organization, Member, BranchMeeting, BranchAttendance)
        return
    if have[0] > people or have[1] > attendance:
        raise ValueError(
            f"the database holds {have[0]:,} people and {have[1]:,} attendance rows, more than "
            "asked: generate it again with --fresh"
        )
    if demo:
        say("bench: loading the demo district …")
        call_command("load_demo", stdout=StringIO())
    rng = Random(SEED)  # noqa: S311 - made-up people, the same every run
    now = timezone.now()
    with transaction.atomic():
        add_people(rng, people - Member.objects.count(), now=now, say=say)
        add_attendance(rng, attendance - BranchAttendance.objects.count(), now=now, say=say)
    analyze(Organization, Member, BranchMeeting, BranchAttendance)
    say("bench: " + ", ".join(f"{name} {count:,}" for name, count in sizes().items()))


def analyze(*models) -> None:
    """Planner statistics, as autovacuum would leave them before anyone measured: of the whole
    database (with a visibility map), or of ``models`` inside a transaction (the bench's test).
    Without them the tree load_demo has just made reads as one row, and every plan is off."""
    with connection.cursor() as cursor:
        if not connection.in_atomic_block:
            cursor.execute("VACUUM ANALYZE")
            return
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
        cursor.execute(f"ANALYZE {tables}")


# --- People ---------------------------------------------------------------------------------


class IdNumbers:
    """Valid, distinct ID numbers of one region code: a counter per birth date and gender."""

    def __init__(self, region: str):
        self.region = region
        self.used: dict[tuple[date, str], int] = defaultdict(int)
        on_file = Member.objects.filter(id_number__startswith=region).values_list("id_number")
        for (number,) in on_file:  # an earlier run's: carry on after them
            born, order = datetime.strptime(number[6:14], "%Y%m%d").date(), int(number[14:17])
            key = (born, Gender.MALE if order % 2 else Gender.FEMALE)
            self.used[key] = max(self.used[key], order // 2 + 1)

    def next(self, born: date, gender: str) -> str:
        count = self.used[born, gender]
        self.used[born, gender] += 1
        if count >= 500:
            raise ValueError(f"more than 500 people of one gender born on {born}")
        order = count * 2 + (1 if gender == Gender.MALE else 0)
        first17 = f"{self.region}{born:%Y%m%d}{order:03d}"
        return first17 + check_character(first17)


def person_values(rng: Random, numbers: IdNumbers, pinyin: dict) -> dict:
    """One person's columns, drawn as the demo draws them (apps/demo/members.py)."""
    gender = Gender.MALE if rng.random() < 0.06 else Gender.FEMALE
    born = date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 52))
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))
    if name not in pinyin:
        pinyin[name] = pinyin_key(name)
    has_number = rng.random() < 0.9
    return {
        "name": name,
        "name_pinyin": pinyin[name],
        "gender": gender,
        "birth_date": born,
        "id_number": numbers.next(born, gender) if has_number else "",
        "phone": (
            f"+86{rng.choice(MOBILE_PREFIXES)}{rng.randint(0, 99_999_999):08d}"
            if rng.random() < 0.95
            else ""
        ),
        "political_status": _weighted(rng, POLITICAL),
        "education": _weighted(rng, EDUCATION),
        "occupation": rng.choice(OCCUPATIONS),
    }


def _places(rng: Random) -> tuple[list[Organization], list[float]]:
    """Where people live and each place's share: villages of lognormal size, committees small."""
    villages = list(Organization.objects.filter(kind=Kind.VILLAGE, closed_on=None).order_by("pk"))
    committees = list(Organization.objects.filter(kind=Kind.COMMITTEE).order_by("pk"))
    weights = [rng.lognormvariate(0, 0.5) for _ in villages] + [0.2 for _ in committees]
    return villages + committees, weights


def _moments(rng: Random, now: datetime) -> tuple[datetime, datetime]:
    created = now - SPREAD * rng.random()
    changed = created + (now - created) * rng.random() if rng.random() < 0.3 else created
    return created, changed


def add_people(rng: Random, count: int, *, now: datetime, say: Say) -> None:
    """Add ``count`` people over the tree (some of them a neighbouring village's second entry)."""
    if count <= 0:
        return
    places, weights = _places(rng)
    if not places:
        raise ValueError("no open village to put people in: load the demo district first")
    neighbours = defaultdict(list)
    for place in places:
        neighbours[place.parent_id].append(place)
    numbers, pinyin = IdNumbers(REGION), {}
    ids = iter(reserve_ids(Member, count))
    twice = round(count * TWICE)
    rows = []
    for place in rng.choices(places, weights, k=count - twice):
        created, changed = _moments(rng, now)
        values = person_values(rng, numbers, pinyin)
        address = f"{place.name.removesuffix('妇联')}{rng.randint(1, 300)}号"
        rows.append(
            row_of(
                Member,
                id=next(ids),
                organization_id=place.pk,
                address=address,
                created_at=created,
                updated_at=changed,
                **values,
            )
        )
    for original in rng.sample([row for row in rows if row["phone"]], twice):
        home = original["organization_id"]
        others = [p for p in neighbours[_parent_of(places, home)] if p.pk != home]
        place = rng.choice(others) if others else places[0]
        copy = {**original, "id": next(ids), "organization_id": place.pk, "id_number": ""}
        copy["created_at"] = copy["updated_at"] = min(original["created_at"] + MONTH, now)
        rows.append(copy)
    for start in range(0, len(rows), BATCH):
        copy_rows(Member, rows[start : start + BATCH])
        say(f"bench: people {min(start + BATCH, len(rows)):,} of {len(rows):,}")


def _parent_of(places: list[Organization], pk: int) -> int:
    return next(place.parent_id for place in places if place.pk == pk)


# --- Party branches and attendance ----------------------------------------------------------


def _rosters(rng: Random) -> dict[int, list[int]]:
    """The party members of each open village that has no branch meetings yet, by village."""
    held = BranchMeeting.objects.values("organization_id")
    villages = Organization.objects.filter(kind=Kind.VILLAGE, closed_on=None).exclude(pk__in=held)
    party = defaultdict(list)
    for organization_id, pk in (
        Member.objects.alive()
        .filter(organization__in=villages, political_status__in=PARTY)
        .order_by("pk")
        .values_list("organization_id", "pk")
    ):
        party[organization_id].append(pk)
    return {
        village: rng.sample(people, min(len(people), ROSTER_MAX))
        for village, people in sorted(party.items())
        if len(people) >= 3
    }


def _sizes(rng: Random, capacities: list[int], total: int) -> list[int]:
    """How many attend each meeting: about total / meetings each, within 2 … the roster."""
    average = total / len(capacities)
    sizes = [max(2, min(cap, round(average * rng.uniform(0.6, 1.4)))) for cap in capacities]
    order = list(range(len(sizes)))
    while (gap := total - sum(sizes)) != 0:
        rng.shuffle(order)
        moved = 0
        for index in order:
            if gap > 0 and sizes[index] < capacities[index]:
                sizes[index] += 1
            elif gap < 0 and sizes[index] > 2:
                sizes[index] -= 1
            else:
                continue
            moved += 1
            gap += -1 if gap > 0 else 1
            if gap == 0:
                break
        if not moved:
            raise ValueError(f"the rosters cannot seat {total:,} attendance rows")
    return sizes


def add_attendance(rng: Random, count: int, *, now: datetime, say: Say) -> None:
    """Add ``count`` attendance rows: party branches for villages without one, their meetings on
    the demo's plan, attendance drawn to reach ``count`` exactly."""
    if count <= 0:
        return
    rosters = _rosters(rng)
    today = timezone.localdate()
    plans = []  # (village, roster, kind, held_on)
    villages = list(rosters.items())
    rng.shuffle(villages)
    seats = 0  # attendance the branches so far hold at their usual size
    for village, roster in villages:
        if seats >= count:
            break  # enough branches: the rest keep none, as many villages do
        behind = rng.random() < 0.2
        for year in range(today.year - 2, today.year + 1):
            held = _plan(rng, year, today, behind)
            plans += [(village, roster, *meeting) for meeting in held]
            seats += len(held) * min(len(roster), AVERAGE_ATTENDANCE)
    if not plans:
        raise ValueError("every village already has a branch: use --fresh to generate again")
    sizes = _sizes(rng, [len(roster) for _, roster, _, _ in plans], count)
    ids = iter(reserve_ids(BranchMeeting, len(plans)))
    meetings, attendance = [], []
    for (village, roster, kind, held_on), size in zip(plans, sizes, strict=True):
        secretary, recorder, *others = roster
        chair = (
            rng.choice([secretary, *others])
            if others and kind == BranchMeetingKind.GROUP
            else secretary
        )
        moment = timezone.make_aware(datetime.combine(held_on, datetime.min.time()))
        moment = min(moment + timedelta(hours=20), now)
        meeting_id = next(ids)
        meetings.append(
            row_of(
                BranchMeeting,
                id=meeting_id,
                organization_id=village,
                kind=kind,
                held_on=held_on,
                topic=rng.choice(TOPICS[kind]).format(year=held_on.year - 1),
                chair_id=chair,
                recorder_id=recorder,
                minutes="",
                created_at=moment,
                updated_at=moment,
            )
        )
        leading = list(dict.fromkeys([chair, recorder]))
        rest = [person for person in roster if person not in leading]
        for person in itertools.chain(leading, rng.sample(rest, size - len(leading))):
            status, reason = _attended(rng, person in leading)
            attendance.append(
                row_of(
                    BranchAttendance,
                    meeting_id=meeting_id,
                    member_id=person,
                    status=status,
                    reason=reason,
                    created_at=moment,
                    updated_at=moment,
                )
            )
    copy_rows(BranchMeeting, meetings)
    branches = len({meeting["organization_id"] for meeting in meetings})
    say(f"bench: {len(meetings):,} party branch meetings in {branches} villages")
    for start in range(0, len(attendance), BATCH):
        copy_rows(BranchAttendance, attendance[start : start + BATCH])
        say(f"bench: attendance {min(start + BATCH, len(attendance)):,} of {len(attendance):,}")


def _attended(rng: Random, leading: bool) -> tuple[str, str]:
    draw = rng.random()
    if leading or draw < 0.86:
        return AttendanceStatus.PRESENT, ""
    if draw < 0.96:
        return AttendanceStatus.LEAVE, rng.choice(LEAVE_REASONS)
    return AttendanceStatus.ABSENT, ""

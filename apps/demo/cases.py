"""The demo's cases (docs/rights.md, Cases): two years of requests for help at the villages'
stations and the legal service center.

A few cases a village (more in some), each received at a station of the village open on that
day; every status, category, risk and outcome; a few closed cases reopened; the seeker and
often the other party, by name only with the consent to record identity; follow-up visits
after closing. Numbers run ``WQ-<year>-<nnnnn>`` in the order received, per district and year,
and each year's ``CaseCounter`` row ends at its last number, so an intake after the demo
continues the series.

Each row is checked as the services check it (``parties_clean``, the model's ``full_clean``,
a station open on the day, a visit not before the closing day nor after today), then all go
in with ``insert_with_history``: the history tables leave the narrative and the parties'
identity out, as they do for the services' saves.
"""

from datetime import date, datetime, time, timedelta
from random import Random

from django.utils import timezone

from apps.accounts.models import User
from apps.core.actors import SYSTEM
from apps.core.bulk import insert_with_history
from apps.core.models import checked_by_the_database
from apps.demo.names import GIVEN, SURNAMES
from apps.demo.organizations import Tree
from apps.organizations.roles import Role
from apps.rights.choices import (
    COVERING_KINDS,
    REFERRING_OUTCOMES,
    CaseStatus,
    Channel,
    FollowUpMethod,
    Outcome,
    PartyRole,
    Risk,
    StationKind,
)
from apps.rights.models import Case, CaseCategory, CaseCounter, CaseParty, FollowUp, Station
from apps.rights.services.cases import case_transition, parties_clean

DAYS = 730
PER_VILLAGE = (1, 5)  # cases over the two years; a busier tenth of the villages has more
BUSY = (7, 12)
BUSY_SHARE = 0.1
AT_THE_CENTER = 40  # received at the district's legal service center
REOPENED = 6

NARRATIVES = {
    "domestic_violence": [
        "求助人反映丈夫酒后多次动手打人，近日再次发生冲突，身上有淤青，希望妇联帮助制止。",
        "求助人称长期遭受配偶言语辱骂和威胁，不敢回家，暂住娘家，咨询如何申请人身安全保护令。",
        "邻居反映该户夫妻经常争吵，女方曾被推倒受伤，村妇联主席上门了解情况。",
    ],
    "marriage_family": [
        "求助人与丈夫因家庭琐事长期不和，对方提出离婚，求助人希望调解挽回婚姻。",
        "夫妻双方因彩礼返还问题发生纠纷，双方家庭多次争执，请求妇联协调。",
        "求助人反映婆媳矛盾激化，丈夫不闻不问，希望妇联上门调解。",
    ],
    "support_custody": [
        "求助人离婚后前夫拖欠孩子抚养费近一年，多次催要未果，咨询法律途径。",
        "老人反映子女互相推诿，不履行赡养义务，生活困难，请求帮助协调。",
        "离婚双方对孩子探望时间有争议，孩子情绪受影响，希望调解。",
    ],
    "property": [
        "求助人反映离婚后在村里的土地承包权益被取消，要求恢复。",
        "丈夫去世后，求助人与夫家亲属就房屋继承发生纠纷。",
        "出嫁女反映未能参与村集体经济收益分配，咨询相关政策。",
    ],
    "employment": [
        "求助人在某企业工作期间怀孕后被要求离职，咨询劳动权益保护。",
        "求助人反映家政服务工资被拖欠三个月，多次讨要未果。",
        "求助人应聘时被询问婚育情况并因此未被录用，咨询如何维权。",
    ],
    "personal_rights": [
        "求助人反映在网上被他人散布不实言论，名誉受损，咨询如何处理。",
        "求助人称前男友分手后持续骚扰跟踪，感到害怕，请求帮助。",
        "求助人反映被邻居辱骂推搡，要求对方赔礼道歉。",
    ],
    "childrens_rights": [
        "学校老师反映一名留守儿童长期无人照看，衣着单薄，经常缺课。",
        "求助人反映孩子在校外被高年级学生欺负，学校处理不力。",
        "村妇联在走访中发现一名儿童父母外出务工，由年迈祖父母照看，学习生活困难。",
    ],
    "other": [
        "求助人咨询婚前财产协议的效力，希望得到法律指导。",
        "求助人生活困难，咨询低保和困难妇女救助政策。",
        "求助人咨询遗嘱的订立方式和注意事项。",
    ],
}
SEEKER_NOTES = ["", "", "情绪较激动，已作安抚", "有一个孩子在读小学", "务农", "在外务工"]
FOLLOWUP_NOTES = [
    "回访时求助人表示情况已好转，家庭关系趋于稳定。",
    "电话回访，当事人对处理结果满意。",
    "上门回访，双方按调解协议履行，未再发生冲突。",
    "回访了解到对方已按时支付抚养费。",
    "当事人表示仍有顾虑，已告知求助渠道，继续关注。",
]
TRANSITION_NOTES = ["", "已联系双方当事人", "已转介法律援助中心", "已上门走访核实"]


def _name(rng: Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def _phone(rng: Random) -> str:
    return f"138{rng.randint(0, 99_999_999):08d}"


def build_cases(rng: Random, today: date, tree: Tree, accounts: list[User]) -> int:
    """The cases with their parties and follow-up visits, made once; returns how many."""
    district = tree.district
    if Case.objects.filter(organization__path__startswith=district.path).exists():
        return 0
    now = timezone.now()
    start = today - timedelta(days=DAYS)
    categories = list(CaseCategory.objects.filter(active=True).order_by("sort_order", "code"))
    stations: dict[int, list[Station]] = {}
    center = None
    for station in (
        Station.objects.filter(organization__path__startswith=district.path)
        .select_related("organization")
        .order_by("pk")
    ):
        if station.kind in COVERING_KINDS:
            stations.setdefault(station.organization_id, []).append(station)
        elif station.kind == StationKind.LEGAL_CENTER:
            center = station
    workers = [account for account in accounts if account.role == Role.CASE_WORKER]

    intakes = []  # (station, received day)
    for village in tree.villages:
        own = stations.get(village.pk, [])
        count = rng.randint(*(BUSY if rng.random() < BUSY_SHARE else PER_VILLAGE))
        for _ in range(count):
            station = rng.choice(own) if own else None
            if station is None:
                break
            first = max(start, station.opened_on)
            last = min(today, station.closed_on or today)
            if last < first:
                continue
            intakes.append((station, first + timedelta(days=rng.randint(0, (last - first).days))))
    if center is not None:
        for _ in range(AT_THE_CENTER):
            first = max(start, center.opened_on)
            intakes.append((center, first + timedelta(days=rng.randint(0, (today - first).days))))

    made = []  # (case, parties, follow-ups)
    for index, (station, day) in enumerate(intakes):
        category = categories[index % len(categories)] if index < 3 * len(categories) else None
        made.append(_case(rng, now, today, station, day, category or rng.choice(categories)))
    reopening = _spread(rng, now, today, made)
    _urgent(rng, made)
    made.sort(key=lambda item: (item[0].received_at, item[0].station_id))

    counters: dict[int, int] = {}
    for case, parties, _visits in made:
        year = timezone.localtime(case.received_at).year
        counters[year] = counters.get(year, 0) + 1
        case.number = f"WQ-{year}-{counters[year]:05d}"
        # As events_create checks a batch: the number's uniqueness is the database's to refuse.
        case.full_clean(
            exclude=checked_by_the_database(case), validate_unique=False, validate_constraints=False
        )
        for party in parties:
            party.full_clean(exclude=["case"])
    insert_with_history(Case, [case for case, _, _ in made], by=SYSTEM)
    parties = []
    followups = []
    for case, case_parties, visits in made:
        for party in case_parties:
            party.case = case
            parties.append(party)
        for visit in visits:
            visit.case = case
            readers = [w for w in workers if case.organization.path.startswith(w.organization.path)]
            visit.by = rng.choice(readers) if readers else None
            if visit.visited_on < timezone.localdate(case.closed_at) or visit.visited_on > today:
                raise ValueError("a follow-up visit outside the case's closed days")
            visit.full_clean(exclude=["case", "by"])
            followups.append(visit)
    insert_with_history(CaseParty, parties, by=SYSTEM)
    FollowUp.objects.bulk_create(followups)  # no history of their own, as followup_add saves
    _reopen(reopening)
    existing = {row.year: row for row in CaseCounter.objects.filter(district=district)}
    for year, last in counters.items():
        row = existing.get(year) or CaseCounter(district=district, year=year)
        row.last = last
        row.save()
    return len(made)


def _at(rng: Random, day: date, now: datetime) -> datetime:
    moment = timezone.make_aware(
        datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)))
    )
    return min(moment, now - timedelta(minutes=rng.randint(30, 600)))


def _case(rng, now, today, station, day, category):
    """A case received at ``station`` on ``day``: registered, with its parties (unsaved)."""
    received_at = _at(rng, day, now)
    consent_to_record = rng.random() < 0.7
    risk = rng.choices(list(Risk), weights=[5, 3, 1.5, 0.6])[0]
    case = Case(
        organization=station.organization,
        station=station,
        received_at=received_at,
        channel=rng.choices(list(Channel), weights=[5, 3, 1, 1, 1])[0],
        category=category,
        risk=risk,
        consent_to_record=consent_to_record,
        consent_to_refer=rng.random() < 0.6,
        narrative=rng.choice(NARRATIVES.get(category.code, NARRATIVES["other"])),
        narrative_changed_at=received_at,
        status=CaseStatus.REGISTERED,
    )
    if not station.is_open_on(timezone.localdate(received_at)):
        raise ValueError(f"{station} was not open on {received_at}")
    raw = [_party(rng, PartyRole.SEEKER, consent_to_record, "female")]
    if rng.random() < 0.7:
        raw.append(_party(rng, PartyRole.OTHER_PARTY, consent_to_record, "male"))
    if rng.random() < 0.08:
        raw.append(
            _party(rng, PartyRole.WITNESS, consent_to_record, rng.choice(["female", "male"]))
        )
    parties = []
    for fields in parties_clean(raw, consent_to_record=consent_to_record):
        party = CaseParty(**fields)
        if any((party.name, party.id_number, party.phone)):
            party.identity_changed_at = received_at
        parties.append(party)
    return case, parties, []


def _party(rng: Random, role: str, consent: bool, gender: str) -> dict:
    if not consent:
        return {"role": role, "anonymous": True, "gender": gender, "note": ""}
    return {
        "role": role,
        "name": _name(rng),
        "gender": gender,
        "phone": _phone(rng) if role == PartyRole.SEEKER or rng.random() < 0.4 else "",
        "note": rng.choice(SEEKER_NOTES) if role == PartyRole.SEEKER else "",
    }


def _spread(rng: Random, now: datetime, today: date, made: list) -> None:
    """Move the cases along their life: older ones mostly closed (with every outcome, some
    visited after), recent ones open, a few reopened; urgent and high-risk ones among the open,
    some of them already weeks old."""
    outcomes = list(Outcome)
    closed = []
    for case, _parties, visits in made:
        age = (today - timezone.localdate(case.received_at)).days
        open_share = 0.9 if age < 14 else (0.45 if age < 60 else 0.08)
        if rng.random() < open_share:
            case.status = rng.choice(
                [CaseStatus.REGISTERED, CaseStatus.ACCEPTED, CaseStatus.IN_INTERVENTION]
            )
            if case.status == CaseStatus.REGISTERED and age > 30:
                case.status = CaseStatus.IN_INTERVENTION
            continue
        outcome = rng.choice(outcomes)
        if outcome in REFERRING_OUTCOMES and not case.consent_to_refer:
            outcome = Outcome.MEDIATED
        closed_at = case.received_at + timedelta(days=rng.randint(3, 60), hours=rng.randint(0, 6))
        if closed_at >= now:
            closed_at = now - timedelta(hours=rng.randint(1, 12))
        case.status, case.outcome, case.closed_at = CaseStatus.CLOSED, outcome, closed_at
        closed.append((case, visits))
        closed_on = timezone.localdate(closed_at)
        room = (today - closed_on).days
        for _ in range(rng.choice([0, 1, 1, 2]) if room >= 7 else 0):
            visits.append(
                FollowUp(
                    visited_on=closed_on + timedelta(days=rng.randint(7, min(room, 120))),
                    method=rng.choice(list(FollowUpMethod)),
                    note=rng.choice(FOLLOWUP_NOTES),
                )
            )
    # Every outcome at least once, referring ones with the seeker's consent.
    for outcome, (case, _visits) in zip(outcomes, closed, strict=False):
        case.outcome = outcome
        if outcome in REFERRING_OUTCOMES:
            case.consent_to_refer = True
    reopening = rng.sample(closed[len(outcomes) :], REOPENED)
    for _case, visits in reopening:
        visits.clear()  # reopened soon after closing: not visited yet
    return [case for case, _visits in reopening]


def _reopen(cases: list[Case]) -> None:
    """A few closed cases reopened into intervention through the service, so their history
    shows the closing and the reopening (a handful of saves)."""
    for case in cases:
        case_transition(by=SYSTEM, case=case, to=CaseStatus.IN_INTERVENTION, note="当事人再次求助")


def _urgent(rng: Random, made: list) -> None:
    # Urgent and high-risk cases among the open ones, some a few weeks old (overdue later).
    still_open = [case for case, _, _ in made if case.status != CaseStatus.CLOSED]
    for case in rng.sample(still_open, min(12, len(still_open))):
        case.risk = rng.choice([Risk.URGENT, Risk.HIGH])

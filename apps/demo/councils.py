"""The demo's women's councils (docs/councils.md): two years of meetings and topics.

The district's "筑梦山海" 妇女议事会 and two streets' sit from the demo's first day; a share of
the villages (``SHARE``) set up a "小马扎" 妇女议事会 over the demo's first year, as the seed
report's were. Each has a convener, members and an invited representative from its people;
meets every month or two, on site or in the online council hall (云上议事厅), with the members
present and guests counted; and raises topics at its meetings or through the hall. Older topics
have mostly gone their way (not adopted with a reason, assigned to the village, its street or an
outside body, resolved or turned into a result); recent ones are still raised or accepted; a few
assigned ones are past their due date. A few councils held no meeting last quarter, and one
was dissolved.

Each row is checked by the model's ``full_clean`` (the services' rules, with the references
already loaded) and the attendance by the council's members on the day, then all go in with
their history (``apps.core.bulk.insert_with_history``), made once: moving two thousand topics
one step at a time through the transitions service would take most of a minute. Topics go
in at the status they have reached, with the days each move set (assigned, due, closed).
"""

from datetime import date, datetime, time, timedelta
from random import Random

from django.utils import timezone

from apps.core.actors import SYSTEM
from apps.core.bulk import insert_with_history
from apps.core.models import checked_by_the_database
from apps.councils.choices import (
    CLOSED,
    HAS_ASSIGNEE,
    MeetingMode,
    MemberRole,
    RaisedVia,
    ResultKind,
    TopicStatus,
)
from apps.councils.models import (
    Council,
    CouncilMember,
    Meeting,
    MeetingAttendance,
    Topic,
    TopicCategory,
)
from apps.councils.services import council_update, topic_transition
from apps.demo.organizations import Tree
from apps.members.models import Member
from apps.organizations.models import Organization

DAYS = 730  # two years up to today
SHARE = 0.4  # villages with a council
MOVED = 24  # recent topics moved through the transitions service, for their history
QUIET = 0.08  # councils that held no meeting last quarter
GAP = (25, 70)  # days between meetings
ONLINE = 0.3  # meetings in the online council hall
CHANNELS = ["云上议事厅（微信群）", "云上议事厅（腾讯会议）", "云上议事厅（钉钉视频）"]
THEMES = ["村务", "邻里", "家庭", "乡村振兴", "妇女关切", "发展环境"]
OUTSIDE = [
    "区住建局",
    "区交通运输局",
    "区自然资源和规划局",
    "供电所",
    "自来水公司",
    "区教育局",
    "区卫健局",
    "区人社局",
]
# Titles by category code, with a place for the village's name.
TITLES = {
    "development_environment": [
        "{p}村口道路路灯不亮，夜间出行不便",
        "{p}农贸市场周边占道经营整治",
        "{p}小微企业用工对接需求",
        "{p}新建停车位规划建议",
    ],
    "rural_revitalization": [
        "{p}发展巾帼民宿的建议",
        "{p}农产品直播带货培训需求",
        "{p}闲置农房盘活利用",
        "{p}“美丽庭院”创建推进",
    ],
    "village_affairs": [
        "{p}村规民约修订中增加移风易俗条款",
        "{p}垃圾分类投放点设置调整",
        "{p}村务公开栏信息更新不及时",
        "{p}老年食堂运营时间调整",
    ],
    "neighbourhood": [
        "{p}楼道堆物影响通行",
        "{p}广场舞音量扰民协调",
        "{p}邻里互助“时间银行”建议",
        "{p}宠物管理问题",
    ],
    "family": [
        "{p}暑期儿童托管服务需求",
        "{p}家庭教育指导进村（社区）",
        "{p}留守老人照护互助",
        "{p}婚事新办简办倡议",
    ],
    "women_concerns": [
        "{p}妇女“两癌”筛查覆盖",
        "{p}灵活就业妇女技能培训",
        "{p}妇女议事会成员增补建议",
        "{p}“妈妈岗”就业岗位需求",
    ],
    "other": ["{p}文化礼堂活动安排建议", "{p}健身器材维修", "{p}防诈骗宣传进家庭"],
}
NOT_ADOPTED = [
    "已有相关项目在实施，并入原项目推进",
    "不属于议事会议事范围，已告知反映渠道",
    "经议事讨论条件尚不成熟，暂不采纳",
]
EVIDENCE = [
    "现场照片及验收记录已存档",
    "相关部门书面答复已归档",
    "整改前后对比照片已存档",
    "会议纪要及实施方案已存档",
]
FEEDBACK = [
    "已当面向提出人反馈办理结果，提出人表示满意",
    "已电话告知提出人办理情况",
    "已在议事会例会上通报办理结果",
    "已通过云上议事厅公布办理结果",
]
MINUTES = [
    "会议围绕{t}等事项开展议事协商，形成一致意见，明确责任人和完成时限。",
    "召集人通报上次议事事项办理情况，与会成员就{t}进行讨论。",
    "会议听取群众意见，对{t}提出建议，会后报村（社区）两委研究。",
]


def build_councils(rng: Random, today: date, tree: Tree) -> int:
    """Councils with their members, meetings, attendance and topics, made once; returns how
    many councils were added."""
    district = tree.district
    if Council.objects.filter(organization__path__startswith=district.path).exists():
        return 0
    start = today - timedelta(days=DAYS)
    categories = list(TopicCategory.objects.filter(active=True).order_by("sort_order", "code"))
    people: dict[int, list[Member]] = {}
    for person in (
        Member.objects.filter(organization__path__startswith=district.path)
        .select_related("organization")
        .order_by("pk")
    ):
        people.setdefault(person.organization_id, []).append(person)
    villages = [v for v in tree.villages if v.closed_on is None and len(people.get(v.pk, [])) >= 4]
    chosen = sorted(rng.sample(villages, round(len(villages) * SHARE)), key=lambda v: v.path)

    plans = []  # (council, people to choose members from)
    upper = [
        (district, "“筑梦山海”妇女议事会"),
        *((s, "“巾帼心声”妇女议事会") for s in tree.streets[:2]),
    ]
    for organization, name in upper:
        below = [
            person
            for village in tree.villages
            if village.path.startswith(organization.path)
            for person in people.get(village.pk, [])
        ]
        council = Council(
            organization=organization,
            name=f"{organization.name.removesuffix('妇联')}{name}",
            established_on=start,
            themes="、".join(rng.sample(THEMES, 4)),
        )
        plans.append((council, rng.sample(below, min(len(below), 40))))
    for village in chosen:
        council = Council(
            organization=village,
            name=f"{village.name.removesuffix('妇联')}“小马扎”妇女议事会",
            established_on=start + timedelta(days=rng.randint(0, 364)),
            themes="、".join(rng.sample(THEMES, rng.randint(2, 4))),
        )
        plans.append((council, people[village.pk]))
    # One village's council stopped sitting some months ago: dissolved (through the service,
    # once its members and meetings are in), its history kept.
    dissolving, dissolved_on = plans[-1][0], today - timedelta(days=rng.randint(120, 200))
    for council, _pool in plans:
        council.full_clean(exclude=checked_by_the_database(council))
    insert_with_history(Council, [council for council, _ in plans], by=SYSTEM)

    members: list[CouncilMember] = []
    serving: dict[int, list[CouncilMember]] = {}
    for council, pool in plans:
        size = min(len(pool), rng.randint(5, 9) if len(pool) > 12 else rng.randint(4, 7))
        picked = rng.sample(pool, size)
        roles = [MemberRole.CONVENER, MemberRole.INVITED] + [MemberRole.MEMBER] * (size - 2)
        for person, role in zip(picked, roles, strict=True):
            member = CouncilMember(
                organization=council.organization,
                council=council,
                person=person,
                role=role,
                term_start=council.established_on,
            )
            members.append(member)
            serving.setdefault(council.pk, []).append(member)
    for member in members:
        member.full_clean(exclude=checked_by_the_database(member))
    insert_with_history(CouncilMember, members, by=SYSTEM)

    quarter_start = _previous_quarter_start(today)
    meetings: list[Meeting] = []
    present: list[tuple[Meeting, list[Member]]] = []
    raised: list[tuple[Meeting | None, Council, date]] = []
    for council, _pool in plans:
        seats = serving[council.pk]
        last = dissolved_on if council is dissolving else today
        quiet = council.organization.kind == "village" and rng.random() < QUIET
        day = council.established_on + timedelta(days=rng.randint(3, 30))
        while day <= last:
            if quiet and day >= quarter_start:
                break
            meeting = _meeting(rng, council, seats, day)
            meetings.append(meeting)
            here = [seat.person for seat in seats if rng.random() < 0.8] or [seats[0].person]
            present.append((meeting, here))
            for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
                raised.append((meeting, council, day))
            if rng.random() < 0.3:  # through the online hall, between meetings
                hall_day = day + timedelta(days=rng.randint(1, 20))
                if hall_day <= last:
                    raised.append((None, council, hall_day))
            day += timedelta(days=rng.randint(*GAP))
    for meeting in meetings:
        meeting.full_clean(exclude=checked_by_the_database(meeting))
    insert_with_history(Meeting, meetings, by=SYSTEM)
    rows = []
    for meeting, here in present:
        # As attendance_check: a member of the council (any role) whose term covers the day.
        seated = {seat.person_id for seat in serving[meeting.council.pk]}
        if not all(person.pk in seated for person in here):
            raise ValueError(f"a non-member on the attendance of {meeting}")
        rows.extend(MeetingAttendance(meeting=meeting, person=person) for person in here)
    insert_with_history(MeetingAttendance, rows, by=SYSTEM)
    council_update(by=SYSTEM, council=dissolving, dissolved_on=dissolved_on)

    pools = {council.pk: pool for council, pool in plans}
    parents = {o.pk: o for o in (district, *tree.streets)}
    topics = [
        _topic(rng, today, meeting, council, day, categories, pools[council.pk], parents)
        for meeting, council, day in raised
    ]
    _every_status(topics)
    moving = _held_back(rng, today, topics)
    for topic in topics:
        topic.full_clean(
            exclude=checked_by_the_database(topic),
            validate_unique=False,
            validate_constraints=False,
        )
    insert_with_history(Topic, topics, by=SYSTEM)
    _move_along(moving)
    return len(plans)


def _previous_quarter_start(today: date) -> date:
    first_month = 3 * ((today.month - 1) // 3) + 1
    this_quarter = date(today.year, first_month, 1)
    before = this_quarter - timedelta(days=1)
    return date(before.year, 3 * ((before.month - 1) // 3) + 1, 1)


def _place(council: Council) -> str:
    return council.organization.name.removesuffix("妇联")


def _meeting(rng: Random, council: Council, seats: list[CouncilMember], day: date) -> Meeting:
    online = rng.random() < ONLINE
    convener = seats[0].person
    others = [seat.person for seat in seats[1:]] or [convener]
    topics = "、".join(rng.sample(THEMES, 2))
    return Meeting(
        organization=council.organization,
        council=council,
        held_on=day,
        mode=MeetingMode.ONLINE if online else MeetingMode.ON_SITE,
        channel=rng.choice(CHANNELS) if online else "",
        place="" if online else rng.choice(["议事厅", "文化礼堂", "党群服务中心", "妇女之家"]),
        chair=convener,
        recorder=rng.choice(others),
        minutes=rng.choice(MINUTES).format(t=topics),
        guests_count=rng.choice([0, 0, 1, 2, 3, 5]),
    )


def _topic(rng, today, meeting, council, day, categories, pool, parents) -> Topic:
    """A topic raised on ``day``, moved along its life as far as its age allows."""
    category = rng.choice(categories)
    topic = Topic(
        organization=council.organization,
        council=council,
        meeting=meeting,
        raised_via=RaisedVia.MEETING if meeting else RaisedVia.ONLINE_HALL,
        raised_by=rng.choice(pool) if meeting is None or rng.random() < 0.5 else None,
        raised_on=day,
        title=rng.choice(TITLES.get(category.code, TITLES["other"])).format(p=_place(council)),
        category=category,
        status=TopicStatus.RAISED,
    )
    age = (today - day).days
    roll = rng.random()
    if roll < 0.12:
        topic.status = TopicStatus.NOT_ADOPTED
        topic.not_adopted_reason = rng.choice(NOT_ADOPTED)
        topic.feedback = rng.choice(FEEDBACK)
        return topic
    if age < 21 and roll < 0.6:
        return topic  # not yet discussed
    assigned_on = day + timedelta(days=rng.randint(2, 20))
    if (age < 45 and roll < 0.7) or assigned_on > today:
        topic.status = TopicStatus.ACCEPTED
        return topic
    _assign(rng, topic, assigned_on, parents)
    open_share = 0.6 if age < 120 else 0.06
    closed_on = assigned_on + timedelta(days=rng.randint(7, 150))
    if rng.random() < open_share or closed_on > today:
        topic.status = rng.choice([TopicStatus.ASSIGNED, TopicStatus.IN_PROGRESS])
        if topic.due_on < today and rng.random() < 0.7:  # most are still within their time
            topic.due_on = today + timedelta(days=rng.randint(5, 60))
        return topic
    topic.closed_on = closed_on
    topic.evidence = rng.choice(EVIDENCE)
    topic.feedback = rng.choice(FEEDBACK)
    if rng.random() < 0.3:
        topic.status = TopicStatus.TURNED_INTO_RESULT
        topic.result_kind = rng.choice(list(ResultKind))
    else:
        topic.status = TopicStatus.RESOLVED
    return topic


def _assign(rng: Random, topic: Topic, assigned_on: date, parents: dict) -> None:
    """The council's own organization, the one above it, or an outside body, with a due day."""
    organization: Organization = topic.organization
    roll = rng.random()
    if roll < 0.55:
        topic.responsible_organization = organization
    elif roll < 0.8 and organization.parent_id in parents:
        topic.responsible_organization = parents[organization.parent_id]
    else:
        topic.responsible_body = rng.choice(OUTSIDE)
    topic.assigned_on = assigned_on
    topic.due_on = assigned_on + timedelta(days=rng.choice([15, 30, 30, 60, 90]))


# What the moves set, kept aside while a topic goes in as raised.
MOVE_FIELDS = (
    "status",
    "responsible_organization",
    "responsible_body",
    "assigned_on",
    "due_on",
    "closed_on",
    "result_kind",
    "evidence",
    "feedback",
)


def _held_back(rng: Random, today: date, topics: list[Topic]) -> list[tuple[Topic, dict]]:
    """A few recent topics that reached an assignee go in as raised, to be moved along their
    life through the service (``_move_along``): their history shows every move."""
    recent = [t for t in topics if t.status in HAS_ASSIGNEE and (today - t.raised_on).days < 240]
    moving = []
    for topic in rng.sample(recent, min(MOVED, len(recent))):
        moving.append((topic, {name: getattr(topic, name) for name in MOVE_FIELDS}))
        topic.status, topic.responsible_organization, topic.responsible_body = "raised", None, ""
        topic.assigned_on = topic.due_on = topic.closed_on = None
        topic.result_kind = topic.evidence = topic.feedback = ""
    return moving


def _move_along(moving: list[tuple[Topic, dict]]) -> None:
    """Accepted the day after it was raised, assigned, in progress, and closed on the days
    planned, each move at its time (``now=``)."""

    def at(day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(10)))

    for topic, plan in moving:
        status, assigned_on = plan["status"], plan["assigned_on"]
        moved = topic_transition(
            by=SYSTEM, topic=topic, to=TopicStatus.ACCEPTED, now=at(topic.raised_on)
        )
        moved = topic_transition(
            by=SYSTEM,
            topic=moved,
            to=TopicStatus.ASSIGNED,
            now=at(assigned_on),
            due_on=plan["due_on"],
            responsible_organization=plan["responsible_organization"],
            responsible_body=plan["responsible_body"],
        )
        if status == TopicStatus.ASSIGNED:
            continue
        moved = topic_transition(
            by=SYSTEM, topic=moved, to=TopicStatus.IN_PROGRESS, now=at(assigned_on)
        )
        if status in CLOSED:
            closing = {"evidence": plan["evidence"], "feedback": plan["feedback"]}
            if status == TopicStatus.TURNED_INTO_RESULT:
                closing["result_kind"] = plan["result_kind"]
            topic_transition(
                by=SYSTEM, topic=moved, to=status, now=at(plan["closed_on"]), **closing
            )


def _every_status(topics: list[Topic]) -> None:
    """Every status and every result's kind at least once (a fixed seed makes them all
    likely; this makes them certain)."""
    have = {topic.status for topic in topics}
    kinds = {topic.result_kind for topic in topics} - {""}
    if have >= set(TopicStatus.values) and kinds == set(ResultKind.values):
        return
    raise ValueError(f"the demo's topics miss a status or a result kind: {have}, {kinds}")

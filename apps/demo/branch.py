"""Demo 三会一课: the party branches of the district, every street and about 40 villages.

Two calendar years before this one and this year up to today. Most branches
hold every meeting the requirements ask for; about a fifth fall behind, missing
months and quarters, and one of those has held nothing this year. A branch's
people are people of its subtree (the street's and the district's cadres are
on file in their home villages, as the street chairs are); its secretary
chairs most meetings.
"""

import calendar
from datetime import date
from random import Random

from simple_history.utils import bulk_create_with_history

from apps.core.actors import SYSTEM
from apps.core.bulk import insert_with_history
from apps.demo.organizations import Tree
from apps.members.choices import AppointmentRole, AttendanceStatus, BranchMeetingKind
from apps.members.models import Appointment, BranchAttendance, BranchMeeting, Member
from apps.organizations.choices import Kind

BRANCH_VILLAGES = 40
BEHIND_SHARE = 0.2
MISS = 0.3  # a branch that falls behind skips about this share of its meetings
# The party members of a branch: few, as the seed report says of the federation's own.
ROSTER = {"district": (8, 12), "street": (6, 10), "village": (5, 9)}
ATTENDANCE = (5, 15)

TOPICS = {
    BranchMeetingKind.GENERAL_MEETING: [
        "传达学习党的二十大精神",
        "{year}年度组织生活会和民主评议党员",
        "审议支部年度工作计划",
        "讨论确定入党积极分子",
        "学习贯彻习近平新时代中国特色社会主义思想主题教育动员",
        "通报党费收缴使用情况",
        "传达学习全国两会精神",
        "支部半年工作总结",
    ],
    BranchMeetingKind.COMMITTEE: [
        "研究“书记项目”实施方案",
        "研究“巾帼心向党”系列活动方案",
        "研究部署本季度党建工作",
        "研究妇女党建微家创建工作",
        "研究“小马扎巾帼流动课堂”示范点创建",
        "研究“三会一课”年度计划",
        "研究困难妇女儿童帮扶名单",
        "研究党风廉政建设责任清单",
        "讨论发展党员工作",
        "研究“乡村振兴巾帼行动”推进措施",
    ],
    BranchMeetingKind.GROUP: [
        "学习《习近平谈治国理政》",
        "学习党章党规",
        "交流学习党的二十大报告心得",
        "开展谈心谈话",
        "学习《中国共产党纪律处分条例》",
        "讨论巾帼志愿服务安排",
        "学习家庭教育促进法",
        "交流“一老一小一困”走访情况",
    ],
    BranchMeetingKind.LECTURE: [
        "学习党的二十大精神",
        "书记讲党课：巾帼心向党 奋进新征程",
        "以党建带妇建 凝聚巾帼力量",
        "党风廉政建设专题党课",
        "弘扬红船精神 践行初心使命",
        "家庭家教家风建设专题党课",
        "跟党奋进新征程 巾帼建功新时代",
    ],
    BranchMeetingKind.THEMED_DAY: [
        "巾帼心向党主题党日",
        "重温入党誓词",
        "走访慰问困难妇女儿童",
        "参观红色教育基地",
        "“我们的节日”主题活动",
        "巾帼志愿服务进社区",
        "学雷锋志愿服务",
        "清廉家风主题党日",
    ],
}
MINUTES = [
    "会议传达了上级有关文件精神，与会党员结合工作实际作了交流发言。",
    "会议研究了近期重点工作，明确了责任分工和完成时限。",
    "与会党员逐一发言，提出了意见建议，会议作了归纳。",
    "会议学习了相关文件，部署了下阶段妇联党建工作。",
    "",
]
LEAVE_REASONS = [
    "因公出差",
    "身体不适",
    "家中有事",
    "参加区里培训",
    "照顾生病家人",
    "外出务工",
    "值班",
]


def build_branch_meetings(rng: Random, today: date, tree: Tree) -> int:
    """The branches' meetings with attendance, made once; returns how many meetings were added."""
    if BranchMeeting.objects.filter(organization__path__startswith=tree.district.path).exists():
        return 0
    people: dict[int, list[Member]] = {}
    for person in (
        Member.objects.alive()
        .filter(organization__path__startswith=tree.district.path)
        .order_by("pk")
    ):
        people.setdefault(person.organization_id, []).append(person)
    branches = _branches(rng, tree, people)
    behind = set(rng.sample(range(len(branches)), round(len(branches) * BEHIND_SHARE)))
    quiet = next(  # a village branch that is behind and has held nothing this year
        (i for i in sorted(behind) if branches[i][0].kind == Kind.VILLAGE), None
    )
    secretaries = _secretaries(today, [org for org, _ in branches], [r for _, r in branches])
    years = range(today.year - 2, today.year + 1)
    meetings, attendance = [], []
    for index, (organization, roster) in enumerate(branches):
        secretary = secretaries[organization.pk]
        recorder = next(person for person in roster if person != secretary)
        group_leaders = [person for person in roster if person != recorder]
        for year in years:
            if index == quiet and year == today.year:
                continue
            for kind, held_on in _plan(rng, year, today, index in behind):
                chair = rng.choice(group_leaders) if kind == BranchMeetingKind.GROUP else secretary
                topic = rng.choice(TOPICS[kind]).format(year=year - 1)
                notes = rng.choice(MINUTES)
                minutes = f"会议由{chair.name}主持，{recorder.name}记录。{notes}" if notes else ""
                meeting = BranchMeeting(
                    organization=organization,
                    kind=kind,
                    held_on=held_on,
                    topic=topic,
                    chair=chair,
                    recorder=recorder,
                    minutes=minutes,
                )
                meetings.append(meeting)
                attendance.extend(_attendance(rng, meeting, roster))
    bulk_create_with_history(meetings, BranchMeeting, batch_size=2000)
    insert_with_history(BranchAttendance, attendance, by=SYSTEM)
    return len(meetings)


def _branches(rng: Random, tree: Tree, people: dict) -> list[tuple]:
    """(organization, its branch's people): the district, every street, about 40 villages."""

    def within(organization):
        return [
            person
            for village in tree.villages
            if village.path.startswith(organization.path)
            for person in people.get(village.pk, [])
        ]

    branches = [
        (tree.district, rng.sample(within(tree.district), rng.randint(*ROSTER["district"])))
    ]
    for street in tree.streets:
        candidates = within(street)
        branches.append(
            (street, rng.sample(candidates, min(len(candidates), rng.randint(*ROSTER["street"]))))
        )
    villages = [
        village
        for village in tree.villages
        if village.is_open and len(people.get(village.pk, [])) >= ATTENDANCE[0]
    ]
    chosen = sorted(rng.sample(villages, min(BRANCH_VILLAGES, len(villages))), key=lambda v: v.path)
    for village in chosen:
        candidates = people[village.pk]
        size = min(len(candidates), rng.randint(*ROSTER["village"]))
        branches.append((village, rng.sample(candidates, size)))
    return branches


def _secretaries(today: date, organizations, rosters) -> dict[int, Member]:
    """Each branch's secretary: the one already appointed, or its first person, appointed now."""
    paths = {organization.pk: organization.path for organization in organizations}
    appointed = {
        appointment.organization_id: appointment.member
        for appointment in Appointment.objects.filter(
            organization__in=organizations, role=AppointmentRole.BRANCH_SECRETARY
        )
        .current(today)
        .select_related("member__organization")
        if appointment.member.organization.path.startswith(paths[appointment.organization_id])
    }
    has_any = set(
        Appointment.objects.filter(
            organization__in=organizations, role=AppointmentRole.BRANCH_SECRETARY
        ).values_list("organization_id", flat=True)
    )
    new = []
    for organization, roster in zip(organizations, rosters, strict=True):
        if organization.pk in appointed:
            continue
        appointed[organization.pk] = roster[0]
        if organization.pk not in has_any:  # never a second secretary beside an earlier term
            new.append(
                Appointment(
                    member=roster[0],
                    organization=organization,
                    role=AppointmentRole.BRANCH_SECRETARY,
                    started_on=date(today.year - 3, 3, 8),
                )
            )
    bulk_create_with_history(new, Appointment)
    return appointed


def _plan(rng: Random, year: int, today: date, behind: bool) -> list[tuple[str, date]]:
    """(kind, day held) of a branch's meetings in ``year``, none after today.

    Committee and group meetings monthly, a general meeting and a party lecture
    each quarter, a themed party day most months; a branch that falls behind
    skips some of them.
    """

    def day_in(month: int) -> date:
        return date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))

    def kept() -> bool:
        return not behind or rng.random() >= MISS

    plan = []
    for month in range(1, 13):
        for kind in (BranchMeetingKind.COMMITTEE, BranchMeetingKind.GROUP):
            if kept():
                plan.append((kind, day_in(month)))
        if rng.random() < 0.6:
            plan.append((BranchMeetingKind.THEMED_DAY, day_in(month)))
        if month % 3 == 0:
            for kind in (BranchMeetingKind.GENERAL_MEETING, BranchMeetingKind.LECTURE):
                if kept():
                    plan.append((kind, day_in(rng.randint(month - 2, month))))
    return [(kind, held_on) for kind, held_on in plan if held_on <= today]


def _attendance(rng: Random, meeting: BranchMeeting, roster: list[Member]) -> list:
    """5–15 of the branch's people (all of a smaller branch), the chair and the recorder among
    them: most present, some on leave with a reason, a few absent."""
    low, high = ATTENDANCE
    count = rng.randint(min(low, len(roster)), min(high, len(roster)))
    leading = list(dict.fromkeys([meeting.chair, meeting.recorder]))
    others = [person for person in roster if person not in leading]
    rows = []
    for person in leading + rng.sample(others, max(0, count - 2)):
        draw = rng.random()
        if person in leading or draw < 0.86:
            status, reason = AttendanceStatus.PRESENT, ""
        elif draw < 0.96:
            status, reason = AttendanceStatus.LEAVE, rng.choice(LEAVE_REASONS)
        else:
            status, reason = AttendanceStatus.ABSENT, ""
        rows.append(BranchAttendance(meeting=meeting, member=person, status=status, reason=reason))
    return rows

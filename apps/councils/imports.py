"""A council's past meetings and topics from the .xlsx sheets councils keep, on the pipeline of
apps/core/imports.py: a dry run lists every bad row, then all rows or none (docs/councils.md,
Importing past meetings and topics).

Two imports, one sheet each: meetings first, then topics, whose rows name the meeting they
were raised at by its day. Each row is read on its own (no queries); then the councils the file
names are looked up once, within the importer's reach, with their members, meetings on file,
people and organizations, a query each however many rows. People are named as the council's
records name them: members by name within the council; the raiser of a topic among its
members and the people of its organization. A name two of them share is refused, never
guessed.

A topic goes in at the status the sheet gives, with what that status needs (docs/councils.md,
A topic's life): the import records what happened before the system, not moves made now.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.bulk import insert_with_history
from apps.core.imports import Column, Importer, ImportReport, Row, new_record, write_records
from apps.councils import selectors
from apps.councils.choices import (
    CLOSED,
    HAS_ASSIGNEE,
    MeetingMode,
    RaisedVia,
    ResultKind,
    TopicStatus,
)
from apps.councils.models import (
    ASSIGNEE_OUT_OF_REACH,
    Meeting,
    MeetingAttendance,
    Topic,
    TopicCategory,
)
from apps.members.models import Member
from apps.organizations.models import Organization
from apps.organizations.scoping import scoped, with_ancestors

NAMES = re.compile(r"[、，,；;/\s]+")
MODE_ALIASES = {
    "线下": MeetingMode.ON_SITE,
    "现场": MeetingMode.ON_SITE,
    "线上": MeetingMode.ONLINE,
    "云上议事厅": MeetingMode.ONLINE,
    "网上": MeetingMode.ONLINE,
}
VIA_ALIASES = {
    "会议": RaisedVia.MEETING,
    "议事会议": RaisedVia.MEETING,
    "云上议事厅": RaisedVia.ONLINE_HALL,
    "线上": RaisedVia.ONLINE_HALL,
}
STATUS_ALIASES = {
    "已提出": TopicStatus.RAISED,
    "提出": TopicStatus.RAISED,
    "已采纳": TopicStatus.ACCEPTED,
    "采纳": TopicStatus.ACCEPTED,
    "不予采纳": TopicStatus.NOT_ADOPTED,
    "未采纳": TopicStatus.NOT_ADOPTED,
    "已交办": TopicStatus.ASSIGNED,
    "交办": TopicStatus.ASSIGNED,
    "办理中": TopicStatus.IN_PROGRESS,
    "已解决": TopicStatus.RESOLVED,
    "已办结": TopicStatus.RESOLVED,
    "成果转化": TopicStatus.TURNED_INTO_RESULT,
}
RESULT_ALIASES = {
    "项目": ResultKind.PROJECT,
    "制度": ResultKind.RULE,
    "村规民约": ResultKind.RULE,
    "服务": ResultKind.SERVICE,
}

MEETING_COLUMNS = [
    Column("council", "议事会", {"议事会名称", "council"}),
    Column("held_on", "会议日期", {"日期", "held_on", "date"}),
    Column("mode", "会议形式", {"形式", "mode"}),
    Column("place", "地点", {"会议地点", "place"}),
    Column("channel", "线上渠道", {"渠道", "channel"}),
    Column("chair", "主持人", {"chair"}),
    Column("recorder", "记录人", {"recorder"}),
    Column("present", "出席成员", {"参会成员", "出席人员", "attendance", "present"}),
    Column("guests_count", "列席嘉宾人数", {"嘉宾人数", "特邀嘉宾", "guests"}),
    Column("minutes", "会议纪要", {"纪要", "minutes"}),
]
TOPIC_COLUMNS = [
    Column("council", "议事会", {"议事会名称", "council"}),
    Column("raised_on", "提出日期", {"日期", "raised_on"}),
    Column("title", "议题", {"议题名称", "title"}),
    Column("category", "议题类别", {"类别", "category"}),
    Column("raised_via", "提出方式", {"raised_via"}),
    Column("meeting", "会议日期", {"议事会议日期", "meeting"}),
    Column("raised_by", "提出人", {"raised_by"}),
    Column("description", "议题内容", {"内容", "描述", "description"}),
    Column("status", "状态", {"办理状态", "status"}),
    Column("not_adopted_reason", "不予采纳理由", {"理由", "reason"}),
    Column("responsible_organization", "责任单位", {"承办单位", "responsible"}),
    Column("assigned_on", "交办日期", {"assigned_on"}),
    Column("due_on", "办理时限", {"截止日期", "due_on"}),
    Column("closed_on", "办结日期", {"closed_on"}),
    Column("result_kind", "成果类型", {"成果形式", "result_kind"}),
    Column("evidence", "佐证材料", {"evidence"}),
    Column("feedback", "反馈情况", {"反馈", "feedback"}),
]


@dataclass
class _MeetingRow(Row):
    present: list = field(default_factory=list)  # the members present, once checked


@dataclass
class _TopicRow(Row):
    meeting_day: datetime.date | None = None
    record_days: dict = field(default_factory=dict)


def _names(text: str) -> list[str]:
    return [name for name in NAMES.split(text) if name]


def _not_after_today(row: Row, column: str, day) -> None:
    if day is not None and day > timezone.localdate():
        message = _("%(column)s %(value)s is after today: only past records are imported")
        row.refuse(column, message % {"column": row.headers[column], "value": day})


def _whole_number(row: Row, column: str) -> int:
    text = row.cells[column].text
    if not text:
        return 0
    if text.isascii() and text.isdigit() and len(text) <= 6:
        return int(text)
    message = _("%(column)s %(value)s is not a whole number of 0 or more")
    row.refuse(column, message % {"column": row.headers[column], "value": text[:50]})
    return 0


class _Councils:
    """The councils the rows name, within ``by``'s reach, with their members (by name), the
    meetings on file and the people of their organizations: a query each."""

    def __init__(self, rows: list[Row], by, *, people: tuple = (), meetings: bool = False):
        texts = {row.cells["council"].text for row in rows} - {""}
        self.named = defaultdict(list)
        for council in selectors.council_list(user=by).alive().filter(name__in=texts):
            self.named[council.name].append(council)
        ids = [council.pk for found in self.named.values() for council in found]
        self.members = defaultdict(lambda: defaultdict(list))  # council → name → memberships
        for member in (
            selectors.council_member_list(user=by)
            .alive()
            .filter(council_id__in=ids)
            .select_related("person__organization")
        ):
            self.members[member.council_id][member.person.name].append(member)
        self.meetings = defaultdict(lambda: defaultdict(list))  # council → day → meetings
        if meetings:
            on_file = scoped(Meeting.objects.filter(council_id__in=ids), by).alive()
            for meeting in on_file.select_related("council"):
                self.meetings[meeting.council_id][meeting.held_on].append(meeting)
        self.people = defaultdict(lambda: defaultdict(list))  # organization → name → people
        if people:
            organizations = {
                council.organization_id for found in self.named.values() for council in found
            }
            names = {row.cells[column].text for row in rows for column in people} - {""}
            for person in scoped(
                Member.objects.filter(
                    organization_id__in=organizations, name__in=names
                ).select_related("organization"),
                by,
            ):
                self.people[person.organization_id][person.name].append(person)

    def council(self, row: Row):
        text = row.cells["council"].text
        if not text:
            return None
        found = self.named.get(text, [])
        if len(found) == 1:
            return found[0]
        if found:
            message = _("%(count)d councils within your reach are named %(name)s: rename one first")
            row.refuse("council", message % {"count": len(found), "name": text[:50]})
        else:
            message = _("no council within your reach is named %(name)s")
            row.refuse("council", message % {"name": text[:50]})
        return None

    def member(self, row: Row, column: str, council, name: str, day):
        """The person ``name`` names among the council's members serving on ``day``."""
        found = self.members[council.pk].get(name, [])
        serving = [member for member in found if day is None or member.serves_on(day)]
        people = {member.person_id: member.person for member in serving}
        if len(people) == 1:
            return next(iter(people.values()))
        if people:
            message = _("%(column)s: %(count)d members of %(council)s are named %(name)s")
            values = {"count": len(people), "council": council.name, "name": name[:50]}
        elif found:
            message = _("%(column)s: %(name)s was not a member of %(council)s on %(day)s")
            values = {"council": council.name, "name": name[:50], "day": day}
        else:
            message = _("%(column)s: %(name)s is not a member of %(council)s")
            values = {"council": council.name, "name": name[:50]}
        row.refuse(column, message % {"column": row.headers[column], **values})
        return None

    def person(self, row: Row, column: str, council, name: str):
        """A member of the council by that name, else one person of its organization: who
        chaired, recorded or raised a topic need not sit on the council."""
        members = {m.person_id: m.person for m in self.members[council.pk].get(name, [])}
        people = members or {p.pk: p for p in self.people[council.organization_id].get(name, [])}
        if len(people) == 1:
            return next(iter(people.values()))
        if people:
            message = _("%(column)s: %(count)d people of %(council)s are named %(name)s")
            values = {"count": len(people), "council": council.name, "name": name[:50]}
        else:
            message = _("%(column)s: nobody of %(council)s is named %(name)s")
            values = {"council": council.name, "name": name[:50]}
        row.refuse(column, message % {"column": row.headers[column], **values})
        return None


# --- Meetings --------------------------------------------------------------------------------


def _read_meeting(row: Row) -> None:
    cells = row.cells
    for column in ("council", "held_on", "mode"):
        if not cells[column].text and cells[column].value is None:
            row.refuse_empty(column)
    held_on = row.date("held_on")
    _not_after_today(row, "held_on", held_on)
    row.record = new_record(
        Meeting,
        held_on=held_on,
        mode=row.choice("mode", MeetingMode, MODE_ALIASES) or MeetingMode.ON_SITE,
        place=cells["place"].text,
        channel=cells["channel"].text,
        minutes=cells["minutes"].text,
        guests_count=_whole_number(row, "guests_count"),
    )


def _check_meetings(rows: list[Row], by) -> None:
    found = _Councils(rows, by, people=("chair", "recorder"), meetings=True)
    in_sheet = set()
    for row in rows:
        meeting: Meeting = row.record
        council = found.council(row)
        if council is None:
            continue
        meeting.council, meeting.organization = council, council.organization
        day = meeting.held_on
        if day is not None and not council.sits_on(day):
            day = None  # the date is refused below; the members are looked up by name alone
        for column in ("chair", "recorder"):
            if name := row.cells[column].text:
                setattr(meeting, column, found.person(row, column, council, name))
        present = [
            found.member(row, "present", council, n, day) for n in _names(row.cells["present"].text)
        ]
        row.present = list({person.pk: person for person in present if person}.values())
        meeting._present = row.present  # written with the meeting (_write_meetings)
        if meeting.held_on is not None:
            day = meeting.held_on
            if found.meetings[council.pk].get(day) or (council.pk, day) in in_sheet:
                message = _("%(council)s already has a meeting on %(day)s")
                row.refuse("held_on", message % {"council": council.name, "day": day})
            in_sheet.add((council.pk, day))
        row.full_clean(
            meeting, exclude=["organization", "council", "chair", "recorder", "client_id"]
        )


def _write_meetings(records: list[Meeting], *, by, progress) -> list[Meeting]:
    """The meetings, then the members present at each, one history row each."""
    meetings = write_records(Meeting, records, by=by, progress=progress)
    present = [
        new_record(MeetingAttendance, meeting_id=meeting.pk, person_id=person.pk)
        for meeting in meetings
        for person in meeting._present
    ]
    insert_with_history(MeetingAttendance, present, by=by)
    return meetings


MEETINGS = Importer(
    model=Meeting,
    columns=MEETING_COLUMNS,
    read_row=_read_meeting,
    check_rows=_check_meetings,
    create=_write_meetings,
    row_type=_MeetingRow,
    done=gettext_lazy("%(count)d council meetings were imported."),
)


def meetings_import(*, data: bytes, by, dry_run: bool, **options) -> ImportReport:
    """Add a council's past meetings (议事会, 会议日期, 会议形式, 地点, 线上渠道, 主持人, 记录人,
    出席成员, 列席嘉宾人数, 会议纪要): all or none."""
    return MEETINGS.run(data=data, by=by, dry_run=dry_run, **options)


# --- Topics ----------------------------------------------------------------------------------

# What each status needs from the sheet, and what only some statuses may be given.
ONLY_FOR = {
    "not_adopted_reason": (TopicStatus.NOT_ADOPTED,),
    "responsible_organization": HAS_ASSIGNEE,
    "assigned_on": HAS_ASSIGNEE,
    "due_on": HAS_ASSIGNEE,
    "closed_on": CLOSED,
    "result_kind": (TopicStatus.TURNED_INTO_RESULT,),
}
ASSIGNED_NEEDS = ("responsible_organization", "assigned_on", "due_on")
NEEDS = {
    TopicStatus.NOT_ADOPTED: ("not_adopted_reason",),
    **{status: ASSIGNED_NEEDS for status in HAS_ASSIGNEE},
    TopicStatus.RESOLVED: (*ASSIGNED_NEEDS, "closed_on"),
    TopicStatus.TURNED_INTO_RESULT: (*ASSIGNED_NEEDS, "closed_on", "result_kind"),
}


def _given(row: Row, column: str) -> bool:
    return bool(row.cells[column].text) or row.cells[column].value is not None


def _read_topic(row: Row) -> None:
    cells = row.cells
    for column in ("council", "raised_on", "title", "category"):
        if not _given(row, column):
            row.refuse_empty(column)
    status = row.choice("status", TopicStatus, STATUS_ALIASES) or (
        "" if cells["status"].text else TopicStatus.RAISED
    )
    for column in NEEDS.get(status, ()):
        if not _given(row, column):
            message = _("%(column)s is needed when the status is %(status)s")
            row.refuse(
                column,
                message % {"column": row.headers[column], "status": TopicStatus(status).label},
            )
    for column, statuses in ONLY_FOR.items():
        if status and status not in statuses and _given(row, column):
            message = _("%(column)s is given only when the status is %(statuses)s")
            names = "、".join(str(TopicStatus(s).label) for s in statuses)
            row.refuse(column, message % {"column": row.headers[column], "statuses": names})
    raised_on, assigned_on = row.date("raised_on"), row.date("assigned_on")
    closed_on, due_on = row.date("closed_on"), row.date("due_on")
    meeting_day = row.date("meeting")
    row.record_days = {"raised_on": raised_on, "assigned_on": assigned_on, "closed_on": closed_on}
    for column, day in (
        ("raised_on", raised_on),
        ("assigned_on", assigned_on),
        ("closed_on", closed_on),
    ):
        _not_after_today(row, column, day)
    for later, earlier in (("assigned_on", "raised_on"), ("closed_on", "assigned_on")):
        first, then = row.record_days.get(earlier), row.record_days.get(later)
        if first and then and then < first:
            message = _("%(column)s is before %(other)s")
            row.refuse(
                later, message % {"column": row.headers[later], "other": row.headers[earlier]}
            )
    via = row.choice("raised_via", RaisedVia, VIA_ALIASES)
    if not via:
        via = RaisedVia.MEETING if _given(row, "meeting") else RaisedVia.ONLINE_HALL
    if via == RaisedVia.MEETING and not _given(row, "meeting") and not row.refused & {"raised_via"}:
        row.refuse_empty("meeting")
    row.meeting_day = meeting_day
    row.record = new_record(
        Topic,
        raised_via=via,
        raised_on=raised_on,
        title=cells["title"].text,
        description=cells["description"].text,
        status=status or TopicStatus.RAISED,
        not_adopted_reason=cells["not_adopted_reason"].text,
        assigned_on=assigned_on,
        due_on=due_on,
        closed_on=closed_on,
        result_kind=row.choice("result_kind", ResultKind, RESULT_ALIASES),
        evidence=cells["evidence"].text,
        feedback=cells["feedback"].text,
    )


def _categories() -> dict[str, TopicCategory]:
    found = {}
    for category in selectors.category_list():
        found[category.code.lower()] = found[category.name] = category
    return found


def _reachable(rows: list[Row], by) -> dict[str, list[Organization]]:
    """The organizations the rows' 责任单位 may name, by code and name, among the importer's
    subtree and its ancestors (docs/scoping.md, exception one): one query. Whether one is the
    council's own, below it or above it is the model's rule."""
    texts = {row.cells["responsible_organization"].text for row in rows} - {""}
    found = defaultdict(list)
    if texts:
        named = Organization.objects.filter(Q(code__in=texts) | Q(name__in=texts))
        for organization in with_ancestors(named, by):
            found[organization.code].append(organization)
            if organization.name != organization.code:
                found[organization.name].append(organization)
    return found


def _check_topics(rows: list[Row], by) -> None:
    councils = _Councils(rows, by, people=("raised_by",), meetings=True)
    categories = _categories()
    organizations = _reachable(rows, by)
    titles = {row.cells["title"].text for row in rows} - {""}
    ids = [council.pk for found in councils.named.values() for council in found]
    seen = set(
        scoped(Topic.objects.filter(council_id__in=ids, title__in=titles), by)
        .alive()
        .values_list("council_id", "raised_on", "title")
    )
    for row in rows:
        topic: Topic = row.record
        text = row.cells["category"].text
        category = categories.get(text) or categories.get(text.lower())
        if category is not None:
            topic.category = category
        elif text:
            message = _("unknown %(column)s %(value)s")
            row.refuse(
                "category", message % {"column": row.headers["category"], "value": text[:50]}
            )
        council = councils.council(row)
        if council is None:
            continue
        topic.council, topic.organization = council, council.organization
        key = (council.pk, topic.raised_on, topic.title)
        if topic.raised_on and topic.title and key in seen:
            message = _("%(council)s already has the topic %(title)s raised on %(day)s")
            values = {"council": council.name, "title": topic.title[:50], "day": topic.raised_on}
            row.refuse("title", message % values)
        seen.add(key)
        if row.meeting_day and topic.raised_via == RaisedVia.MEETING:
            held = councils.meetings[council.pk].get(row.meeting_day, [])
            if len(held) == 1:
                topic.meeting = held[0]
            else:
                message = _("%(council)s has no meeting on %(day)s: import the meetings first")
                if held:
                    message = _("%(council)s has several meetings on %(day)s")
                row.refuse("meeting", message % {"council": council.name, "day": row.meeting_day})
        if name := row.cells["raised_by"].text:
            topic.raised_by = councils.person(row, "raised_by", council, name)
        if text := row.cells["responsible_organization"].text:
            _responsible(row, topic, organizations.get(text, []), text)
        row.full_clean(
            topic,
            exclude=[
                "organization",
                "council",
                "meeting",
                "raised_by",
                "category",
                "responsible_organization",
                "client_id",
            ],
        )


def _responsible(row: Row, topic: Topic, found: list[Organization], text: str) -> None:
    """An organization of the tree (the council's own, one below or above it) by code or name;
    any other text is an outside body (the town's water office)."""
    mine = topic.organization.path
    near = [o for o in found if o.path.startswith(mine) or mine.startswith(o.path)]
    if len(near) == 1:
        topic.responsible_organization = near[0]
    elif len(near) > 1:
        message = _("%(count)d organizations are named %(name)s: give the code")
        row.refuse("responsible_organization", message % {"count": len(near), "name": text[:50]})
    elif found:
        column = row.headers["responsible_organization"]
        message = _("%(column)s: %(problem)s") % {
            "column": column,
            "problem": ASSIGNEE_OUT_OF_REACH,
        }
        row.refuse("responsible_organization", message)
    else:
        topic.responsible_body = text


TOPICS = Importer(
    model=Topic,
    columns=TOPIC_COLUMNS,
    read_row=_read_topic,
    check_rows=_check_topics,
    row_type=_TopicRow,
    done=gettext_lazy("%(count)d council topics were imported."),
)


def topics_import(*, data: bytes, by, dry_run: bool, **options) -> ImportReport:
    """Add a council's past topics (议事会, 提出日期, 议题, 议题类别, 提出方式, 会议日期, 提出人,
    议题内容, 状态, 不予采纳理由, 责任单位, 交办日期, 办理时限, 办结日期, 成果类型, 佐证材料,
    反馈情况), each at the status it reached: all or none."""
    return TOPICS.run(data=data, by=by, dry_run=dry_run, **options)

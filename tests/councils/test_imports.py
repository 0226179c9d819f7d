"""A council's past meetings and topics from Excel (apps/councils/imports.py): a dry run lists
every bad row in Chinese, then all rows or none; people named within the council
(docs/councils.md, Importing past meetings and topics)."""

import datetime
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.actors import SYSTEM
from apps.councils.imports import (
    MEETING_COLUMNS,
    TOPIC_COLUMNS,
    meetings_import,
    topics_import,
)
from apps.councils.models import Meeting, MeetingAttendance, Topic
from apps.organizations.roles import Role
from tests.factories.councils import make_council, make_council_member, make_meeting
from tests.factories.members import make_member
from tests.factories.xlsx import xlsx

pytestmark = pytest.mark.django_db

MEETINGS = [column.header for column in MEETING_COLUMNS]
TOPICS = [column.header for column in TOPIC_COLUMNS]
COUNCIL = "甲一“小马扎”妇女议事会"


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture
def council(tree):
    council = make_council(tree.village_a1, name=COUNCIL, established_on=datetime.date(2024, 1, 1))
    for name, role in (("王芳", "convener"), ("李娟", "member"), ("赵敏", "invited")):
        make_council_member(
            tree.village_a1,
            council=council,
            person=make_member(tree.village_a1, name=name),
            role=role,
        )
    return council


def meeting_line(**cells) -> list:
    values = {
        "议事会": COUNCIL,
        "会议日期": "2024-03-08",
        "会议形式": "线下",
        "地点": "村文化礼堂",
        "线上渠道": "",
        "主持人": "王芳",
        "记录人": "李娟",
        "出席成员": "王芳、李娟，赵敏",
        "列席嘉宾人数": 2,
        "会议纪要": "讨论路灯维修。",
        **cells,
    }
    return [values[header] for header in MEETINGS]


_titles = itertools.count(1)


def topic_line(**cells) -> list:
    """A topic's row; each a title of its own (a council's topic of one day and title is on
    file once)."""
    values = {header: "" for header in TOPICS}
    values.update(
        {
            "议事会": COUNCIL,
            "提出日期": "2024-03-08",
            "议题": f"村道路灯不亮（{next(_titles)}）",
            "议题类别": "村务",
            "会议日期": "2024-03-08",
            "状态": "已提出",
            **cells,
        }
    )
    return [values[header] for header in TOPICS]


def test_meetings_are_imported_whole_with_the_members_present(tree, council, user_in):
    staff = user_in(tree.street_a, Role.STAFF)
    make_member(tree.village_a1, name="孙主任")  # of the village, not of the council
    data = xlsx(
        MEETINGS,
        meeting_line(记录人="孙主任"),
        meeting_line(
            会议日期=datetime.date(2024, 4, 2),
            会议形式="云上议事厅",
            地点="",
            线上渠道="微信群",
            出席成员="李娟",
            列席嘉宾人数="",
        ),
    )

    dry = meetings_import(data=data, by=staff, dry_run=True)
    assert (dry.errors, dry.created, Meeting.objects.count()) == ([], [], 0)
    report = meetings_import(data=data, by=staff, dry_run=False)

    assert report.errors == [] and len(report.created) == 2
    on_site, online = Meeting.objects.order_by("held_on")
    assert (on_site.council, on_site.organization, on_site.mode) == (
        council,
        tree.village_a1,
        "on_site",
    )
    assert (on_site.chair.name, on_site.recorder.name, on_site.guests_count) == (
        "王芳",
        "孙主任",
        2,
    )
    assert sorted(p.name for p in on_site.present_people) == ["李娟", "王芳", "赵敏"]
    assert (online.mode, online.channel, online.guests_count) == ("online", "微信群", 0)
    assert [p.name for p in online.present_people] == ["李娟"]
    assert on_site.history.get().history_user == staff
    assert MeetingAttendance.history.filter(history_user=staff).count() == 4


def test_every_bad_meeting_row_is_reported_in_chinese_and_nothing_is_stored(tree, council, user_in):
    staff = user_in(tree.street_a, Role.STAFF)
    make_member(tree.village_a1, name="陈路人")  # of the village, not of the council
    make_meeting(tree.village_a1, council=council, held_on=datetime.date(2024, 5, 1))
    make_council(tree.village_b1, name="乙一议事会")
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    rows = [
        meeting_line(),  # row 2: correct
        meeting_line(会议日期="2024-03-09", 出席成员="王芳、陈路人"),  # 3: not a member
        meeting_line(议事会="乙一议事会"),  # 4: another street's council does not exist for her
        meeting_line(会议日期="2023-12-31"),  # 5: before the council was established
        meeting_line(会议日期="2024-03-10", 会议形式="云上议事厅"),  # 6: online, no channel
        meeting_line(会议日期="2024-05-01"),  # 7: a meeting that day is on file
        meeting_line(会议日期="2024-03-08"),  # 8: the same day as row 2
        meeting_line(会议日期=tomorrow),  # 9: a past meeting only
        meeting_line(会议日期="2024-03-11", 列席嘉宾人数="很多"),  # 10
        meeting_line(会议日期="2024-03-12", 会议形式="电话"),  # 11
        meeting_line(会议日期="2024-03-13", 主持人="不认识"),  # 12: nobody of the council
    ]

    report = meetings_import(data=xlsx(MEETINGS, *rows), by=staff, dry_run=False)

    errors = dict(report.errors)
    assert sorted(errors) == list(range(3, 13))
    assert all(chinese(text) for text in errors.values())
    assert "陈路人" in errors[3]
    assert not Meeting.objects.exclude(held_on=datetime.date(2024, 5, 1)).exists()
    assert not MeetingAttendance.objects.exists() and report.created == []


def test_topics_are_imported_at_the_status_they_reached(tree, council, user_in):
    staff = user_in(tree.street_a, Role.STAFF)
    meeting = make_meeting(tree.village_a1, council=council, held_on=datetime.date(2024, 3, 8))
    make_member(tree.village_a1, name="孙居民")  # a resident of the village, not a member
    closed = {"交办日期": "2024-03-15", "办理时限": "2024-04-30", "办结日期": "2024-04-20"}
    rows = [
        topic_line(提出人="赵敏"),
        topic_line(状态="已采纳", 议题类别="family"),
        topic_line(状态="不予采纳", 不予采纳理由="不属于议事范围", 反馈情况="已告知"),
        topic_line(
            状态="已交办",
            责任单位=tree.village_a1.code,
            交办日期="2024-03-15",
            办理时限="2024-04-30",
        ),
        topic_line(
            状态="办理中", 责任单位=tree.street_a.name, 交办日期="2024-03-15", 办理时限="2024-04-30"
        ),
        topic_line(状态="已解决", 责任单位="镇供电所", 佐证材料="照片", **closed),
        topic_line(
            状态="成果转化",
            成果类型="制度",
            责任单位=tree.village_a1.name,
            提出方式="云上议事厅",
            会议日期="",
            提出人="孙居民",
            **closed,
        ),
    ]

    dry = topics_import(data=xlsx(TOPICS, *rows), by=staff, dry_run=True)
    assert dry.errors == [] and not Topic.objects.exists()
    report = topics_import(data=xlsx(TOPICS, *rows), by=staff, dry_run=False)

    assert report.errors == [] and len(report.created) == 7
    topics = list(Topic.objects.order_by("id"))
    assert [t.status for t in topics] == [
        "raised",
        "accepted",
        "not_adopted",
        "assigned",
        "in_progress",
        "resolved",
        "result",
    ]
    raised, accepted, refused, assigned, started, resolved, result = topics
    assert (raised.meeting, raised.raised_by.name, raised.organization) == (
        meeting,
        "赵敏",
        tree.village_a1,
    )
    assert accepted.category.code == "family"
    assert refused.not_adopted_reason == "不属于议事范围"
    assert (assigned.responsible_organization, assigned.due_on) == (
        tree.village_a1,
        datetime.date(2024, 4, 30),
    )
    assert started.responsible_organization == tree.street_a  # upward: its street
    assert (resolved.responsible_body, resolved.closed_on) == (
        "镇供电所",
        datetime.date(2024, 4, 20),
    )
    assert (result.result_kind, result.raised_via, result.meeting) == ("rule", "online_hall", None)
    assert result.raised_by.name == "孙居民"
    for topic in topics:
        topic.full_clean()  # what the services would have let through


def test_every_bad_topic_row_is_reported_in_chinese_and_nothing_is_stored(tree, council, user_in):
    staff = user_in(tree.street_a, Role.STAFF)
    make_meeting(tree.village_a1, council=council, held_on=datetime.date(2024, 3, 8))
    assigned = {"交办日期": "2024-03-15", "办理时限": "2024-04-30"}
    rows = [
        topic_line(议题="楼道堆物"),  # row 2: correct
        topic_line(状态="不予采纳"),  # 3: no reason
        topic_line(状态="已交办", 责任单位="区住建局"),  # 4: no days
        topic_line(状态="已交办", 责任单位=tree.village_a2.name, **assigned),  # 5: a sibling
        topic_line(状态="已采纳", 责任单位="区住建局"),  # 6: only when assigned
        topic_line(状态="成果转化", 责任单位="区住建局", 办结日期="2024-04-01", **assigned),  # 7
        topic_line(议题类别="没有的类别"),  # 8
        topic_line(会议日期="2024-03-09"),  # 9: no meeting that day
        topic_line(提出人="不认识"),  # 10
        topic_line(
            状态="已交办", 责任单位="区住建局", 交办日期="2024-03-15", 办理时限="2024-03-01"
        ),
        topic_line(状态="完成了"),  # 12
        topic_line(
            状态="已解决", 责任单位="区住建局", 办结日期="2024-03-10", **assigned
        ),  # 13: closed before assigned
        topic_line(议题="楼道堆物"),  # 14: the same topic as row 2
    ]

    report = topics_import(data=xlsx(TOPICS, *rows), by=staff, dry_run=False)

    errors = dict(report.errors)
    assert sorted(errors) == list(range(3, 15))
    assert all(chinese(text) for text in errors.values())
    assert "不予采纳理由" in errors[3] and "交办日期" in errors[4]
    assert "成果类型" in errors[7]
    assert not Topic.objects.exists() and report.created == []


def test_a_council_out_of_reach_does_not_exist_for_the_importer(tree, council, user_in):
    other = user_in(tree.village_b1, Role.STAFF)

    report = topics_import(data=xlsx(TOPICS, topic_line()), by=other, dry_run=True)

    assert len(report.errors) == 1 and COUNCIL in report.errors[0][1]
    assert chinese(report.errors[0][1].replace(COUNCIL, ""))


def test_the_checks_cost_the_same_queries_for_3_rows_as_for_300(tree, council):
    make_meeting(tree.village_a1, council=council, held_on=datetime.date(2024, 3, 8))

    def queries(count):
        row = topic_line(
            提出人="王芳",
            状态="已交办",
            责任单位=tree.street_a.code,
            交办日期="2024-03-15",
            办理时限="2024-04-30",
        )
        title = TOPICS.index("议题")
        rows = [[*row[:title], f"议题{n}", *row[title + 1 :]] for n in range(count)]
        with CaptureQueriesContext(connection) as run:
            report = topics_import(data=xlsx(TOPICS, *rows), by=SYSTEM, dry_run=True)
        assert report.errors == []
        return len(run.captured_queries)

    assert queries(3) == queries(300)


def test_the_admin_pages_take_the_sheets(tree, council, user_in, browser_as):
    page = browser_as(user_in(tree.street_a, Role.STAFF))
    assert "/admin/councils/meeting/import/" in page.get("/admin/councils/meeting/").text

    sheet = SimpleUploadedFile("会议.xlsx", xlsx(MEETINGS, meeting_line()))
    answer = page.post("/admin/councils/meeting/import/", {"file": sheet, "dry_run": ""})
    assert answer.status_code == 200 and Meeting.objects.count() == 1

    sheet = SimpleUploadedFile("议题.xlsx", xlsx(TOPICS, topic_line(状态="已解决")))
    answer = page.post("/admin/councils/topic/import/", {"file": sheet, "dry_run": "on"})
    assert answer.status_code == 200 and not Topic.objects.exists()
    assert "办结日期" in answer.text

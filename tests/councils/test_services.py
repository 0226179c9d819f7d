"""Councils' writes: meetings and their attendance, topics and every move of their table, and
the bad input each refuses with nothing saved (docs/councils.md)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import override

from apps.core.actors import SYSTEM
from apps.core.transitions import IllegalMove, StaleVersion
from apps.councils import services
from apps.councils.choices import TOPIC_MOVES, TopicStatus
from apps.councils.models import Meeting, MeetingAttendance, Topic
from apps.organizations.roles import Role
from tests.factories.councils import make_council, make_council_member, make_meeting, make_topic
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 6, 10, 10, 0, tzinfo=datetime.UTC)
DAY = datetime.date(2025, 6, 10)

# What each move takes in these tests, beyond the status.
NEEDS = {
    TopicStatus.ACCEPTED: {},
    TopicStatus.NOT_ADOPTED: {"not_adopted_reason": "不属于议事范围"},
    TopicStatus.ASSIGNED: {"responsible_body": "镇水务站", "due_on": datetime.date(2025, 7, 1)},
    TopicStatus.IN_PROGRESS: {},
    TopicStatus.RESOLVED: {"evidence": "已修复", "feedback": "已告知提出人"},
    TopicStatus.TURNED_INTO_RESULT: {"result_kind": "rule", "feedback": "写入村规民约"},
}
# The way to reach each status from raised.
PATH = {
    TopicStatus.RAISED: [],
    TopicStatus.ACCEPTED: [TopicStatus.ACCEPTED],
    TopicStatus.NOT_ADOPTED: [TopicStatus.NOT_ADOPTED],
    TopicStatus.ASSIGNED: [TopicStatus.ACCEPTED, TopicStatus.ASSIGNED],
    TopicStatus.IN_PROGRESS: [TopicStatus.ACCEPTED, TopicStatus.ASSIGNED, TopicStatus.IN_PROGRESS],
    TopicStatus.RESOLVED: [
        TopicStatus.ACCEPTED,
        TopicStatus.ASSIGNED,
        TopicStatus.IN_PROGRESS,
        TopicStatus.RESOLVED,
    ],
    TopicStatus.TURNED_INTO_RESULT: [
        TopicStatus.ACCEPTED,
        TopicStatus.ASSIGNED,
        TopicStatus.IN_PROGRESS,
        TopicStatus.TURNED_INTO_RESULT,
    ],
}
PAIRS = [(source, to) for source in TopicStatus.values for to in TOPIC_MOVES]


def topic_at(organization, status, **fields) -> Topic:
    topic = make_topic(organization, **fields)
    for to in PATH[status]:
        topic = services.topic_transition(by=SYSTEM, topic=topic, to=to, now=NOW, **NEEDS[to])
    return topic


def chinese(exc: ValidationError, field: str) -> str:
    with override("zh-hans"):
        return " ".join(str(message) for message in exc.message_dict[field])


# --- Every move of the table, legal and illegal ------------------------------------------------


@pytest.mark.parametrize(("source", "to"), PAIRS, ids=[f"{s}->{t}" for s, t in PAIRS])
def test_every_move_is_made_exactly_where_the_table_allows_it(tree, source, to):
    topic = topic_at(tree.village_a1, source)
    history = topic.history.count()

    if source in TOPIC_MOVES[to].sources:
        moved = services.topic_transition(
            by=SYSTEM, topic=topic, to=to, note="议事会决定", now=NOW, **NEEDS[to]
        )
        assert moved.status == to
        assert moved.history.count() == history + 1
        assert moved.history.first().history_change_reason == "议事会决定"
    else:
        with pytest.raises(IllegalMove):
            services.topic_transition(by=SYSTEM, topic=topic, to=to, now=NOW, **NEEDS[to])
        topic.refresh_from_db()
        assert topic.status == source
        assert topic.history.count() == history


def test_the_moves_note_the_day_assigned_and_the_day_closed_from_now(tree):
    topic = topic_at(tree.village_a1, TopicStatus.RESOLVED)

    assert topic.assigned_on == DAY
    assert topic.closed_on == DAY
    assert (topic.evidence, topic.feedback) == ("已修复", "已告知提出人")


def test_a_stale_version_moves_nothing(tree):
    topic = make_topic(tree.village_a1)
    services.topic_update(by=SYSTEM, topic=topic, title="村道路灯仍不亮")

    with pytest.raises(StaleVersion):
        services.topic_transition(by=SYSTEM, topic=topic, to="accepted", version=1, now=NOW)

    topic.refresh_from_db()
    assert topic.status == TopicStatus.RAISED


def test_a_role_that_may_not_change_topics_moves_none(tree, user_in):
    topic = make_topic(tree.village_a1)

    with pytest.raises(PermissionDenied):
        services.topic_transition(
            by=user_in(tree.village_a1, Role.LEADERSHIP), topic=topic, to="accepted", now=NOW
        )


def test_a_move_without_what_it_needs_is_refused(tree):
    topic = make_topic(tree.village_a1)

    with pytest.raises(ValidationError) as refused:
        services.topic_transition(by=SYSTEM, topic=topic, to="not_adopted", now=NOW)

    assert "not_adopted_reason" in refused.value.message_dict
    topic.refresh_from_db()
    assert topic.status == TopicStatus.RAISED


def test_an_assignment_names_one_body_not_two_nor_none(tree):
    for needs in (
        {"due_on": datetime.date(2025, 7, 1)},
        {
            "due_on": datetime.date(2025, 7, 1),
            "responsible_body": "镇水务站",
            "responsible_organization": tree.street_a,
        },
    ):
        topic = topic_at(tree.village_a1, TopicStatus.ACCEPTED)
        with pytest.raises(ValidationError) as refused:
            services.topic_transition(by=SYSTEM, topic=topic, to="assigned", now=NOW, **needs)
        assert "一" in chinese(refused.value, "responsible_organization")
        topic.refresh_from_db()
        assert topic.status == TopicStatus.ACCEPTED


def test_a_topic_is_assigned_to_the_councils_street_above_it(tree):
    topic = topic_at(tree.village_a1, TopicStatus.ACCEPTED)

    moved = services.topic_transition(
        by=SYSTEM,
        topic=topic,
        to="assigned",
        now=NOW,
        responsible_organization=tree.street_a,
        due_on=datetime.date(2025, 7, 1),
    )

    assert moved.responsible_organization == tree.street_a


# --- Bad input: a clear Chinese message, nothing saved ------------------------------------------


def test_a_topic_assigned_outside_the_scope_and_not_an_ancestor_is_refused(tree):
    topic = topic_at(tree.village_a1, TopicStatus.ACCEPTED)

    with pytest.raises(ValidationError) as refused:
        services.topic_transition(
            by=SYSTEM,
            topic=topic,
            to="assigned",
            now=NOW,
            responsible_organization=tree.village_a2,  # a sibling: neither below nor above
            due_on=datetime.date(2025, 7, 1),
        )

    assert chinese(refused.value, "responsible_organization") == (
        "责任组织须为议事会所在组织、其下级组织或其上级组织。"
    )
    topic.refresh_from_db()
    assert (topic.status, topic.responsible_organization_id) == (TopicStatus.ACCEPTED, None)


def test_a_due_date_before_the_assignment_is_refused(tree):
    topic = topic_at(tree.village_a1, TopicStatus.ACCEPTED)

    with pytest.raises(ValidationError) as refused:
        services.topic_transition(
            by=SYSTEM,
            topic=topic,
            to="assigned",
            now=NOW,
            responsible_body="镇水务站",
            due_on=DAY - datetime.timedelta(days=1),
        )

    assert chinese(refused.value, "due_on") == "截止日期不能早于交办日期。"
    topic.refresh_from_db()
    assert (topic.status, topic.due_on, topic.assigned_on) == (TopicStatus.ACCEPTED, None, None)


def test_an_illegal_move_names_itself_in_chinese(tree):
    topic = make_topic(tree.village_a1)

    with pytest.raises(IllegalMove), override("zh-hans"):
        services.topic_transition(by=SYSTEM, topic=topic, to="resolved", now=NOW)

    with override("zh-hans"):
        assert str(IllegalMove.message) == "该记录当前的状态不能变更为所选状态。"


def test_a_meeting_before_the_council_was_established_is_refused(tree):
    council = make_council(tree.village_a1, established_on=datetime.date(2024, 1, 1))

    with pytest.raises(ValidationError) as refused:
        services.meeting_create(
            by=SYSTEM, council=council, held_on=datetime.date(2023, 12, 31), place="村委会"
        )

    assert chinese(refused.value, "held_on") == "会议日期早于议事会成立日期。"
    assert not Meeting.objects.filter(council=council).exists()


def test_a_non_member_attending_as_a_member_is_refused_and_no_meeting_is_kept(tree):
    council = make_council(tree.village_a1)
    member = make_council_member(tree.village_a1, council=council).person
    stranger = make_member(tree.village_a1, name="王小红")

    with pytest.raises(ValidationError) as refused:
        services.meeting_create(
            by=SYSTEM,
            council=council,
            held_on=datetime.date(2024, 3, 8),
            place="村委会",
            attendance=[member, stranger],
        )

    assert chinese(refused.value, "attendance") == ("此人在会议当天不是议事会成员。（王小红）")
    assert not Meeting.objects.filter(council=council).exists()
    assert not MeetingAttendance.objects.exists()


def test_a_member_whose_term_ended_before_the_meeting_is_not_a_member_that_day(tree):
    council = make_council(tree.village_a1)
    former = make_council_member(
        tree.village_a1, council=council, term_end=datetime.date(2024, 2, 1)
    ).person

    with pytest.raises(ValidationError):
        make_meeting(tree.village_a1, council=council, attendance=[former])

    assert not Meeting.objects.filter(council=council).exists()


def test_an_online_meeting_says_its_channel(tree):
    council = make_council(tree.village_a1)

    with pytest.raises(ValidationError) as refused:
        make_meeting(tree.village_a1, council=council, mode="online", place="")

    assert "channel" in refused.value.message_dict
    assert not Meeting.objects.filter(council=council).exists()


def test_attendance_is_replaced_by_the_list_given(tree):
    council = make_council(tree.village_a1)
    one, two, three = (make_council_member(tree.village_a1, council=council).person for _ in "123")
    meeting = make_meeting(tree.village_a1, council=council, attendance=[one, two])

    services.meeting_update(by=SYSTEM, meeting=meeting, attendance=[two, three], guests_count=3)

    meeting.refresh_from_db()
    assert {p.pk for p in meeting.present_people} == {two.pk, three.pk}
    assert meeting.guests_count == 3


def test_a_dissolved_council_keeps_its_meetings_and_takes_none_after(tree):
    council = make_council(tree.village_a1)
    kept = make_meeting(tree.village_a1, council=council, held_on=datetime.date(2024, 5, 1))
    services.council_update(by=SYSTEM, council=council, dissolved_on=datetime.date(2024, 6, 30))

    with pytest.raises(ValidationError) as refused:
        make_meeting(tree.village_a1, council=council, held_on=datetime.date(2024, 7, 1))

    assert "held_on" in refused.value.message_dict
    assert list(Meeting.objects.filter(council=council)) == [kept]


def test_a_topic_raised_at_a_meeting_of_another_council_is_refused(tree):
    other = make_meeting(tree.village_a1)
    council = make_council(tree.village_a1, name="第二议事会")

    with pytest.raises(ValidationError) as refused:
        make_topic(tree.village_a1, council=council, meeting=other)

    assert "meeting" in refused.value.message_dict
    assert not Topic.objects.filter(council=council).exists()


def test_a_dissolved_council_takes_no_new_member(tree):
    council = make_council(tree.village_a1, dissolved_on=datetime.date(2024, 6, 30))

    with pytest.raises(ValidationError) as refused:
        make_council_member(tree.village_a1, council=council)

    assert chinese(refused.value, "council") == "该议事会已撤销，不能再增加成员。"
    assert not council.members.exists()

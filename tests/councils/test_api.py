"""/api/v1/councils/, councils/meetings/ and councils/topics/ with its transition door: what a
station and a street do through the API, and the bad input it answers in Chinese with nothing
saved (docs/councils.md, docs/api.md)."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.councils.models import Meeting, MeetingAttendance, Topic
from apps.organizations.roles import Role
from tests.factories.councils import make_council, make_council_member, make_meeting, make_topic
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

COUNCILS, MEETINGS, TOPICS = (
    "/api/v1/councils/",
    "/api/v1/councils/meetings/",
    "/api/v1/councils/topics/",
)


@pytest.fixture
def station(tree, user_in, api_as):
    return api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))


@pytest.fixture
def council(tree):
    return make_council(tree.village_a1, established_on=datetime.date(2024, 1, 1))


def meeting_body(council, **fields):
    return {
        "client_id": str(uuid.uuid4()),
        "council": council.pk,
        "held_on": "2024-03-08",
        "place": "村文化礼堂",
        **fields,
    }


def move(client, topic, to, **fields):
    topic.refresh_from_db()
    body = {"to": to, "version": topic.version, **fields}
    return client.post(f"{TOPICS}{topic.pk}/transition/", body, format="json")


# --- Councils and meetings -------------------------------------------------------------------


def test_street_staff_set_up_a_council_for_a_village(tree, user_in, api_as):
    staff = api_as(user_in(tree.street_a, Role.STAFF))

    answer = staff.post(
        COUNCILS,
        {
            "client_id": str(uuid.uuid4()),
            "organization": tree.village_a1.pk,
            "name": "小马扎妇女议事会",
            "established_on": "2024-01-01",
            "themes": "村务、邻里",
        },
        format="json",
    )

    assert answer.status_code == 201, answer.content
    assert answer.json()["organization"] == {"id": tree.village_a1.pk, "name": "甲一社区妇联"}


def test_a_station_records_an_online_meeting_with_the_members_present(tree, station, council):
    members = [make_council_member(tree.village_a1, council=council).person for _ in range(2)]

    answer = station.post(
        MEETINGS,
        meeting_body(
            council,
            mode="online",
            place="",
            channel="村妇女微信群",
            guests_count=2,
            attendance=[p.pk for p in members],
        ),
        format="json",
    )

    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["organization"]["id"] == tree.village_a1.pk
    assert sorted(row["id"] for row in body["attendance"]) == sorted(p.pk for p in members)
    assert body["guests_count"] == 2


def test_a_meeting_before_the_council_was_established_is_a_400_in_chinese(station, council):
    answer = station.post(MEETINGS, meeting_body(council, held_on="2023-12-31"), format="json")

    assert answer.status_code == 400
    assert answer.json()["held_on"] == ["会议日期早于议事会成立日期。"]
    assert not Meeting.objects.exists()


def test_a_non_member_attending_is_a_400_and_no_meeting_is_kept(tree, station, council):
    stranger = make_member(tree.village_a1, name="王小红")

    answer = station.post(MEETINGS, meeting_body(council, attendance=[stranger.pk]), format="json")

    assert answer.status_code == 400
    assert answer.json()["attendance"] == ["此人在会议当天不是议事会成员。（王小红）"]
    assert not Meeting.objects.exists()
    assert not MeetingAttendance.objects.exists()


def test_a_meeting_of_a_siblings_council_does_not_exist(tree, station):
    sibling = make_council(tree.village_a2)

    answer = station.post(MEETINGS, meeting_body(sibling), format="json")

    assert answer.status_code == 400
    assert "不存在" in answer.json()["council"][0]
    assert not Meeting.objects.exists()


def test_a_patch_replaces_the_attendance(tree, station, council):
    one, two = (make_council_member(tree.village_a1, council=council).person for _ in "12")
    meeting = make_meeting(tree.village_a1, council=council, attendance=[one])

    answer = station.patch(
        f"{MEETINGS}{meeting.pk}/",
        {"version": meeting.version, "attendance": [two.pk]},
        format="json",
    )

    assert answer.status_code == 200, answer.content
    assert [row["id"] for row in answer.json()["attendance"]] == [two.pk]


def test_a_meetings_page_costs_the_same_queries_for_one_as_for_ten(
    tree, station, council, django_assert_num_queries
):
    person = make_council_member(tree.village_a1, council=council).person
    make_meeting(tree.village_a1, council=council, attendance=[person], chair=person)
    station.get(MEETINGS)  # the token's first use is written once
    with CaptureQueriesContext(connection) as one:
        station.get(MEETINGS)
    for day in range(9):
        make_meeting(
            tree.village_a1,
            council=council,
            held_on=datetime.date(2024, 4, 1 + day),
            attendance=[person],
            chair=person,
        )

    with django_assert_num_queries(len(one.captured_queries)):
        answer = station.get(MEETINGS)

    assert len(answer.json()["results"]) == 10


# --- Topics and their moves ------------------------------------------------------------------


def test_a_resident_raises_a_topic_online_and_it_is_followed_to_a_result(tree, station, council):
    raiser = make_member(tree.village_a1, name="李大姐")
    answer = station.post(
        TOPICS,
        {
            "client_id": str(uuid.uuid4()),
            "council": council.pk,
            "raised_via": "online_hall",
            "raised_by": raiser.pk,
            "raised_on": "2024-03-08",
            "title": "村里缺少儿童活动场地",
            "category": "family",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    topic = Topic.objects.get(pk=answer.json()["id"])

    steps = [
        ("accepted", {}),
        ("assigned", {"responsible_organization": tree.street_a.pk, "due_on": "2099-01-01"}),
        ("in_progress", {}),
        ("result", {"result_kind": "project", "feedback": "已建成儿童之家"}),
    ]
    for to, fields in steps:
        answer = move(station, topic, to, **fields)
        assert answer.status_code == 200, answer.content

    body = answer.json()
    assert body["status"] == "result"
    assert body["responsible_organization"] == {"id": tree.street_a.pk, "name": "甲街道妇联"}
    assert body["result_kind"] == "project"
    assert body["closed_on"] is not None
    assert topic.history.count() == 5


def test_an_assignment_to_a_sibling_village_does_not_exist_and_moves_nothing(tree, station):
    topic = make_topic(tree.village_a1)
    assert move(station, topic, "accepted").status_code == 200

    answer = move(
        station,
        topic,
        "assigned",
        responsible_organization=tree.village_a2.pk,
        due_on="2099-01-01",
    )

    assert answer.status_code == 400
    assert "不存在" in answer.json()["responsible_organization"][0]
    topic.refresh_from_db()
    assert (topic.status, topic.responsible_organization_id) == ("accepted", None)


def test_a_due_date_before_the_assignment_is_a_400(tree, station):
    topic = make_topic(tree.village_a1)
    assert move(station, topic, "accepted").status_code == 200

    answer = move(station, topic, "assigned", responsible_body="镇水务站", due_on="2000-01-01")

    assert answer.status_code == 400
    assert answer.json()["due_on"] == ["截止日期不能早于交办日期。"]
    topic.refresh_from_db()
    assert topic.status == "accepted"


def test_an_illegal_move_is_a_409_in_chinese(tree, station):
    topic = make_topic(tree.village_a1)

    answer = move(station, topic, "resolved")

    assert answer.status_code == 409
    assert "不能变更为所选状态" in str(answer.json())
    topic.refresh_from_db()
    assert topic.status == "raised"


def test_a_patch_cannot_set_the_status_or_what_a_move_sets(tree, station):
    topic = make_topic(tree.village_a1)

    answer = station.patch(
        f"{TOPICS}{topic.pk}/",
        {"version": topic.version, "status": "resolved", "due_on": "2099-01-01", "title": "新标题"},
        format="json",
    )

    assert answer.status_code == 200, answer.content
    topic.refresh_from_db()
    assert (topic.status, topic.due_on, topic.title) == ("raised", None, "新标题")


def test_topics_filter_by_status_category_and_subtree(tree, user_in, api_as):
    family = make_topic(tree.village_a1, category_code="family")
    make_topic(tree.village_a2)
    staff = api_as(user_in(tree.street_a, Role.STAFF))

    def ids(query):
        return [row["id"] for row in staff.get(f"{TOPICS}?{query}").json()["results"]]

    assert ids("category=family") == [family.pk]
    assert ids(f"organization={tree.village_a1.pk}") == [family.pk]
    assert len(ids("status=raised")) == 2
    assert ids("status=resolved") == []
    assert ids("overdue=true") == []

"""Councils in the admin: members and attendance through the services, the topics' filters,
and moves only through the transitions service (docs/councils.md)."""

import datetime

import pytest

from apps.core.actors import SYSTEM
from apps.councils import services
from apps.councils.models import CouncilMember, Meeting, MeetingAttendance
from tests.factories.councils import make_council, make_council_member, make_meeting, make_topic
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

TOPICS = "/admin/councils/topic/"


def formset(prefix, rows, total=None, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(total if total is not None else len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


@pytest.fixture
def staff(tree, user_in, browser_as):
    return browser_as(user_in(tree.village_a1, "staff"))


def test_a_council_is_set_up_with_its_convener(tree, staff):
    person = make_member(tree.village_a1, name="张召集")

    answer = staff.post(
        "/admin/councils/council/add/",
        {
            "organization": tree.village_a1.pk,
            "name": "小马扎妇女议事会",
            "established_on": "2024-01-01",
            "themes": "村务",
            **formset(
                "members",
                [{"person": person.pk, "role": "convener", "term_start": "2024-01-01"}],
            ),
        },
    )

    assert answer.status_code == 302, answer.context["errors"] if answer.context else answer
    member = CouncilMember.objects.get()
    assert (member.person, member.role, member.organization) == (
        person,
        "convener",
        tree.village_a1,
    )


def test_a_meeting_with_a_non_member_present_is_refused_on_the_page(tree, staff):
    council = make_council(tree.village_a1)
    stranger = make_member(tree.village_a1, name="王小红")

    answer = staff.post(
        "/admin/councils/meeting/add/",
        {
            "council": council.pk,
            "held_on": "2024-03-08",
            "mode": "on_site",
            "place": "村委会",
            "guests_count": "0",
            **formset("attendance", [{"person": stranger.pk}]),
            **formset("topics", []),
        },
    )

    assert answer.status_code == 200
    assert "此人在会议当天不是议事会成员。（王小红）" in answer.content.decode()
    assert not Meeting.objects.exists()


def test_a_meeting_is_saved_with_its_members_present(tree, staff):
    council = make_council(tree.village_a1)
    person = make_council_member(tree.village_a1, council=council).person

    answer = staff.post(
        "/admin/councils/meeting/add/",
        {
            "council": council.pk,
            "held_on": "2024-03-08",
            "mode": "on_site",
            "place": "村委会",
            "guests_count": "1",
            **formset("attendance", [{"person": person.pk}]),
            **formset("topics", []),
        },
    )

    assert answer.status_code == 302
    assert list(MeetingAttendance.objects.values_list("person", flat=True)) == [person.pk]


def test_the_topics_list_filters_by_status_and_overdue(tree, staff):
    late = make_topic(tree.village_a1, title="逾期的议题")
    for to, needs in (
        ("accepted", {}),
        ("assigned", {"responsible_body": "镇水务站", "due_on": datetime.date(2024, 4, 1)}),
    ):
        late = services.topic_transition(
            by=SYSTEM,
            topic=late,
            to=to,
            now=datetime.datetime(2024, 3, 10, tzinfo=datetime.UTC),
            **needs,
        )
    make_topic(tree.village_a1, title="刚提出的议题")

    overdue = staff.get(TOPICS, {"overdue": "yes"}).content.decode()
    raised = staff.get(TOPICS, {"status__exact": "raised"}).content.decode()

    assert "逾期的议题" in overdue and "刚提出的议题" not in overdue
    assert "刚提出的议题" in raised and "逾期的议题" not in raised


def test_an_action_accepts_the_selected_topics_through_the_service(tree, staff):
    topic = make_topic(tree.village_a1)

    staff.post(TOPICS, {"action": "move_to_accepted", "_selected_action": [topic.pk]})

    topic.refresh_from_db()
    assert topic.status == "accepted"
    assert topic.history.first().history_change_reason == "accepted"


def test_the_status_page_offers_only_the_subtree_and_its_ancestors(tree, staff):
    topic = make_topic(tree.village_a1)
    services.topic_transition(by=SYSTEM, topic=topic, to="accepted")
    url = f"{TOPICS}{topic.pk}/transition/"

    page = staff.get(url).content.decode()
    refused = staff.post(
        url,
        {"to": "assigned", "responsible_organization": tree.village_a2.pk, "due_on": "2099-01-01"},
    )
    assigned = staff.post(
        url,
        {"to": "assigned", "responsible_organization": tree.street_a.pk, "due_on": "2099-01-01"},
    )

    assert tree.street_a.name in page and tree.village_a2.name not in page
    assert refused.status_code == 200
    assert assigned.status_code == 302
    topic.refresh_from_db()
    assert (topic.status, topic.responsible_organization) == ("assigned", tree.street_a)


def test_a_meetings_page_shows_its_topics(tree, staff):
    meeting = make_meeting(tree.village_a1)
    make_topic(tree.village_a1, council=meeting.council, meeting=meeting, title="路灯议题")

    answer = staff.get(f"/admin/councils/meeting/{meeting.pk}/change/")

    assert "路灯议题" in answer.content.decode()


def test_an_overdue_topic_is_counted_on_its_village_and_its_streets_pages(
    tree, user_in, browser_as
):
    topic = make_topic(tree.village_a1, title="逾期的议题")
    for to, needs in (
        ("accepted", {}),
        ("assigned", {"responsible_body": "镇水务站", "due_on": datetime.date(2024, 4, 1)}),
    ):
        topic = services.topic_transition(
            by=SYSTEM,
            topic=topic,
            to=to,
            now=datetime.datetime(2024, 3, 10, tzinfo=datetime.UTC),
            **needs,
        )
    client = browser_as(user_in(tree.district, "district_admin"))

    def overdue_on(organization) -> int:
        page = client.get(f"/admin/organizations/organization/{organization.pk}/change/")
        figures = {str(figure.label): figure.count for figure in page.context["figures"]}
        return figures["逾期的议事会议题"]

    assert overdue_on(tree.village_a1) == 1
    assert overdue_on(tree.street_a) == 1  # its parent
    assert overdue_on(tree.district) == 0  # not the grandparent's to chase
    assert overdue_on(tree.village_a2) == 0


def test_the_councils_list_filters_those_with_no_meeting_last_quarter(tree, staff):
    make_council(tree.village_a1, name="久未开会的议事会", established_on=datetime.date(2020, 1, 1))

    listed = staff.get("/admin/councils/council/", {"inactive": "yes"}).context["cl"]

    assert [council.name for council in listed.result_list] == ["久未开会的议事会"]

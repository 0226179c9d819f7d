"""The councils' figures on a hand-counted set, and the overdue and inactive flags with a frozen
clock (``now=``), each within the reader's subtree (docs/councils.md)."""

import datetime

import pytest

from apps.core.actors import SYSTEM
from apps.councils import selectors, services
from apps.organizations.roles import Role
from tests.factories.councils import make_council, make_meeting, make_topic

pytestmark = pytest.mark.django_db

START, END = datetime.date(2025, 1, 1), datetime.date(2025, 6, 30)


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, 10, tzinfo=datetime.UTC)


def moved(topic, *steps):
    """``steps``: (status, day, needs) — each move made on its day."""
    for to, day, needs in steps:
        topic = services.topic_transition(by=SYSTEM, topic=topic, to=to, now=at(day), **needs)
    return topic


def online_topic(council, raised_on, **fields):
    return make_topic(
        council.organization,
        council=council,
        raised_via="online_hall",
        raised_on=raised_on,
        **fields,
    )


def closed(council, raised_on: datetime.date, days: int, to="resolved"):
    """A topic raised on ``raised_on`` and closed ``days`` later."""
    topic = online_topic(council, raised_on)
    due = raised_on + datetime.timedelta(days=days + 30)
    needs = {"result_kind": "project"} if to == "result" else {}
    return moved(
        topic,
        ("accepted", raised_on, {}),
        ("assigned", raised_on, {"responsible_body": "镇政府", "due_on": due}),
        ("in_progress", raised_on, {}),
        (to, raised_on + datetime.timedelta(days=days), needs),
    )


@pytest.fixture
def counted(tree):
    """Two councils of street A's villages and one of street B's, as in the docstring's count:

    council A1: meetings 2025-02-01 on site, 03-01 online, 04-01 on site (and 2024-12-31, before
    the period); topics t1 resolved in 10 days, t2 turned into a result in 30, t3 not
    adopted, t4 assigned, t5 only raised (and t6, raised in 2024, resolved).
    council A2: a meeting 2025-05-01 online; t7 resolved in 20 days.
    council B1: a meeting and a resolved topic, outside street A.
    """
    a1 = make_council(tree.village_a1, established_on=datetime.date(2024, 1, 1))
    a2 = make_council(tree.village_a2, established_on=datetime.date(2024, 1, 1))
    b1 = make_council(tree.village_b1, established_on=datetime.date(2024, 1, 1))
    for day, mode in (
        (datetime.date(2025, 2, 1), "on_site"),
        (datetime.date(2025, 3, 1), "online"),
        (datetime.date(2025, 4, 1), "on_site"),
        (datetime.date(2024, 12, 31), "on_site"),
    ):
        make_meeting(tree.village_a1, council=a1, held_on=day, mode=mode, channel="微信群")
    make_meeting(
        tree.village_a2, council=a2, held_on=datetime.date(2025, 5, 1), mode="online", channel="群"
    )
    make_meeting(tree.village_b1, council=b1, held_on=datetime.date(2025, 5, 2))
    closed(a1, datetime.date(2025, 2, 1), 10)
    closed(a1, datetime.date(2025, 3, 1), 30, to="result")
    moved(
        online_topic(a1, datetime.date(2025, 3, 1)),
        ("not_adopted", datetime.date(2025, 3, 2), {"not_adopted_reason": "不属于议事范围"}),
    )
    moved(
        online_topic(a1, datetime.date(2025, 4, 1)),
        ("accepted", datetime.date(2025, 4, 1), {}),
        (
            "assigned",
            datetime.date(2025, 4, 2),
            {"responsible_organization": tree.street_a, "due_on": datetime.date(2025, 4, 30)},
        ),
    )
    online_topic(a1, datetime.date(2025, 4, 1))
    closed(a1, datetime.date(2024, 12, 1), 5)
    closed(a2, datetime.date(2025, 5, 1), 20)
    closed(b1, datetime.date(2025, 5, 2), 3)
    return {"a1": a1, "a2": a2, "b1": b1}


def test_the_figures_of_a_street_count_its_villages_councils_only(tree, user_in, counted):
    street = user_in(tree.street_a, Role.STAFF)

    figures = selectors.council_figures(user=street, start=START, end=END)

    assert (figures.meetings_on_site, figures.meetings_online, figures.meetings) == (2, 2, 4)
    assert figures.topics_raised == 6
    assert figures.topics_adopted == 4
    assert (figures.topics_resolved, figures.topics_turned_into_results) == (2, 1)
    assert figures.resolution_rate == 0.75
    assert figures.median_days_to_resolve == 20.0


def test_the_figures_of_one_council(tree, user_in, counted):
    street = user_in(tree.street_a, Role.STAFF)

    figures = selectors.council_figures(user=street, start=START, end=END, council=counted["a1"])

    assert (figures.meetings_on_site, figures.meetings_online) == (2, 1)
    assert (figures.topics_raised, figures.topics_adopted) == (5, 3)
    assert (figures.topics_resolved, figures.topics_turned_into_results) == (1, 1)
    assert figures.resolution_rate == 0.6667
    assert figures.median_days_to_resolve == 20.0  # 10 and 30


def test_the_figures_of_a_subtree_named_and_of_a_council_outside_the_reach(tree, user_in, counted):
    street = user_in(tree.street_a, Role.STAFF)

    village = selectors.council_figures(
        user=street, start=START, end=END, organization=tree.village_a2
    )
    outside = selectors.council_figures(user=street, start=START, end=END, council=counted["b1"])

    assert (village.meetings, village.topics_raised, village.topics_resolved) == (1, 1, 1)
    assert village.median_days_to_resolve == 20.0
    assert (outside.meetings, outside.topics_raised) == (0, 0)
    assert outside.resolution_rate is None
    assert outside.median_days_to_resolve is None


def test_the_figures_cost_three_queries(tree, user_in, counted, django_assert_num_queries):
    street = user_in(tree.street_a, Role.STAFF)
    street.organization  # noqa: B018 (loaded, as a request's user is)

    with django_assert_num_queries(3):
        selectors.council_figures(user=street, start=START, end=END)


# --- Overdue topics --------------------------------------------------------------------------


def assigned_topic(tree, due_on, **fields):
    council = make_council(tree.village_a1)
    topic = online_topic(council, datetime.date(2025, 3, 1), **fields)
    return moved(
        topic,
        ("accepted", datetime.date(2025, 3, 1), {}),
        ("assigned", datetime.date(2025, 3, 1), {"responsible_body": "镇水务站", "due_on": due_on}),
    )


def test_a_topic_is_overdue_the_day_after_its_due_date(tree, user_in):
    topic = assigned_topic(tree, datetime.date(2025, 3, 15))
    village = user_in(tree.village_a1, Role.STAFF)

    on_the_day = selectors.topic_overdue(user=village, now=at(datetime.date(2025, 3, 15)))
    day_after = selectors.topic_overdue(user=village, now=at(datetime.date(2025, 3, 16)))

    assert list(on_the_day) == []
    assert list(day_after) == [topic]


def test_a_closed_topic_is_never_overdue(tree, user_in):
    topic = assigned_topic(tree, datetime.date(2025, 3, 15))
    moved(
        topic,
        ("in_progress", datetime.date(2025, 3, 2), {}),
        ("resolved", datetime.date(2025, 3, 20), {}),
    )

    late = selectors.topic_overdue(
        user=user_in(tree.village_a1, Role.STAFF), now=at(datetime.date(2025, 4, 1))
    )

    assert list(late) == []


def test_overdue_topics_are_listed_for_the_councils_organization_and_its_parent(tree, user_in):
    topic = assigned_topic(tree, datetime.date(2025, 3, 15))
    now = at(datetime.date(2025, 4, 1))
    district = user_in(tree.district, Role.STAFF)

    def listed(user, organization=None):
        return list(selectors.topic_overdue(user=user, now=now, organization=organization))

    assert listed(user_in(tree.village_a1, Role.STAFF), tree.village_a1) == [topic]
    assert listed(user_in(tree.street_a, Role.STAFF), tree.street_a) == [topic]
    assert listed(district, tree.district) == []  # the grandparent: not its to chase
    assert listed(district) == [topic]  # though it reads it in its subtree
    assert listed(user_in(tree.village_a2, Role.STAFF)) == []  # a sibling sees nothing


# --- Councils with no meeting in the previous calendar quarter ------------------------------


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        (datetime.date(2025, 4, 15), datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)),
        (datetime.date(2025, 1, 1), datetime.date(2024, 10, 1), datetime.date(2024, 12, 31)),
        (datetime.date(2025, 12, 31), datetime.date(2025, 7, 1), datetime.date(2025, 9, 30)),
    ],
)
def test_the_previous_calendar_quarter(today, first, last):
    assert selectors.previous_quarter(today) == (first, last)


def test_a_council_without_a_meeting_in_the_previous_quarter_is_flagged(tree, user_in):
    established = datetime.date(2024, 6, 1)
    met = make_council(tree.village_a1, name="开会的", established_on=established)
    make_meeting(tree.village_a1, council=met, held_on=datetime.date(2025, 2, 1))
    idle = make_council(tree.village_a1, name="没开会的", established_on=established)
    make_meeting(tree.village_a1, council=idle, held_on=datetime.date(2025, 4, 2))  # this quarter
    make_council(tree.village_a1, name="季度中成立的", established_on=datetime.date(2025, 2, 1))
    make_council(
        tree.village_a1,
        name="季度中撤销的",
        established_on=established,
        dissolved_on=datetime.date(2025, 3, 1),
    )
    make_council(tree.village_a2, name="兄弟村的", established_on=established)

    flagged = selectors.councils_inactive(
        user=user_in(tree.village_a1, Role.STAFF), now=at(datetime.date(2025, 4, 15))
    )

    assert list(flagged) == [idle]

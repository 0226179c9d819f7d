"""The councils' figures in the catalogue (docs/reports.md), on a hand-counted set, and the
same numbers the councils app's own selector gives (docs/councils.md)."""

import datetime

import pytest

from apps.core.actors import SYSTEM
from apps.councils import selectors as council_selectors
from apps.councils import services
from apps.reports import periods, selectors
from tests.factories.councils import make_council, make_meeting, make_topic

pytestmark = pytest.mark.django_db
D = datetime.date


def at(day):
    return datetime.datetime(day.year, day.month, day.day, 10, tzinfo=datetime.UTC)


def closed(council, raised_on, days, to="resolved"):
    topic = make_topic(
        council.organization, council=council, raised_via="online_hall", raised_on=raised_on
    )
    steps = [
        ("accepted", raised_on, {}),
        (
            "assigned",
            raised_on,
            {
                "responsible_body": "镇政府",
                "due_on": raised_on + datetime.timedelta(days=days + 30),
            },
        ),
        ("in_progress", raised_on, {}),
        (
            to,
            raised_on + datetime.timedelta(days=days),
            {"result_kind": "project"} if to == "result" else {},
        ),
    ]
    for status, day, needs in steps:
        topic = services.topic_transition(by=SYSTEM, topic=topic, to=status, now=at(day), **needs)
    return topic


@pytest.fixture
def councils(tree):
    """Village A1's council, set up 2024-03-01: meetings on 04-01 (on site) and 05-01 (online);
    topics raised 04-01 (resolved in 10 days), 05-01 (a result in 30) and 06-01 (only raised).
    Village B1's council: set up 2023-01-01, dissolved 2024-06-30."""
    a1 = make_council(tree.village_a1, established_on=D(2024, 3, 1))
    make_meeting(tree.village_a1, council=a1, held_on=D(2024, 4, 1))
    make_meeting(
        tree.village_a1,
        council=a1,
        held_on=D(2024, 5, 1),
        mode="online",
        channel="云上议事厅微信群",
        place="",
    )
    closed(a1, D(2024, 4, 1), 10)
    closed(a1, D(2024, 5, 1), 30, to="result")
    make_topic(tree.village_a1, council=a1, raised_via="online_hall", raised_on=D(2024, 6, 1))
    b1 = make_council(tree.village_b1, established_on=D(2023, 1, 1))
    services.council_update(by=SYSTEM, council=b1, dissolved_on=D(2024, 6, 30))
    return tree


def test_the_councils_figures_for_2024_are_the_hand_counted_ones(councils, user_in):
    found = selectors.report(
        user=user_in(councils.district, "staff"),
        organization=councils.district,
        period=periods.parse("2024"),
    )

    assert {k: v for k, v in found.values.items() if k.startswith("councils.")} == {
        "councils.set_up": 1,
        "councils.sitting": 1,  # B1's was dissolved in June
        "councils.meetings_held": 2,
        "councils.meetings_online": 1,
        "councils.topics_raised": 3,
        "councils.topics_adopted": 2,  # the third is only raised
        "councils.topics_resolved": 1,
        "councils.topics_turned_into_results": 1,
        "councils.resolution_rate": 100.0,  # both adopted ones are closed
        "councils.median_days_to_resolve": 20,
    }
    assert found.values["coverage.with_council"] == 1
    assert found.previous["councils.set_up"] == 1  # B1's, in 2023
    assert found.previous["councils.sitting"] == 1
    assert found.trend["councils.meetings_held"][3:5] == [1, 1]


def test_they_agree_with_the_councils_own_figures(councils, user_in):
    user = user_in(councils.district, "staff")
    own = council_selectors.council_figures(
        user=user, organization=councils.district, start=D(2024, 1, 1), end=D(2024, 12, 31)
    )
    found = selectors.report(
        user=user, organization=councils.district, period=periods.parse("2024")
    )

    assert found.values["councils.meetings_held"] == own.meetings
    assert found.values["councils.topics_raised"] == own.topics_raised
    assert found.values["councils.topics_resolved"] == own.topics_resolved
    assert found.values["councils.topics_turned_into_results"] == own.topics_turned_into_results
    assert found.values["councils.resolution_rate"] == own.resolution_rate * 100
    assert found.values["councils.median_days_to_resolve"] == own.median_days_to_resolve
    assert found.values["councils.meetings_online"] == own.meetings_online

"""Who has not reported (docs/reports.md, Completeness), on the hand-counted 2024."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.reports import completeness, periods
from tests.factories.events import make_event
from tests.factories.organizations import PositionFactory
from tests.registry import make_appointment, make_branch_meeting

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def branches(counted):
    """Branch secretaries in village A1 (it met in 2024) and A2 (it did not); a women's home in
    A1 that held its events in the second quarter only."""
    for village in (counted.village_a1, counted.village_a2):
        make_appointment(village, role="branch_secretary", started_on=datetime.date(2023, 1, 1))
    home = PositionFactory(organization=counted.village_a1)
    make_event(counted.village_a1, day=datetime.date(2024, 5, 20), position=home)
    make_event(counted.village_a1, day=datetime.date(2024, 6, 20), position=home)
    return home


def found(user, organization, period="2024", today=TODAY):
    return completeness.completeness(
        user=user, organization=organization, period=periods.parse(period), today=today
    )


def test_villages_without_an_event_are_listed_by_street(counted, branches, user_in):
    result = found(user_in(counted.district, "staff"), counted.district)

    assert [(g.street, g.organizations) for g in result.no_events] == [
        (counted.street_b, [counted.village_b1])  # its lecture was in 2023
    ]
    assert result.no_events_count == 1


def test_branches_that_held_no_meeting_are_listed(counted, branches, user_in):
    result = found(user_in(counted.district, "staff"), counted.district)

    assert [(g.street, g.organizations) for g in result.no_branch_meetings] == [
        (counted.street_a, [counted.village_a2])
    ]
    make_branch_meeting(counted.village_a2, held_on=datetime.date(2024, 11, 1))
    assert found(user_in(counted.district, "staff"), counted.district).no_branch_meetings == []


def test_a_womens_home_short_of_an_event_a_quarter_is_listed_for_those_quarters(
    counted, branches, user_in
):
    result = found(user_in(counted.district, "staff"), counted.district)

    assert [q.key for q in result.quarters] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    [short] = result.positions_short
    assert short.position == branches
    assert [(q.quarter.key, q.held, q.required) for q in short.quarters] == [
        ("2024-Q1", 0, 1),
        ("2024-Q3", 0, 1),
        ("2024-Q4", 0, 1),
    ]


def test_a_quarter_not_over_yet_is_not_judged(counted, branches, user_in):
    result = found(
        user_in(counted.district, "staff"), counted.district, today=datetime.date(2024, 8, 1)
    )

    assert [q.key for q in result.quarters] == ["2024-Q1", "2024-Q2"]
    assert [q.quarter.key for q in result.positions_short[0].quarters] == ["2024-Q1"]
    assert found(user_in(counted.district, "staff"), counted.district, "2024-05").quarters == []


def test_a_street_sees_only_its_own(counted, branches, user_in):
    result = found(user_in(counted.street_a, "leadership"), counted.street_a)

    assert result.no_events == []
    assert [g.organizations for g in result.no_branch_meetings] == [[counted.village_a2]]


def test_five_queries_however_many_organizations(counted, branches, user_in):
    user = user_in(counted.district, "staff")
    with CaptureQueriesContext(connection) as captured:
        found(user, counted.district)

    assert (
        len(captured.captured_queries) == 5
    )  # villages, branches, positions, their events, councils


def test_the_api_answers_the_same(counted, branches, user_in, api_as):
    client = api_as(user_in(counted.district, "leadership"))

    body = client.get("/api/v1/reports/completeness/", {"period": "2024"}).json()

    assert body["no_events"]["count"] == 1
    assert body["no_events"]["by_street"][0]["organizations"][0]["id"] == counted.village_b1.pk
    assert body["no_branch_meetings"]["by_street"][0]["street"]["id"] == counted.street_a.pk
    assert body["positions_short"][0]["quarters"][0] == {
        "quarter": "2024-Q1",
        "held": 0,
        "required": 1,
    }


def test_a_council_that_met_not_once_is_listed_by_street(counted, user_in):
    from tests.factories.councils import make_council, make_meeting

    idle = make_council(counted.village_b1, established_on=datetime.date(2023, 5, 1))
    met = make_council(counted.village_a1, established_on=datetime.date(2023, 5, 1))
    make_meeting(counted.village_a1, council=met, held_on=datetime.date(2024, 9, 1))
    make_council(counted.village_a2, established_on=datetime.date(2025, 2, 1))  # not yet set up

    result = found(user_in(counted.district, "staff"), counted.district)

    assert [(g.street, g.organizations) for g in result.idle_councils] == [
        (counted.street_b, [idle])
    ]
    assert result.idle_councils_count == 1

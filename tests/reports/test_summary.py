"""Every figure of the catalogue on the hand-counted set of conftest.py (docs/reports.md)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from apps.members.selectors.branch import meetings_required
from apps.organizations.choices import Kind
from apps.organizations.models import TitleKind
from apps.reports import periods, selectors
from apps.reports.catalogue import BREAKDOWNS, FIGURES
from tests.factories.events import make_event
from tests.factories.organizations import PositionFactory, TitleFactory, make_org
from tests.registry import make_appointment, make_station

pytestmark = pytest.mark.django_db
YEAR_2024 = periods.parse("2024")


def report(user, organization=None, period=YEAR_2024):
    return selectors.report(
        user=user, organization=organization or user.organization, period=period
    )


def test_the_districts_figures_for_2024_are_the_hand_counted_ones(counted, user_in):
    found = report(user_in(counted.district, "district_admin"))

    assert found.values == {
        "events.held": 5,
        "events.people_reached": 705,
        "events.participants": 175,
        "events.volunteers": 15,
        "events.spent": Decimal("5101.00"),
        "events.family_education_held": 2,
        "events.family_education_reached": 240,
        "events.themed_publicity_held": 1,
        "events.themed_publicity_reached": 400,
        "events.mobile_classroom_held": 0,
        "events.trainings_held": 1,
        "events.trainees": 25,
        "funds.higher_level": Decimal("20000.00"),
        "funds.higher_level_for_training": Decimal("20000.00"),
        "funds.donations": Decimal("5000.50"),
        "cases.received": 10,
        "cases.closed": 6,
        "cases.median_days_to_close": pytest.approx(20.25),
        "cases.open_at_end": 6,  # A1's, A2's and B1's two of 2024, and B1's two of 2023
        "cases.overdue_at_end": 6,  # medium risk: 90 days to close, long past for all six
        "referrals.sent": 0,
        "referrals.accepted": 0,
        "referrals.answered_in_time": 0,
        "branch.meetings_held": 1,
        "branch.branches": 0,
        "branch.meetings_required": 0,
        "councils.set_up": 0,
        "councils.sitting": 0,
        "councils.meetings_held": 0,
        "councils.meetings_online": 0,
        "councils.topics_raised": 0,
        "councils.topics_adopted": 0,
        "councils.topics_resolved": 0,
        "councils.topics_turned_into_results": 0,
        "councils.resolution_rate": None,
        "councils.median_days_to_resolve": None,
        "positions.open": 0,
        "titles.applied": 0,
        "titles.awarded": 0,
        "titles.housekeeping_provincial_applied": 0,
        "titles.mobile_classroom_city_awarded": 0,
        "titles.micro_home_awarded": 0,
        "coverage.villages": 3,
        "coverage.with_station": 3,  # every village received a case at its station
        "coverage.with_womens_home": 0,
        "coverage.with_council": 0,
    }
    assert found.suppressed == []


def test_the_period_before_is_counted_the_same_way(counted, user_in):
    found = report(user_in(counted.district, "district_admin"))

    assert found.previous_period.key == "2023"
    assert found.previous["events.held"] == 1
    assert found.previous["funds.higher_level"] == Decimal("1000.00")
    assert found.previous["cases.received"] == 2
    assert found.change("cases.received") == 8
    assert found.change("events.held") == 4


def test_the_rows_by_child_add_up_to_the_subtree(counted, user_in):
    found = report(user_in(counted.district, "district_admin"))
    rows = {row.organization.name: row for row in found.rows}

    assert [row.organization for row in found.rows] == [
        counted.district,
        counted.street_a,
        counted.street_b,
    ]
    assert rows[counted.district.name].own_level
    assert rows[counted.street_a.name].values["events.held"] == 5
    assert rows[counted.street_a.name].values["cases.received"] == 4
    assert rows[counted.street_b.name].values["cases.received"] == 6
    assert rows[counted.street_b.name].values["funds.donations"] == Decimal("5000.50")
    for figure in FIGURES:
        if figure.adds_up:
            assert sum(row.values[figure.key] for row in found.rows) == found.values[figure.key]


def test_a_village_moved_to_another_street_counts_under_its_new_street_at_once(counted, user_in):
    # The district's rows group by the stored street, which the move rewrites for the subtree.
    from apps.organizations.services import organization_move

    organization_move(organization=counted.village_a1, parent=counted.street_b)
    found = report(user_in(counted.district, "district_admin"))
    rows = {row.organization: row.values for row in found.rows}

    assert rows[counted.street_a]["events.held"] == 2  # its own lecture, village_a2's
    assert rows[counted.street_b]["events.held"] == 3  # village_a1's three
    assert rows[counted.street_b]["cases.received"] == 6 + 3
    assert found.values["events.held"] == 5


def test_a_street_reads_its_villages_and_its_own_level(counted, user_in):
    found = report(user_in(counted.street_a, "staff"))
    rows = {row.organization: row.values for row in found.rows}

    assert found.values["events.held"] == 5
    assert found.values["cases.received"] == 4
    assert rows[counted.street_a]["events.held"] == 1  # its own party lecture
    assert rows[counted.village_a1]["events.held"] == 3
    assert rows[counted.village_a2]["events.held"] == 1
    assert rows[counted.committee_a]["events.held"] == 0


def test_a_village_is_one_row(counted, user_in):
    found = report(user_in(counted.village_a1, "station_operator"))

    assert [row.organization for row in found.rows] == [counted.village_a1]
    assert found.values["events.held"] == 3
    assert found.values["cases.received"] == 3


def test_the_breakdowns_add_up_to_their_figure(counted, user_in):
    found = report(user_in(counted.district, "district_admin"))
    by_category = {part.code: part.value for part in found.breakdowns["events.held_by_category"]}

    assert by_category == {
        "lecture": 2,
        "themed_publicity": 1,
        "skills_training": 1,
        "party_lecture": 1,
    }
    assert {p.code: p.value for p in found.breakdowns["cases.closed_by_outcome"]} == {"mediated": 6}
    assert found.breakdowns["cases.closed_by_outcome"][0].name == "调解成功"
    for breakdown in BREAKDOWNS:
        parts = found.breakdowns[breakdown.key]
        assert sum(part.value for part in parts) == found.values[breakdown.total.key]


def test_the_trend_is_the_twelve_months_to_the_periods_end(counted, user_in):
    found = report(user_in(counted.district, "district_admin"))

    assert found.months[0] == datetime.date(2024, 1, 1)
    assert found.months[-1] == datetime.date(2024, 12, 1)
    assert found.trend["events.held"] == [0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1]
    assert found.trend["cases.received"] == [1, 2, 2, 2, 1, 1, 1, 0, 0, 0, 0, 0]
    assert "cases.median_days_to_close" not in found.trend  # a median does not add up by month


def test_a_quarter_counts_its_own_days(counted, user_in):
    found = report(user_in(counted.district, "district_admin"), period=periods.parse("2024-Q4"))

    assert found.values["events.held"] == 1  # the lecture at 23:00 on 31 December
    assert found.previous_period.key == "2024-Q3"
    assert found.previous["events.held"] == 1  # the training on 1 July


def test_an_organization_outside_the_subtree_does_not_exist(counted, user_in):
    with pytest.raises(Http404):
        selectors.organization_for_report(
            user=user_in(counted.street_a, "staff"), organization_id=counted.street_b.pk
        )


def test_the_latest_year_with_data_is_where_the_dashboard_opens(counted, user_in):
    assert (
        selectors.latest_year(
            user=user_in(counted.district, "district_admin"), organization=counted.district
        )
        == 2025
    )


def queries_of(user) -> int:
    with CaptureQueriesContext(connection) as captured:
        report(user)
    return len(captured.captured_queries)


def test_the_query_count_does_not_grow_with_organizations_or_records(counted, user_in):
    user = user_in(counted.district, "district_admin")
    before = queries_of(user)
    street = make_org(counted.district, Kind.STREET, "丙街道妇联")
    for n in range(4):
        village = make_org(street, Kind.VILLAGE, f"丙{n}村妇联")
        for day in (3, 4):
            make_event(village, day=datetime.date(2024, 6, day))

    assert before == 50
    assert queries_of(user) == before


def test_positions_titles_and_coverage_are_counted_on_the_periods_last_day(tree, user_in):
    a1, a2, b1 = tree.village_a1, tree.village_a2, tree.village_b1
    PositionFactory(organization=a1, opened_on=datetime.date(2020, 3, 8))
    PositionFactory(organization=a2, opened_on=datetime.date(2024, 12, 31))
    PositionFactory(
        organization=b1, opened_on=datetime.date(2020, 1, 1), closed_on=datetime.date(2024, 6, 30)
    )
    make_station(a1, opened_on=datetime.date(2024, 3, 1))
    make_station(b1, opened_on=datetime.date(2025, 1, 1))
    for kind, level, status, year in [
        ("housekeeping_demo_station", "provincial", "applied", 2024),
        ("housekeeping_demo_station", "provincial", "awarded", 2024),
        ("mobile_classroom_demo", "city", "awarded", 2024),
        ("mobile_classroom_demo", "city", "applied", 2024),
        ("micro_home_demo", "district", "awarded", 2024),
        ("micro_home_demo", "district", "awarded", 2023),
    ]:
        TitleFactory(
            organization=a1,
            kind=TitleKind.objects.get(code=kind),
            level=level,
            status=status,
            year=year,
        )
    user = user_in(tree.district, "staff")

    year = report(user)
    quarter = report(user, period=periods.parse("2024-Q2"))

    assert {
        k: v
        for k, v in year.values.items()
        if k.split(".")[0] in ("positions", "titles", "coverage")
    } == {
        "positions.open": 2,  # B1's closed in June
        "titles.applied": 5,
        "titles.awarded": 3,
        "titles.housekeeping_provincial_applied": 2,
        "titles.mobile_classroom_city_awarded": 1,
        "titles.micro_home_awarded": 1,
        "coverage.villages": 3,
        "coverage.with_station": 1,  # B1's opened in 2025
        "coverage.with_womens_home": 2,
        "coverage.with_council": 0,
    }
    assert year.previous["titles.micro_home_awarded"] == 1
    assert {p.code: p.value for p in year.breakdowns["titles.awarded_by_level"]} == {
        "provincial": 1,
        "city": 1,
        "district": 1,
    }
    assert quarter.values["positions.open"] == 2  # on 30 June, B1's last open day
    assert quarter.values["titles.applied"] is None  # titles go by year
    assert quarter.breakdowns["titles.awarded_by_level"] == []
    assert "positions.open" not in year.trend


def test_open_and_overdue_cases_are_judged_at_the_periods_end(counted, user_in):
    user = user_in(counted.district, "district_admin")

    june = report(user, period=periods.parse("2024-06"))

    # Open at the end of 30 June: A1's of 1 April, A2's of 1 May, B1's of 1 June and its two of
    # 2023 (B1's closed ones were closed in spring). Past their 90 days: A1's (due at 10:00 on
    # 30 June) and B1's two of 2023.
    assert june.values["cases.open_at_end"] == 5
    assert june.values["cases.overdue_at_end"] == 3
    assert june.previous["cases.open_at_end"] == 4  # end of May: without B1's of 1 June


def test_branches_owe_the_meetings_of_the_months_and_quarters_their_secretary_was_in(
    counted, user_in
):
    """The district's rules (migration members/0004): a general meeting and a party lecture
    a quarter, a committee and a group meeting a month: 32 a year. A1's secretary served all
    2024 (32); A2's from December (December's two); B1's until June (six months' 12 and two
    quarters' 4). On 31 December A1 and A2 have a branch."""
    d = datetime.date
    make_appointment(counted.village_a1, role="branch_secretary", started_on=d(2023, 1, 1))
    make_appointment(counted.village_a2, role="branch_secretary", started_on=d(2024, 12, 1))
    b1 = {"started_on": d(2022, 1, 1), "ended_on": d(2024, 6, 30)}
    make_appointment(counted.village_b1, role="branch_secretary", **b1)
    user = user_in(counted.district, "district_admin")

    year = report(user)
    first_quarter = report(user, period=periods.parse("2024-Q1"))
    street_b = report(user, organization=counted.street_b)

    assert (year.values["branch.branches"], year.values["branch.meetings_required"]) == (2, 50)
    assert year.values["branch.meetings_held"] == 1
    by_child = {row.organization: row.values["branch.meetings_required"] for row in year.rows}
    assert by_child[counted.street_a] == 34
    assert by_child[counted.street_b] == 16
    assert street_b.values["branch.meetings_required"] == 16
    assert street_b.values["branch.branches"] == 0  # B1's secretary left in June
    # The first quarter: A1 and B1, each three months' two and the quarter's two.
    assert first_quarter.values["branch.meetings_required"] == 16
    assert first_quarter.values["branch.branches"] == 2


def test_a_month_or_quarter_not_over_is_not_owed_yet():
    owed = meetings_required(
        datetime.date(2024, 1, 1), datetime.date(2024, 12, 31), today=datetime.date(2024, 5, 15)
    )

    # January to April, two a month; the first quarter's two; May and Q2 still running.
    assert owed == {
        datetime.date(2024, 1, 1): 4,
        datetime.date(2024, 2, 1): 2,
        datetime.date(2024, 3, 1): 2,
        datetime.date(2024, 4, 1): 2,
    }


def test_a_period_that_owes_nothing_yet_counts_none_required(counted, user_in):
    """A month not over owes no meetings: the figure is 0, not an error."""
    user = user_in(counted.district, "district_admin")
    month = periods.parse(datetime.date.today().strftime("%Y-%m"))

    assert report(user, period=month).values["branch.meetings_required"] == 0

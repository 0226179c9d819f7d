"""Reports read the database ``REPORTS_DATABASE`` names, a replica when there is one; a sign-off
freezes its figures from the primary (docs/reports.md, Reading from a replica).

The replica here is a second connection to the test database (federation/settings_test.py), so
the rows must be committed for it to see them: these tests are transactional. ``make replica``
shows the same against a real streaming replica."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from apps.organizations.roles import Role
from apps.reports import completeness, periods, selectors
from tests.factories.reports import counted_2024
from tests.seeding import seed_lists

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])
RECORDS = ("events_event", "rights_case", "events_fund", "councils_meeting")
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def counted(tree):
    seed_lists()  # a transactional test before this one flushed the lists migrations seed
    return counted_2024(tree)


@pytest.fixture
def on_replica(settings):
    settings.REPORTS_DATABASE = "replica"


def reading(sql_of) -> list[str]:
    """The statements that read one of the records' tables."""
    return [query["sql"] for query in sql_of if any(t in query["sql"] for t in RECORDS)]


def test_the_dashboard_and_the_summary_read_the_replica(
    counted, on_replica, client, api_as, user_in
):
    staff = user_in(counted.district, Role.STAFF)
    client.force_login(staff)

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        page = client.get("/reports/", {"period": "2024"}, headers={"accept-language": "zh-hans"})
        summary = api_as(staff).get("/api/v1/reports/summary/", {"period": "2024"}, **ZH)

    assert page.status_code == 200 and summary.status_code == 200, summary.content
    assert 'data-key="cases.received"' in page.content.decode()
    assert summary.json()["figures"]["cases"]["received"] == 10  # hand-counted
    assert summary.json()["figures"]["events"]["held"] == 5
    assert len(reading(replica)) >= 10  # every source's figures, the trend, the completeness
    assert reading(primary) == []


def test_a_report_the_caller_sends_to_the_primary_reads_nothing_from_the_replica(
    counted, on_replica, user_in
):
    staff = user_in(counted.district, Role.STAFF)
    year = periods.parse("2024")

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        found = selectors.report(
            user=staff, organization=counted.district, period=year, using="default"
        )
        missing = completeness.completeness(
            user=staff, organization=counted.district, period=year, using="default"
        )

    assert found.values["cases.received"] == 10
    assert missing.no_events_count >= 0
    assert len(reading(primary)) >= 10
    assert replica.captured_queries == []


def test_the_frozen_figures_of_a_sign_off_are_read_from_the_primary(
    counted, on_replica, api_as, user_in
):
    village = counted.village_a1
    confirm = {"organization": village.pk, "period": "2024", "action": "confirm", "reason": ""}
    sign = {**confirm, "action": "sign"}
    operator = user_in(village, Role.STATION_OPERATOR)
    street_staff = user_in(counted.street_a, Role.STAFF)
    assert (
        api_as(operator).post("/api/v1/reports/signoffs/", confirm, format="json").status_code
        == 201
    )

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        answer = api_as(street_staff).post("/api/v1/reports/signoffs/", sign, format="json", **ZH)

    assert answer.status_code == 201, answer.content
    assert len(reading(primary)) >= 5  # the village's figures, frozen inside the sign-off's write
    assert reading(replica) == []

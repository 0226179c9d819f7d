"""Events, cases and meetings by month (``EventMonth``, ``CaseMonth``, ``BranchMeetingMonth``,
``MeetingMonth``; docs/events.md and docs/reports.md, Rollups): kept exact by the database
however the records are written, and the reports read from them the figures the records give."""

import dataclasses
import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum

from apps.core.actors import SYSTEM
from apps.councils import services as council_services
from apps.councils.models import MeetingMonth
from apps.events import services
from apps.events.imports import COLUMNS, events_import
from apps.events.models import Event, EventMonth
from apps.members.models import BranchMeetingMonth
from apps.members.services import branch as branch_services
from apps.organizations import services as organization_services
from apps.organizations.models import Organization
from apps.organizations.roles import Role
from apps.reports import periods, selectors
from apps.reports.catalogue import FIGURES, ROLLUPS, Rollup
from apps.rights.models import CaseCategory, CaseMonth
from apps.rights.services import cases as case_services
from tests.factories.councils import make_meeting
from tests.factories.events import at, category, make_event
from tests.factories.xlsx import xlsx
from tests.registry import make_branch_meeting, make_case

pytestmark = pytest.mark.django_db
EVENTS = "/api/v1/events/"
SUMS = ("participants", "people_reached", "volunteers", "spent")


def live_months() -> dict:
    """The rollup worked out from the live events, one GROUP BY: what EventMonth must hold."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT organization_id,
                   date_trunc('month', starts_at AT TIME ZONE 'Asia/Shanghai')::date,
                   category_id, line_id, count(*), sum(participants), sum(people_reached),
                   sum(volunteers), sum(spent)
            FROM events_event WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4
            """
        )
        return {row[:4]: row[4:] for row in cursor.fetchall()}


def kept_months() -> dict:
    """EventMonth as it is, leaving out the groups whose every event has gone (all zero)."""
    rows = EventMonth.objects.values_list(
        "organization_id", "month", "category_id", "line_id", "held", *SUMS
    )
    return {row[:4]: row[4:] for row in rows if any(row[4:])}


def every_report(user, organizations, keys) -> None:
    """Each organization's report of each period, from the rollups and from the records:
    every figure, previous figure, row, month of the trend and breakdown part the same."""
    for organization in organizations:
        for key in keys:
            period = periods.parse(key)
            rolled = selectors.report(user=user, organization=organization, period=period)
            live = selectors.report(
                user=user, organization=organization, period=period, rollups=False
            )
            where = f"{organization.name} {key}"
            assert rolled.values == live.values, where
            assert rolled.previous == live.previous, where
            assert [r.values for r in rolled.rows] == [r.values for r in live.rows], where
            assert rolled.trend == live.trend, where
            assert {
                k: [dataclasses.astuple(p) for p in v] for k, v in rolled.breakdowns.items()
            } == {k: [dataclasses.astuple(p) for p in v] for k, v in live.breakdowns.items()}, where


def item(organization, day, **fields) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "organization": organization.pk,
        "title": "家庭教育讲座",
        "category": "lecture",
        "starts_at": at(day, 9).isoformat(),
        "ends_at": at(day, 11).isoformat(),
        "participants": 20,
        "people_reached": 50,
        "volunteers": 2,
        "spent": "100.50",
        **fields,
    }


def test_every_rolled_up_figure_equals_the_live_one_after_every_kind_of_write(
    tree, user_in, api_as
):
    staff = user_in(tree.district, Role.STAFF)
    operator = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))
    admin_client = api_as(staff)
    may, june = datetime.date(2024, 5, 15), datetime.date(2024, 6, 3)

    # creates: a service's save, one through the API, a batch (COPY), an import (COPY)
    kept = make_event(tree.village_a1, day=may)
    moved_month = make_event(tree.village_a2, day=may, category_code="themed_publicity")
    make_event(tree.street_b, day=june, category_code="skills_training", spent=Decimal("0.05"))
    one = operator.post(EVENTS, item(tree.village_a1, june), format="json")
    assert one.status_code == 201, one.content
    batch = [item(tree.village_a1, may if n % 2 else june, participants=n) for n in range(30)]
    batch[3]["category"] = "mobile_classroom"
    assert operator.post(f"{EVENTS}bulk/", batch, format="json").status_code == 201
    header = [column.header for column in COLUMNS]
    row = {c.header: "" for c in COLUMNS}
    row.update({"组织": tree.village_b1.code, "活动名称": "亲子阅读", "活动类别": "亲子活动"})
    row.update({"开始时间": "2024-06-30 23:30", "结束时间": "2024-06-30 23:50", "参与人数": 7})
    row.update({"受益人数": 9, "经费（元）": 33.3})
    assert (
        events_import(data=xlsx(header, [row[h] for h in header]), by=staff, dry_run=False).errors
        == []
    )
    assert live_months() == kept_months()

    # edits: a category of another line, a start in another month (Beijing's midnight), counts
    services.event_update(
        by=SYSTEM, event=kept, category=category("skills_training"), participants=31
    )
    services.event_update(
        by=SYSTEM,
        event=moved_month,
        starts_at=datetime.datetime(2024, 5, 31, 16, 30, tzinfo=datetime.UTC),  # 6-01 00:30
        ends_at=datetime.datetime(2024, 5, 31, 18, 0, tzinfo=datetime.UTC),
    )
    stored = Event.objects.get(client_id=batch[5]["client_id"])
    patch = {"version": stored.version, "people_reached": 500, "spent": "9.99"}
    assert operator.patch(f"{EVENTS}{stored.pk}/", patch, format="json").status_code == 200
    assert live_months() == kept_months()

    # deletions: through the API (marked deleted) and one removed from the table outright
    gone = Event.objects.get(client_id=batch[3]["client_id"])
    assert admin_client.delete(f"{EVENTS}{gone.pk}/").status_code == 204
    Event.objects.filter(client_id=batch[4]["client_id"]).delete()
    assert live_months() == kept_months()

    # a village moved to another street: its months stay its own, counted under the new street
    organization_services.organization_move(organization=tree.village_a2, parent=tree.street_b)
    assert live_months() == kept_months()
    organizations = list(Organization.objects.order_by("path"))
    keys = ["2024", "2024-Q2", "2024-05", "2024-06", "2024-05-01..2024-06-30"]
    every_report(staff, organizations, keys)
    district = selectors.report(
        user=staff, organization=tree.district, period=periods.parse("2024")
    )
    held = Event.objects.alive().filter(starts_at__year=2024).count()
    assert district.values["events.held"] == held == 33  # 3 + 1 + 30 + 1 - 2


def test_a_period_of_whole_months_reads_the_rollup_and_any_other_the_records(tree, user_in):
    staff = user_in(tree.district, Role.STAFF)
    make_event(tree.village_a1, day=datetime.date(2024, 5, 15))
    from django.test.utils import CaptureQueriesContext

    for key, rolled in (("2024", True), ("2024-05", True), ("2024-05-02..2024-05-31", False)):
        with CaptureQueriesContext(connection) as queries:
            selectors.report(user=staff, organization=tree.district, period=periods.parse(key))
        period_sql = [q["sql"] for q in queries if "events_eventmonth" in q["sql"]]
        live_sql = [q["sql"] for q in queries if 'FROM "events_event" ' in q["sql"]]
        # the trend (twelve whole months) reads the rollup whatever the period
        assert len(period_sql) >= (4 if rolled else 1), key
        assert bool(live_sql) is not rolled, key


def test_every_figure_of_a_rolled_up_source_has_its_column_in_the_rollup():
    for key, rollup in ROLLUPS.items():
        assert isinstance(rollup, Rollup)
        columns = {field.name for field in rollup.rows.model._meta.concrete_fields}
        for figure in FIGURES:
            if figure.source.key == key:
                assert figure.adds_up, figure.key
                assert rollup.column_of(figure) in columns, figure.key


def test_the_rollup_counts_an_event_in_its_beijing_month(tree):
    # 2024-05-31 23:30 in Beijing is 15:30 UTC: May, not June
    make_event(
        tree.village_a1,
        starts_at=datetime.datetime(2024, 5, 31, 15, 30, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2024, 5, 31, 15, 50, tzinfo=datetime.UTC),
    )
    assert list(EventMonth.objects.values_list("month", "held")) == [(datetime.date(2024, 5, 1), 1)]
    assert EventMonth.objects.aggregate(n=Count("pk"), spent=Sum("spent")) == {
        "n": 1,
        "spent": Decimal("450.50"),
    }


def live_case_months() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT organization_id,
                   date_trunc('month', received_at AT TIME ZONE 'Asia/Shanghai')::date,
                   category_id, count(*)
            FROM rights_case WHERE deleted_at IS NULL GROUP BY 1, 2, 3
            """
        )
        return {row[:3]: row[3] for row in cursor.fetchall()}


def kept_case_months() -> dict:
    rows = CaseMonth.objects.values_list("organization_id", "month", "category_id", "received")
    return {row[:3]: row[3] for row in rows if row[3]}


def test_cases_received_by_month_equal_the_live_count_after_every_kind_of_write(tree, user_in):
    staff = user_in(tree.district, Role.STAFF)
    may = datetime.datetime(2024, 5, 31, 15, 30, tzinfo=datetime.UTC)  # 5-31 23:30 in Beijing
    june = datetime.datetime(2024, 6, 12, 2, 0, tzinfo=datetime.UTC)
    cases = [
        make_case(organization, received_at=moment)
        for organization in (tree.village_a1, tree.village_a2, tree.village_b1)
        for moment in (may, june, june)
    ]
    assert live_case_months() == kept_case_months()
    assert (
        CaseMonth.objects.get(
            organization=tree.village_a1, month=datetime.date(2024, 5, 1)
        ).received
        == 1
    )

    worker = user_in(tree.village_a1, Role.CASE_WORKER)
    other = CaseCategory.objects.exclude(pk=cases[0].category_id).order_by("pk").first()
    case_services.case_update(by=worker, case=cases[0], category=other)
    case_services.case_update(by=worker, case=cases[1], received_at=may)  # June to May
    cases[2].mark_deleted()
    assert live_case_months() == kept_case_months()

    organization_services.organization_move(organization=tree.village_a2, parent=tree.street_b)
    organizations = list(Organization.objects.order_by("path"))
    every_report(staff, organizations, ["2024", "2024-Q2", "2024-05", "2024-06"])
    district = selectors.report(
        user=staff, organization=tree.district, period=periods.parse("2024-Q2")
    )
    assert district.values["cases.received"] == 8


def grouped(table: str, keys: str) -> dict:
    """A record table's live rows counted by ``keys`` and month: what its rollup must hold."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {keys}, date_trunc('month', held_on)::date, count(*) FROM {table} "  # noqa: S608
            f"WHERE deleted_at IS NULL GROUP BY {keys}, date_trunc('month', held_on)"
        )
        return {row[:-1]: row[-1] for row in cursor.fetchall()}


def kept(model, keys: tuple[str, ...]) -> dict:
    return {row[:-1]: row[-1] for row in model.objects.values_list(*keys, "held") if row[-1]}


def test_meetings_by_month_equal_the_live_count_after_every_kind_of_write(tree, user_in):
    staff = user_in(tree.district, Role.STAFF)
    branch = [
        make_branch_meeting(organization, held_on=day)
        for organization in (tree.village_a1, tree.village_a2, tree.village_b1)
        for day in (datetime.date(2024, 5, 31), datetime.date(2024, 6, 1))
    ]
    council = [
        make_meeting(organization, held_on=day, mode=mode, channel="微信群")
        for organization in (tree.village_a1, tree.village_a2)
        for day, mode in (
            (datetime.date(2024, 5, 9), "online"),
            (datetime.date(2024, 6, 9), "on_site"),
        )
    ]
    branch_services.branch_meeting_update(
        by=SYSTEM, meeting=branch[0], held_on=datetime.date(2024, 6, 30)
    )
    branch_services.branch_meeting_delete(by=SYSTEM, meeting=branch[1])
    council_services.meeting_update(by=SYSTEM, meeting=council[0], mode="on_site")
    council_services.meeting_delete(by=SYSTEM, meeting=council[1])
    organization_services.organization_move(organization=tree.village_a2, parent=tree.street_b)

    assert grouped("members_branchmeeting", "organization_id") == kept(
        BranchMeetingMonth, ("organization_id", "month")
    )
    assert grouped("councils_meeting", "organization_id, mode") == kept(
        MeetingMonth, ("organization_id", "mode", "month")
    )
    organizations = list(Organization.objects.order_by("path"))
    every_report(staff, organizations, ["2024", "2024-Q2", "2024-05", "2024-06"])

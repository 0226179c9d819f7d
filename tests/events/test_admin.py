"""The events' admin: filters that offer only what the account reads, the filtered list's
totals, a campaign's page with who reported, and the published lists' rights."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.events.models import EventCategory
from apps.events.selectors import Totals
from apps.organizations.roles import Role
from tests.factories.events import make_campaign, make_category, make_event

pytestmark = pytest.mark.django_db

EVENTS = "/admin/events/event/"


def test_the_list_totals_what_its_filters_keep(tree, user_in, browser_as):
    make_event(tree.village_a1, day=datetime.date(2024, 3, 1), participants=5, people_reached=9)
    make_event(tree.village_a1, day=datetime.date(2024, 5, 2), spent=Decimal("100.25"))
    make_event(tree.village_b1, day=datetime.date(2024, 5, 3))  # another street's
    client = browser_as(user_in(tree.street_a, Role.STAFF))

    every = client.get(EVENTS)
    may = client.get(EVENTS, {"starts_from": "2024-05-01", "starts_until": "2024-05-31"})

    assert every.status_code == 200
    assert every.context["totals"].events == 2
    assert every.context["totals"].participants == 35
    assert may.context["totals"].events == 1
    assert may.context["totals"].spent == Decimal("100.25")
    assert "共 1 场活动" in may.content.decode()  # the totals line, in Chinese
    assert "支出 100.25 元" in may.content.decode()


def test_the_list_filters_by_line_category_and_campaign(tree, user_in, browser_as):
    campaign = make_campaign(tree.district)
    classroom = make_event(tree.village_a1, category_code="mobile_classroom", campaign=campaign)
    make_event(tree.village_a1)
    client = browser_as(user_in(tree.street_a, Role.STAFF))

    by_line = client.get(EVENTS, {"line": str(classroom.line_id)})
    by_category = client.get(EVENTS, {"category": str(classroom.category_id)})
    by_campaign = client.get(EVENTS, {"campaign": str(campaign.pk)})

    for page in (by_line, by_category, by_campaign):
        assert page.status_code == 200
        assert [event.pk for event in page.context["cl"].result_list] == [classroom.pk]


def test_the_category_filter_offers_no_siblings_categories(tree, user_in, browser_as):
    make_category(tree.village_b1, name="乙镇自创类别")
    make_category(tree.district, name="区里新增类别")

    page = browser_as(user_in(tree.street_a, Role.STAFF)).get(EVENTS).content.decode()

    assert "区里新增类别" in page
    assert "乙镇自创类别" not in page


def test_a_campaign_page_shows_who_reported_within_the_viewers_subtree(tree, user_in, browser_as):
    campaign = make_campaign(tree.street_a)
    make_event(tree.village_a1, campaign=campaign)
    client = browser_as(user_in(tree.street_a, Role.STAFF))

    page = client.get(f"/admin/events/campaign/{campaign.pk}/change/")

    report = page.context["report"]
    assert [row.organization for row in report.reported] == [tree.village_a1]
    assert [row.organization for row in report.not_reported] == [tree.village_a2]
    assert "甲二社区妇联" in page.content.decode()


def test_an_ancestors_campaign_is_read_not_changed(tree, user_in, browser_as):
    campaign = make_campaign(tree.district)
    client = browser_as(user_in(tree.street_a, Role.STAFF))

    page = client.get(f"/admin/events/campaign/{campaign.pk}/change/")
    posted = client.post(
        f"/admin/events/campaign/{campaign.pk}/change/",
        {"title": "改", "starts_on": "2024-05-01", "ends_on": "2024-05-31"},
    )

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert posted.status_code == 403
    campaign.refresh_from_db()
    assert campaign.title != "改"


def test_only_the_roots_admins_extend_the_categories(tree, user_in, browser_as):
    root = browser_as(user_in(tree.district, Role.DISTRICT_ADMIN))
    street = browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))
    line = EventCategory.objects.get(code="lecture").line_id
    body = {"code": "reading_club", "name": "亲子阅读会", "line": line, "sort_order": 5}

    refused = street.post("/admin/events/eventcategory/add/", body)
    added = root.post("/admin/events/eventcategory/add/", body)

    assert refused.status_code == 403
    assert added.status_code == 302
    assert EventCategory.objects.get(code="reading_club").organization == tree.district


def test_the_selected_events_export_to_excel_within_the_subtree(tree, user_in, browser_as):
    from io import BytesIO

    from openpyxl import load_workbook

    mine = make_event(tree.village_a1, title="亲子共读")
    theirs = make_event(tree.village_b1, title="乙镇的活动")
    client = browser_as(user_in(tree.street_a, Role.STAFF))

    answer = client.post(
        EVENTS,
        {"action": "export_to_excel", "index": 0, "_selected_action": [mine.pk, theirs.pk]},
    )

    assert answer.status_code == 200
    cells = [
        cell.value
        for sheet in load_workbook(BytesIO(answer.content)).worksheets
        for row in sheet.iter_rows()
        for cell in row
    ]
    assert "亲子共读" in cells
    assert "乙镇的活动" not in cells


def test_past_the_cap_the_totals_of_whole_months_come_from_the_events_by_month(
    tree, user_in, browser_as, monkeypatch
):
    monkeypatch.setattr("apps.events.selectors.TOTALS_CAP", 1)  # past it: more than one event
    campaign = make_campaign(tree.district)
    make_event(tree.village_a1, day=datetime.date(2024, 3, 1), participants=5, people_reached=9)
    make_event(tree.village_a2, day=datetime.date(2024, 5, 2), spent=Decimal("100.25"))
    make_event(tree.village_a2, day=datetime.date(2024, 5, 20), campaign=campaign)
    make_event(tree.village_b1, day=datetime.date(2024, 5, 3))  # another street's
    client = browser_as(user_in(tree.street_a, Role.STAFF))
    may = {"starts_from": "2024-05-01", "starts_until": "2024-05-31"}

    def totals(params) -> tuple:
        """The page's totals, and whether they were read from the events by month."""
        with CaptureQueriesContext(connection) as queries:
            page = client.get(EVENTS, params)
        assert page.status_code == 200
        by_month = any("events_eventmonth" in q["sql"] for q in queries)
        return page.context["totals"], page.context["too_many_to_total"], by_month

    assert totals({}) == (Totals(3, 65, 249, 9, Decimal("1001.25")), False, True)
    in_may = {**may, "village": str(tree.village_a2.pk), "o": "1"}
    assert totals(in_may) == (Totals(2, 60, 240, 6, Decimal("550.75")), False, True)
    # a day mid-month: not whole months, and too many events to add up
    assert totals({"starts_from": "2024-05-02"}) == (None, True, False)
    # one event of the campaign: within the cap, the events themselves
    one = Totals(1, 30, 120, 3, Decimal("450.50"))
    assert totals({"campaign": str(campaign.pk)}) == (one, False, False)

"""``/api/v1/reports/annual/`` and ``/reports/annual/``: the annual work report's figures,
in the report's style, each traceable to the records it counts (docs/reports.md, The annual
report)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.organizations.roles import Role
from apps.reports.annual import LINES, LINKS, report_style, rounded_down
from apps.reports.catalogue import BY_KEY

ANNUAL = "/api/v1/reports/annual/"
ZH = {"accept-language": "zh-hans"}

# The seed report (issue 20): the five figures typed as "x" and the ones it states, each
# with the catalogue key it is read from. Written here from the issue, not from the code.
SEED = {
    "主题宣传教育x余场次": "events.themed_publicity_held",
    "向上争取资金x万元": "funds.higher_level_for_training",
    "能力提升培训，受益人群x余人": "events.trainees",
    "申报省级巾帼家政服务社区示范工作站x个": "titles.housekeeping_provincial_applied",
    "筹集“99公益”善款x万元": "funds.donations",
    "受益人群400余人": "events.themed_publicity_reached",
    "市级“小马扎巾帼流动课堂”示范点4个": "titles.mobile_classroom_city_awarded",
    "示范微家阵地8个": "titles.micro_home_awarded",
    "全区所有村（社区）维权服务站（岗）": "coverage.with_station",
    "创建“筑梦山海”妇女议事会、x村“小马扎”妇女议事会": "councils.set_up",
}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (437, "400余人"),
        (37, "30余人"),
        (7, "7人"),
        (400, "400人"),
        (1000, "1000人"),
        (1234, "1000余人"),
        (10, "10人"),
        (99, "90余人"),
        (100, "100人"),
        (0, "0人"),
    ],
)
def test_the_reports_rounding_rule(value, text):
    assert report_style(value, "人") == text


def test_money_is_in_wan_to_two_decimals_and_exact_lines_do_not_round():
    assert report_style(Decimal("23500.00"), "元") == "2.35万元"
    assert report_style(Decimal("5000.50"), "元") == "0.50万元"
    assert report_style(12, "个", rounds=False) == "12个"
    assert rounded_down(437) == (400, True)
    assert rounded_down(400) == (400, False)


def test_every_seed_figure_maps_to_a_catalogue_entry_and_an_annual_line():
    for phrase, key in SEED.items():
        assert key in BY_KEY, phrase
        assert key in LINES, phrase


def lines_of(body) -> dict:
    return {line["key"]: line for section in body["sections"] for line in section["lines"]}


# The district's 2024, counted by hand (tests/factories/reports.py and annual_set).
DISTRICT_2024 = {
    "branch.meetings_held": (1, "1次"),
    "events.themed_publicity_held": (1, "1场次"),
    "events.themed_publicity_reached": (400, "400人"),
    "titles.mobile_classroom_city_awarded": (1, "1个"),
    "titles.micro_home_awarded": (2, "2个"),
    "funds.higher_level_for_training": ("20000.00", "2.00万元"),
    "events.trainees": (25, "20余人"),
    "titles.housekeeping_provincial_applied": (3, "3个"),
    "events.family_education_held": (2, "2场次"),
    "funds.donations": ("5000.50", "0.50万元"),
    "coverage.with_station": (3, "所有村（社区）"),
    "coverage.villages": (3, "3个"),
    "cases.received": (10, "10件"),
    "titles.applied": (7, "7个"),
    "titles.awarded": (4, "4个"),
}


@pytest.mark.django_db
def test_the_annual_report_is_the_dashboards_figures_in_the_reports_style(
    annual_set, user_in, api_as
):
    client = api_as(user_in(annual_set.district, Role.STAFF))

    answer = client.get(ANNUAL, {"year": 2024}, headers=ZH)
    summary = client.get("/api/v1/reports/summary/", {"period": "2024"}).json()

    assert answer.status_code == 200
    body = answer.json()
    assert [section["title"] for section in body["sections"]] == [
        "思想引领与党建",
        "巾帼建功、家庭教育与巾帼帮扶",
        "维权与议事",
        "阵地与示范创建",
    ]
    lines = lines_of(body)
    for key, (value, text) in DISTRICT_2024.items():
        assert (lines[key]["value"], lines[key]["text"]) == (value, text), key
        domain, name = key.split(".", 1)
        assert lines[key]["value"] == summary["figures"][domain][name], key
    for key in SEED.values():
        assert key in lines
    assert lines["events.trainees"]["rule"].startswith("本期")


@pytest.mark.django_db
def test_a_year_is_required_and_an_organization_outside_the_scope_is_404(
    annual_set, user_in, api_as
):
    client = api_as(user_in(annual_set.street_a, Role.STAFF))

    missing = client.get(ANNUAL, headers=ZH)
    too_early = client.get(ANNUAL, {"year": 1999}, headers=ZH)
    sibling = client.get(ANNUAL, {"year": 2024, "organization": annual_set.street_b.pk})

    assert missing.status_code == 400
    assert "请填写报告年份" in missing.content.decode()
    assert too_early.status_code == 400
    assert sibling.status_code == 404


@pytest.mark.django_db
def test_leadership_gets_no_links_but_the_figure_by_child(annual_set, user_in, api_as):
    client = api_as(user_in(annual_set.district, Role.LEADERSHIP))

    lines = lines_of(client.get(ANNUAL, {"year": 2024}).json())

    assert all(line["link"] is None for line in lines.values())
    children = {
        child["organization"]["id"]: child["value"]
        for child in lines["events.themed_publicity_reached"]["children"]
    }
    assert children == {
        annual_set.district.pk: 0,
        annual_set.street_a.pk: 400,
        annual_set.street_b.pk: 0,
    }
    cases = {c["organization"]["id"]: c["value"] for c in lines["cases.received"]["children"]}
    assert lines["cases.received"]["value"] == 10
    assert cases[annual_set.street_a.pk] is None  # 4: hidden, as on the dashboard


def _counted_by(client, link: str, key: str):
    """What the linked list shows for ``key``: the admin changelist's result count or its
    totals, or the API list's exact count or the sum of its amounts."""
    page = client.get(link)
    assert page.status_code == 200, link
    if link.startswith("/admin/"):
        if key == "events.themed_publicity_reached":
            return page.context["totals"].people_reached
        if key == "events.trainees":
            return page.context["totals"].participants
        return page.context["cl"].result_count
    body = page.json()
    assert body["count"] == len(body["results"])  # one page: a sum is over every row
    if key.startswith("funds."):
        return str(sum((Decimal(row["amount"]) for row in body["results"]), Decimal("0.00")))
    column = SUMMED_COLUMN.get(key)
    if column:
        return sum(row[column] for row in body["results"])
    return body["count"]


SUMMED_COLUMN = {
    "events.themed_publicity_reached": "people_reached",
    "events.trainees": "participants",
}


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(LINKS))
@pytest.mark.parametrize("where", ["district", "street_a", "village_b1"])
def test_each_link_lists_exactly_what_its_figure_counts(annual_set, user_in, api_as, key, where):
    organization = getattr(annual_set, where)
    role = Role.CASE_WORKER if key.startswith("cases.") else Role.STAFF
    user = user_in(annual_set.district, role)
    client = api_as(user)
    client.force_login(user)

    found = client.get(ANNUAL, {"year": 2024, "organization": organization.pk}).json()
    line = lines_of(found)[key]

    assert line["link"], key
    assert _counted_by(client, line["link"], key) == line["value"]


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(k for k in LINKS if k.startswith("events.")))
def test_a_reader_outside_the_admin_gets_the_api_list_with_the_same_count(
    annual_set, user_in, api_as, key
):
    client = api_as(user_in(annual_set.village_a1, Role.STATION_OPERATOR))

    line = lines_of(client.get(ANNUAL, {"year": 2024}).json())[key]

    assert line["link"].startswith("/api/v1/events/?") and "count=exact" in line["link"]
    assert line["value"] > 0
    assert _counted_by(client, line["link"], key) == line["value"]


@pytest.mark.django_db
def test_the_page_shows_the_report_style_the_exact_value_and_the_link(annual_set, client, user_in):
    client.force_login(user_in(annual_set.district, Role.STAFF))

    page = client.get("/reports/annual/", {"year": 2024}, headers=ZH)

    text = page.content.decode()
    assert page.status_code == 200
    assert "测试区妇联 · 2024年度述职报告" in text
    assert "思想引领与党建" in text and "开展群众性主题宣传教育" in text
    assert '<td class="text">20余人</td>' in text  # 25 people trained
    assert '<td class="text">2.00万元</td>' in text
    assert '<td class="text">所有村（社区）</td>' in text
    assert 'href="/admin/events/event/?starts_from=2024-01-01&amp;starts_until=2024-12-31' in text


@pytest.mark.django_db
def test_leadership_reads_hidden_as_on_the_dashboard_and_the_breakdown(annual_set, client, user_in):
    client.force_login(user_in(annual_set.district, Role.LEADERSHIP))

    text = client.get(
        "/reports/annual/", {"year": 2024, "organization": annual_set.street_a.pk}, headers=ZH
    ).content.decode()

    assert 'data-exact="已隐藏"' in text  # street A's 4 cases
    assert "案件类数据对领导账号只按整年显示" in text
    assert "/admin/events/" not in text and "count=exact" not in text
    assert f"{annual_set.village_a1.name}：" in text


@pytest.mark.django_db
def test_the_page_wants_a_year_and_the_dashboard_links_to_it_for_a_year(
    annual_set, client, user_in
):
    client.force_login(user_in(annual_set.district, Role.STAFF))

    bad = client.get("/reports/annual/", {"year": "1999"}, headers=ZH)
    year = client.get("/reports/", {"period": "2024"}, headers=ZH).content.decode()
    quarter = client.get("/reports/", {"period": "2024-Q2"}, headers=ZH).content.decode()

    assert bad.status_code == 400
    assert "请填写报告年份" in bad.content.decode()
    assert f'/reports/annual/?organization={annual_set.district.pk}&amp;year=2024"' in year
    assert 'id="annual-link"' not in quarter


@pytest.mark.django_db
def test_the_annual_report_reads_in_a_fixed_number_of_queries(annual_set, client, user_in):
    client.force_login(user_in(annual_set.district, Role.STAFF))
    client.get("/api/v1/reports/annual/", {"year": 2024})  # the session, once

    with CaptureQueriesContext(connection) as captured:
        client.get("/api/v1/reports/annual/", {"year": 2024})

    # The session, the account, its organization, the throttle count; the report's 50 as the
    # dashboard's (docs/reports.md); the links' ids: categories, lines, title kinds, one each;
    # the sign-off's: the streets below and the period's rows (no log to read while open).
    assert len(captured.captured_queries) == 59

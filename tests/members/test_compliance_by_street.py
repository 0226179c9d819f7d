"""The compliance overview by street: a street column, a subtotal per street, the total, and the
same table as an Excel file (/admin/members/branchmeeting/compliance/)."""

import datetime
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from apps.core.actors import SYSTEM
from apps.members.selectors import branch as branch_selectors
from apps.members.services import branch as branch_services
from apps.organizations.choices import Kind
from apps.organizations.roles import Role
from tests.factories.organizations import make_org

pytestmark = pytest.mark.django_db

D = datetime.date
COMPLIANCE = "/admin/members/branchmeeting/compliance/"


def meet(organization, kind, held_on):
    return branch_services.branch_meeting_create(
        by=SYSTEM, organization=organization, kind=kind, held_on=held_on, topic="学习"
    )


@pytest.fixture
def branches(tree):
    """2023: village_a1 keeps every monthly rule, village_a2 and village_b1 meet once, the
    district's own branch meets once, street_a's three times."""
    for month in range(1, 13):
        meet(tree.village_a1, "committee", D(2023, month, 2))
        meet(tree.village_a1, "group", D(2023, month, 3))
        if month % 3 == 0:
            meet(tree.village_a1, "general_meeting", D(2023, month, 4))
            meet(tree.village_a1, "lecture", D(2023, month, 5))
    meet(tree.village_a2, "committee", D(2023, 5, 1))
    meet(tree.village_b1, "committee", D(2023, 5, 1))
    meet(tree.village_b1, "group", D(2023, 6, 1))
    meet(tree.street_a, "committee", D(2023, 1, 1))
    meet(tree.street_a, "committee", D(2023, 2, 1))
    meet(tree.street_a, "lecture", D(2023, 3, 1))
    meet(tree.district, "lecture", D(2023, 3, 1))


def test_the_overview_is_grouped_by_street_in_tree_order_worst_first_within(
    tree, user_in, branches
):
    district = user_in(tree.district, Role.STAFF)

    overview = branch_selectors.branch_compliance_overview(user=district, year=2023)
    groups = branch_selectors.by_street(overview)

    gaps = {row.organization: row.gaps for row in overview}
    assert gaps[tree.village_a1] == 0 and gaps[tree.village_a2] > gaps[tree.street_a] > 0
    assert [(group.street, [row.organization for row in group.rows]) for group in groups] == [
        (None, [tree.district]),
        (tree.street_a, [tree.village_a2, tree.street_a, tree.village_a1]),
        (tree.street_b, [tree.village_b1]),
    ]
    street_a = groups[1]
    assert street_a.held == 1 + 3 + 12 * 2 + 4 * 2
    assert street_a.gaps == gaps[tree.village_a2] + gaps[tree.street_a]
    assert sum(group.gaps for group in groups) == sum(gaps.values())


def test_the_page_shows_the_street_column_subtotals_and_total(tree, user_in, browser_as, branches):
    page = browser_as(user_in(tree.district, Role.STAFF)).get(COMPLIANCE, {"year": 2023})

    body = page.content.decode()
    overview = body[body.index('id="compliance-overview"') :]
    groups = page.context["streets"]
    assert page.status_code == 200
    assert overview.count('<tr class="subtotal">') == 3
    assert "小计（3 个支部）" in overview and "小计（1 个支部）" in overview
    assert overview.count("<td>甲街道妇联</td>") == 3  # the street column of its three branches
    assert overview.count("<td>区级</td>") == 1  # the district's own branch
    assert f"<td>{sum(group.held for group in groups)}</td>" in overview.split('class="total"')[1]
    assert 'href="?year=2023&amp;export=xlsx"' in body


def sheet_rows(response) -> list[list]:
    sheet = load_workbook(BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_export_holds_the_pages_rows_subtotals_and_total(tree, user_in, browser_as, branches):
    district = user_in(tree.district, Role.STAFF)
    groups = branch_selectors.by_street(
        branch_selectors.branch_compliance_overview(user=district, year=2023)
    )
    gaps = {row.organization.name: row.gaps for group in groups for row in group.rows}

    response = browser_as(district).get(COMPLIANCE, {"year": 2023, "export": "xlsx"})

    assert response.status_code == 200
    assert "branch_compliance_2023.xlsx" in response["Content-Disposition"]
    assert response["Cache-Control"].startswith("no-store")
    rows = sheet_rows(response)
    held_a = 1 + 3 + 12 * 2 + 4 * 2
    gaps_a = gaps["甲二社区妇联"] + gaps["甲街道妇联"]
    title = rows[0][0]
    assert title.startswith("测试区妇联 · ") and "2023年度" in title and "导出" in title
    assert rows[1] == ["所属街道/乡镇", "组织", "已召开会议数", "缺项数"]
    assert rows[2:] == [
        ["区级", "测试区妇联", 1, gaps["测试区妇联"]],
        ["区级", "小计（1 个支部）", 1, gaps["测试区妇联"]],
        ["甲街道妇联", "甲二社区妇联", 1, gaps["甲二社区妇联"]],
        ["甲街道妇联", "甲街道妇联", 3, gaps["甲街道妇联"]],
        ["甲街道妇联", "甲一社区妇联", 32, 0],
        ["甲街道妇联", "小计（3 个支部）", held_a, gaps_a],
        ["乙镇妇联", "乙一村妇联", 2, gaps["乙一村妇联"]],
        ["乙镇妇联", "小计（1 个支部）", 2, gaps["乙一村妇联"]],
        ["合计", None, 1 + held_a + 2, sum(gaps.values())],
    ]


def test_a_street_admin_exports_its_own_street_only(tree, user_in, browser_as, branches):
    response = browser_as(user_in(tree.street_a, Role.STAFF)).get(
        COMPLIANCE, {"year": 2023, "export": "xlsx"}
    )

    rows = sheet_rows(response)
    assert {row[0] for row in rows[2:-1]} == {"甲街道妇联"}
    assert not any("乙" in str(cell) or "测试区" in str(cell) for row in rows for cell in row)


def test_a_bad_year_exports_nothing(tree, user_in, browser_as, branches):
    page = browser_as(user_in(tree.district, Role.STAFF)).get(
        COMPLIANCE, {"year": 1999, "export": "xlsx"}
    )

    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")  # the form, with its error


def test_the_export_takes_the_same_queries_for_more_streets(tree, user_in, browser_as):
    client = browser_as(user_in(tree.district, Role.STAFF))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(COMPLIANCE, {"year": 2023, "export": "xlsx"})
            assert response.status_code == 200
        return len(captured)

    meet(tree.village_a1, "committee", D(2023, 1, 1))
    queries()  # the session is loaded and saved once
    few = queries()
    for n in range(5):
        street = make_org(tree.district, Kind.STREET, f"加{n}街道妇联")
        village = make_org(street, Kind.VILLAGE, f"加{n}村妇联")
        meet(village, "lecture", D(2023, 2, 1))

    assert queries() == few

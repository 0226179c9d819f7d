"""The admin's first page (the workbench, docs/workbench.md) and an organization's page: each
account sees its own subtree by child organization, in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.actors import SYSTEM
from apps.members import merging
from apps.members.selectors import branch as branch_selectors
from apps.members.selectors.workbench import workbench
from apps.members.services import branch as branch_services
from apps.members.services import people as services
from apps.organizations.choices import Kind, TitleStatus
from apps.organizations.roles import Role
from tests.factories.members import make_member
from tests.factories.organizations import PositionFactory, TitleFactory, make_org

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 5, 15)  # months 1–4 and quarter 1 have ended; May and quarter 2 are running
INDEX = "/admin/"
ORGANIZATION = "/admin/organizations/organization/{}/change/"


def appoint(organization, role, *, ended_on=None, member=None):
    member = member or make_member(organization, name=f"{organization.name[:2]}{role}")
    return services.appointment_create(
        by=SYSTEM,
        member=member,
        organization=organization,
        role=role,
        started_on=D(2020, 1, 1),
        ended_on=ended_on,
    )


def meet(organization, kind, held_on):
    return branch_services.branch_meeting_create(
        by=SYSTEM, organization=organization, kind=kind, held_on=held_on, topic="学习"
    )


@pytest.fixture
def records(tree):
    """People, leaders, positions and titles spread over the tree, with the records a count
    must leave out: a deleted person, an ended term, a closed position, a title applied for."""
    for organization, count in [
        (tree.district, 1),
        (tree.village_a1, 2),
        (tree.village_a2, 1),
        (tree.committee_a, 1),
        (tree.village_b1, 1),
    ]:
        for n in range(count):
            make_member(organization, name=f"{organization.name[:2]}人{n}")
    services.member_delete(by=SYSTEM, member=make_member(tree.village_a1, name="已删除"))
    appoint(tree.street_a, "chair")  # a person of street_a's own level
    appoint(tree.village_a1, "vice_chair", member=make_member(tree.village_a1, name="甲一副"))
    appoint(tree.village_a2, "chair", ended_on=D(2021, 1, 1), member=make_member(tree.village_a2))
    PositionFactory(organization=tree.village_a1)
    PositionFactory(organization=tree.village_a2, closed_on=D(2024, 1, 1))
    TitleFactory(organization=tree.village_b1)
    TitleFactory(organization=tree.village_b1, status=TitleStatus.APPLIED)
    return tree


def figures(board) -> dict[str, tuple]:
    """{organization's name (with * for its own level): (people, chairs, vice-chairs, open
    organizations, without a chair, without a vice-chair, positions, titles)}"""
    return {
        f"{row.organization.name}{'*' if row.own_level else ''}": (
            row.people,
            row.chairs,
            row.vice_chairs,
            row.organizations,
            row.without_chair,
            row.without_vice_chair,
            row.positions,
            row.titles,
        )
        for row in board.rows
    }


def test_a_district_admin_sees_each_street_and_the_districts_own_level(records, user_in):
    board = workbench(user=user_in(records.district, Role.DISTRICT_ADMIN), today=TODAY)

    # street_a: its chair, 3 in village_a1 (its vice-chair too; not the deleted one), 2 in
    # village_a2 (its former chair too), 1 in the committee; four open organizations, one with
    # a chair (the street: village_a2's chair has ended), one with a vice-chair
    assert figures(board) == {
        "测试区妇联*": (1, 0, 0, 1, 1, 1, 0, 0),
        "甲街道妇联": (7, 1, 1, 4, 3, 3, 1, 0),
        "乙镇妇联": (1, 0, 0, 2, 2, 2, 0, 1),
    }
    assert (board.total.people, board.total.organizations, board.total.titles) == (9, 7, 1)


def test_a_street_admin_sees_its_villages_and_committee_only(records, user_in):
    board = workbench(user=user_in(records.street_a, Role.DISTRICT_ADMIN), today=TODAY)

    assert figures(board) == {
        "甲街道妇联*": (1, 1, 0, 1, 0, 1, 0, 0),  # its chair, a person of its own level
        "甲一社区妇联": (3, 0, 1, 1, 1, 0, 1, 0),
        "甲二社区妇联": (2, 0, 0, 1, 1, 1, 0, 0),
        "甲街道快递行业妇委会": (1, 0, 0, 1, 1, 1, 0, 0),
    }
    assert board.total.people == 7


def test_a_village_is_one_row_with_what_lies_below_it(records, user_in):
    committee = make_org(
        records.village_a1, Kind.COMMITTEE, "甲一村企业妇委会", sector="enterprise"
    )
    make_member(committee, name="企业人")

    board = workbench(user=user_in(records.village_a1, Role.STAFF), today=TODAY)

    assert figures(board) == {"甲一社区妇联": (4, 0, 1, 2, 2, 1, 1, 0)}
    assert board.total.people == 4


def test_the_page_shows_each_account_its_own_children_and_no_one_elses(
    records, user_in, browser_as
):
    district = browser_as(user_in(records.district, Role.DISTRICT_ADMIN)).get(INDEX)
    street = browser_as(user_in(records.street_a, Role.STAFF)).get(INDEX)
    village = browser_as(user_in(records.village_b1, Role.CASE_WORKER)).get(INDEX)

    district, street, village = (p.content.decode() for p in (district, street, village))
    assert "甲街道妇联" in district and "乙镇妇联" in district and "甲一社区妇联" not in district
    assert "甲一社区妇联" in street and "甲二社区妇联" in street and "乙" not in street
    assert "乙一村妇联" in village and "甲" not in village
    # The header names the account's organization and role, on the new index too.
    assert "甲街道妇联 · 工作人员" in street
    assert 'id="workbench-figures"' in street
    assert "/admin/members/member/" in street  # Django's list of apps is still there


def test_the_headings_read_in_chinese(records, user_in, browser_as):
    page = browser_as(user_in(records.street_a, Role.DISTRICT_ADMIN)).get(INDEX)

    body = page.content.decode()
    for heading in [
        "<h1>工作台</h1>",
        "甲街道妇联：各组织概况",
        "甲街道妇联（本级）",
        ">缺主席<",
        ">在用阵地<",
        "年三会一课 已开／应开",
        "<h2>需要关注</h2>",
    ]:
        assert heading in body, heading


def test_the_totals_link_to_the_lists_filtered_to_them(records, user_in, browser_as):
    page = browser_as(user_in(records.street_a, Role.DISTRICT_ADMIN)).get(INDEX)

    body = page.content.decode()
    for link in [
        'href="/admin/members/member/">7<',
        'href="/admin/members/appointment/?role__exact=chair&amp;current=yes">1<',
        'href="/admin/members/appointment/?role__exact=vice_chair&amp;current=yes">1<',
        'href="/admin/organizations/position/?open=yes">1<',
        'href="/admin/organizations/title/?status__exact=awarded">0<',
        f'href="/admin/members/branchmeeting/compliance/?year={timezone.localdate().year}"',
        'href="/admin/members/member/duplicates/"',
    ]:
        assert link in body, link


def test_the_position_list_filters_open_positions(records, user_in, browser_as):
    client = browser_as(user_in(records.district, Role.DISTRICT_ADMIN))

    shown = client.get("/admin/organizations/position/?open=yes").context["cl"].result_list

    assert [position.organization for position in shown] == [records.village_a1]


def grow(tree, villages: int):
    """More villages, each with people, leaders, a position, a title and meetings."""
    for n in range(villages):
        village = make_org(tree.street_b, Kind.VILLAGE, f"乙{n}村妇联")
        for m in range(3):
            make_member(village, name=f"乙{n}村人{m}")
        appoint(village, "chair")
        PositionFactory(organization=village)
        TitleFactory(organization=village)
        meet(village, "committee", TODAY - datetime.timedelta(days=20))


def test_the_workbench_takes_the_same_queries_for_a_small_and_a_bigger_tree(
    tree, user_in, django_assert_num_queries
):
    admin = user_in(tree.district, Role.DISTRICT_ADMIN)
    admin.organization  # noqa: B018 - the account's organization, read with the account
    make_member(tree.village_a1, name="温岚", id_number="", phone="13700005555")
    make_member(tree.village_a2, name="温岚", id_number="", phone="13700005555")
    grow(tree, 1)
    # the children, people, leaders, vacancies, positions, titles; the compliance overview
    # (three) and the year's rules; the duplicates' pairs and their people
    with django_assert_num_queries(12):
        small = workbench(user=admin, today=TODAY)

    grow(tree, 12)
    make_org(tree.district, Kind.STREET, "丙街道妇联")
    with django_assert_num_queries(12):
        bigger = workbench(user=admin, today=TODAY)

    assert (small.total.people, bigger.total.people) == (6, 54)
    assert (small.total.branches, bigger.total.branches) == (1, 13)
    assert len(bigger.rows) == len(small.rows) + 1


def test_the_page_takes_the_same_queries_for_a_small_and_a_bigger_tree(tree, user_in, browser_as):
    client = browser_as(user_in(tree.district, Role.DISTRICT_ADMIN))
    grow(tree, 1)
    client.get(INDEX)  # the session is loaded and saved once
    with CaptureQueriesContext(connection) as small:
        first = client.get(INDEX)

    grow(tree, 12)
    with CaptureQueriesContext(connection) as bigger:
        second = client.get(INDEX)

    assert first.status_code == second.status_code == 200
    assert len(small) == len(bigger)
    assert second.context["workbench"].total.people == 52


def test_branches_behind_are_counted_as_the_compliance_page_counts_them(tree, user_in):
    street_admin = user_in(tree.street_a, Role.DISTRICT_ADMIN)
    meet(tree.village_a1, "committee", D(2025, 1, 10))
    meet(tree.village_a1, "group", D(2025, 2, 10))
    meet(tree.village_a2, "committee", D(2024, 3, 1))  # another year: not a branch this year

    board = workbench(user=street_admin, today=TODAY)

    report = branch_selectors.branch_compliance(
        user=street_admin, organization=tree.village_a1, year=2025, today=TODAY
    )
    ended = [c for r in report.rows for c in r.cells if c and c.required and not c.in_progress]
    # Months 1–4 of committee and group meetings, quarter 1 of the general meeting and lecture
    assert sum(cell.required for cell in ended) == 10
    assert [(b.organization, b.gaps, b.held, b.required) for b in board.behind] == [
        (tree.village_a1, report.gaps, 2, 10)
    ]
    village = next(row for row in board.rows if row.organization == tree.village_a1)
    assert (village.branches, village.branches_behind) == (1, 1)
    assert (village.meetings_held, village.meetings_required) == (2, 10)
    assert board.total.branches == 1


def test_likely_duplicates_are_counted_for_the_roles_that_merge_them(tree, user_in):
    make_member(tree.village_a1, name="温岚", id_number="", phone="13700005555")
    make_member(tree.village_a2, name="温岚", id_number="", phone="13700005555")
    make_member(tree.village_b1, name="李静", id_number="", phone="13700006666")
    make_member(tree.village_b1, name="李静", id_number="", phone="13700006666")
    street_staff = user_in(tree.street_a, Role.STAFF)

    staff_sees = workbench(user=street_staff, today=TODAY).duplicates
    worker_sees = workbench(user=user_in(tree.district, Role.CASE_WORKER), today=TODAY).duplicates

    assert staff_sees == merging.duplicate_groups_page(by=street_staff).paginator.count == 1
    assert worker_sees is None  # the duplicates page is not theirs


# --- An organization's page -------------------------------------------------------------------


def test_an_organizations_page_shows_its_children_and_its_subtrees_counts(
    records, user_in, browser_as
):
    client = browser_as(user_in(records.district, Role.DISTRICT_ADMIN))

    page = client.get(ORGANIZATION.format(records.street_a.pk))

    body = page.content.decode()
    shown = {str(figure.label): figure.count for figure in page.context["figures"]}
    assert shown == {
        **{"在用阵地": 1, "已获示范称号": 0, "人员": 7, "现任职务": 2},
        **{"妇女议事会": 0, "上季度未开会的议事会": 0, "逾期的议事会议题": 0},  # apps/councils
    }
    assert [child.name for child in page.context["children"]] == [
        "甲一社区妇联",
        "甲二社区妇联",
        "甲街道快递行业妇委会",
    ]
    assert "<h2>下级组织</h2>" in body and "<h2>本组织及下级</h2>" in body
    assert ORGANIZATION.format(records.village_a2.pk) in body
    assert ORGANIZATION.format(records.village_b1.pk) not in body
    assert "现任领导" in body  # the leadership inline, from the people app


def test_an_organizations_counts_link_to_the_lists_filtered_to_its_subtree(
    records, user_in, browser_as
):
    client = browser_as(user_in(records.street_a, Role.DISTRICT_ADMIN))
    a1 = records.village_a1.pk

    own = client.get(ORGANIZATION.format(records.street_a.pk)).context["figures"]
    below = client.get(ORGANIZATION.format(a1)).context["figures"]
    committee = client.get(ORGANIZATION.format(records.committee_a.pk)).context["figures"]

    assert [figure.url for figure in own] == [
        "/admin/organizations/position/?open=yes",
        "/admin/organizations/title/?status__exact=awarded",
        "/admin/members/member/",
        "/admin/members/appointment/?current=yes",
        "/admin/councils/council/?dissolved=no",
        "/admin/councils/council/?inactive=yes",
        "/admin/councils/topic/?overdue=yes",
    ]
    assert [figure.url for figure in below] == [
        f"/admin/organizations/position/?village={a1}&open=yes",
        f"/admin/organizations/title/?village={a1}&status__exact=awarded",
        f"/admin/members/member/?village={a1}",
        f"/admin/members/appointment/?village={a1}&current=yes",
        f"/admin/councils/council/?village={a1}&dissolved=no",
        f"/admin/councils/council/?village={a1}&inactive=yes",
        f"/admin/councils/topic/?village={a1}&overdue=yes",
    ]
    assert [figure.count for figure in below] == [1, 0, 3, 1, 0, 0, 0]
    # Each list, followed, holds as many rows as the count says.
    lengths = [len(client.get(f.url).context["cl"].result_list) for f in below]
    assert lengths == [1, 0, 3, 1, 0, 0, 0]
    # The lists have no filter for a women's committee: its counts are not links.
    assert [figure.url for figure in committee] == [None] * 7


def test_a_childs_counts_link_to_the_lists_filtered_to_it(records, user_in, browser_as):
    client = browser_as(user_in(records.district, Role.DISTRICT_ADMIN))

    page = client.get(INDEX)

    rows = {row.organization.name: cells for row, cells in page.context["rows"]}
    street_a = records.street_a.pk
    assert [cell.url for cell in rows["甲街道妇联"]] == [
        f"/admin/members/member/?street={street_a}",
        f"/admin/members/appointment/?street={street_a}&role__exact=chair&current=yes",
        None,  # the organizations without a chair: no list filters them
        f"/admin/members/appointment/?street={street_a}&role__exact=vice_chair&current=yes",
        None,
        f"/admin/organizations/position/?street={street_a}&open=yes",
        f"/admin/organizations/title/?street={street_a}&status__exact=awarded",
        None,  # the compliance page has no filter by street
        None,
    ]
    people = client.get(rows["甲街道妇联"][0].url).context["cl"].result_list
    assert {person.organization.street for person in people} == {records.street_a}
    assert len(people) == rows["甲街道妇联"][0].value == 7
    assert all(cell.url is None for cell in rows["测试区妇联"])  # its own level: no list
    assert page.context["total"][0].url == "/admin/members/member/"


def test_an_organizations_page_takes_the_same_queries_for_more_children(tree, user_in, browser_as):
    client = browser_as(user_in(tree.district, Role.DISTRICT_ADMIN))
    url = ORGANIZATION.format(tree.street_b.pk)
    grow(tree, 1)
    client.get(url)  # the session is loaded and saved once
    with CaptureQueriesContext(connection) as small:
        first = client.get(url)

    grow(tree, 12)
    with CaptureQueriesContext(connection) as bigger:
        second = client.get(url)

    assert len(first.context["children"]) == 2 and len(second.context["children"]) == 14
    assert len(small) == len(bigger)


def test_the_workbench_names_jobs_on_and_failed_this_week(tree, user_in, browser_as):
    """Imports of its subtree still running, or failed in the last week, are among what needs
    the attention of a district admin (linked to My jobs); finished ones are not."""
    from django.utils import timezone

    from apps.jobs.choices import JobState
    from tests.registry import make_job

    admin = user_in(tree.street_a, Role.DISTRICT_ADMIN)
    make_job(tree.village_a1, state=JobState.RUNNING)
    make_job(tree.village_a2, state=JobState.FAILED, finished_at=timezone.now())
    make_job(tree.village_a2)  # finished well
    make_job(tree.village_b1, state=JobState.FAILED, finished_at=timezone.now())  # elsewhere

    page = browser_as(admin).get(INDEX, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "后台任务：1 项排队或运行中，近7天失败 1 项" in page
    assert 'href="/admin/jobs/job/"' in page

"""People and appointments exported as a federation files them (docs/identity.md, Exports):
every field of the record by role, numbers masked for every role, no birth date beside a masked
number, a title row and a named sheet, an access-log row per record, the roster's two sheets."""

import datetime
from io import BytesIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.formats import date_format
from openpyxl import load_workbook

from apps.core.actors import SYSTEM
from apps.core.models import AccessLog
from apps.members.models import Appointment, Member
from apps.members.services import people as services
from apps.organizations.roles import Role
from tests.factories.identity import make_id_number
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

PEOPLE = "/admin/members/member/"
BIRTH_DATE = datetime.date(1979, 6, 1)
ID_NUMBER = make_id_number(BIRTH_DATE, "female", sequence=321)
MASKED = ID_NUMBER[:6] + "********" + ID_NUMBER[-4:]

# What each role's people sheet is headed with: the list's columns, then the record's others.
# The year of birth only for the roles that read numbers in full; the birth date for nobody.
LIST_COLUMNS = ["姓名", "性别", "出生年份", "公民身份号码", "手机号码", "组织", "政治面貌"]
OTHER_FIELDS = ["创建时间", "更新时间", "民族", "文化程度", "职业", "地址"]
HEADERS = {
    Role.DISTRICT_ADMIN: LIST_COLUMNS + OTHER_FIELDS,
    Role.STAFF: LIST_COLUMNS + OTHER_FIELDS,
    Role.CASE_WORKER: [name for name in LIST_COLUMNS if name != "出生年份"] + OTHER_FIELDS,
}
APPOINTMENT_HEADERS = [
    *["人员", "角色", "组织", "任期开始", "任期结束"],
    *["创建时间", "更新时间", "备注"],
]

# The session, the account, its organization (the scope and the title), the list's count, the
# rows with their organizations, the access log's one INSERT: whatever the number of rows.
QUERIES_PER_EXPORT = 6
# The session, the account, its organization, the roster's organization, the people, the
# appointments with their people, the access log's one INSERT.
QUERIES_PER_ROSTER = 7


def workbook(response):
    assert response.status_code == 200, response
    return load_workbook(BytesIO(response.content))


def table(sheet) -> list[list]:
    """The header and the rows, below the title row."""
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]


def records(sheet) -> list[dict]:
    header, *rows = table(sheet)
    return [dict(zip(header, row, strict=True)) for row in rows]


def export(client, objects=(), url=PEOPLE, query="", **fields):
    body = {"action": "export_to_excel", "index": 0, **fields}
    body["_selected_action"] = [obj.pk for obj in objects]
    return client.post(f"{url}{query}", body)


def roster(client, organization):
    return client.get(f"/admin/members/member/roster/{organization.pk}/")


@pytest.fixture
def person(tree):
    return make_member(
        tree.village_a1,
        name="周桂兰",
        birth_date=BIRTH_DATE,
        id_number=ID_NUMBER,
        phone="13912345678",
        ethnicity="hui",
        education="junior_college",
        occupation="教师",
        address="\u3000甲一社区3号",
        political_status="party_member",
    )


@pytest.fixture
def chair(tree, person):
    return services.appointment_create(
        by=SYSTEM,
        member=person,
        organization=tree.village_a1,
        role="chair",
        started_on=datetime.date(2024, 1, 1),
        note="换届当选",
    )


def every_value(book) -> str:
    return " ".join(str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row)


# Columns by role


@pytest.mark.parametrize("role", list(HEADERS))
def test_every_field_but_the_internal_ones_by_role(tree, person, user_in, browser_as, role):
    client = browser_as(user_in(tree.street_a, role))

    sheet = workbook(export(client, [person])).active

    assert table(sheet)[0] == HEADERS[role]
    row = records(sheet)[0]
    assert row["姓名"] == "周桂兰" and row["组织"] == "甲一社区妇联"
    assert (row["民族"], row["文化程度"], row["政治面貌"]) == ("回族", "大专", "中共党员")
    assert row["地址"] == "甲一社区3号"  # no padding in a cell
    assert row["创建时间"].date() == timezone.localdate()
    for internal in ("ID", "客户端编号", "请求摘要", "版本", "删除时间", "已合并到", "拼音排序键"):
        assert internal not in table(sheet)[0]


@pytest.mark.parametrize("role", list(HEADERS))
def test_numbers_are_masked_for_every_role_even_those_that_read_them_in_full(
    tree, person, user_in, browser_as, role
):
    client = browser_as(user_in(tree.street_a, role))

    book = workbook(export(client, [person]))

    row = records(book.active)[0]
    assert (row["公民身份号码"], row["手机号码"]) == (MASKED, "139****5678")
    text = every_value(book)
    assert ID_NUMBER not in text and "13912345678" not in text and ID_NUMBER[6:14] not in text


@pytest.mark.parametrize("role", list(HEADERS))
def test_no_birth_date_beside_a_masked_number(tree, person, user_in, browser_as, role):
    """The mask hides exactly the birth date; the year only to the roles that may read the
    number in full anyway, as their list shows it (docs/identity.md)."""
    client = browser_as(user_in(tree.street_a, role))

    book = workbook(export(client, [person]))

    header = table(book.active)[0]
    assert "出生日期" not in header
    text = every_value(book)
    for shown in ("1979-06-01", "1979年6月1日", "19790601", "1979-06-01 00:00:00"):
        assert shown not in text
    row = records(book.active)[0]
    if role == Role.CASE_WORKER:
        assert "出生年份" not in header and 1979 not in row.values()
    else:
        assert row["出生年份"] == 1979


# The sheet and its title


def test_the_sheet_is_named_and_titled_with_the_organization_filters_search_and_date(
    tree, person, user_in, browser_as
):
    make_member(tree.village_a1, name="周男", gender="male")
    client = browser_as(user_in(tree.street_a, Role.STAFF))

    book = workbook(export(client, [person], query="?gender__exact=female&q=周", select_across=1))

    sheet = book.active
    assert book.sheetnames == ["人员"]
    today = date_format(timezone.localdate(), "DATE_FORMAT")
    assert (
        sheet["A1"].value == f"甲街道妇联 · 人员 · 筛选：性别：女；搜索：“周” · {today}导出 · 共1条"
    )
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A3"  # the header stays in view below the title
    assert [row["姓名"] for row in records(sheet)] == ["周桂兰"]


def test_a_list_without_filters_says_so(tree, person, user_in, browser_as):
    client = browser_as(user_in(tree.street_a, Role.STAFF))

    sheet = workbook(export(client, [person])).active

    assert " · 未筛选 · " in sheet["A1"].value and sheet["A1"].value.endswith("共1条")


def test_a_search_by_number_is_named_without_its_number(tree, person, user_in, browser_as):
    client = browser_as(user_in(tree.street_a, Role.STAFF))
    found = client.post(f"{PEOPLE}search/", {"q": ID_NUMBER})
    listed = found["Location"]
    assert "q_token=" in listed

    book = workbook(export(client, [person], query=listed[len(PEOPLE) :]))

    assert "按号码搜索" in book.active["A1"].value
    assert ID_NUMBER not in every_value(book)


# The audit log


def test_each_export_writes_an_access_log_row_per_record(tree, person, user_in, browser_as):
    other = make_member(tree.village_a2, name="李红")
    sibling = make_member(tree.village_b1, name="吴春燕")
    account = user_in(tree.street_a, Role.CASE_WORKER)
    client = browser_as(account)

    workbook(export(client, [person, other, sibling]))

    logged = AccessLog.objects.filter(through="export")
    assert sorted(logged.values_list("object_id", flat=True)) == sorted([person.pk, other.pk])
    assert {row.user_id for row in logged} == {account.pk}
    assert {row.content_type for row in logged} == {ContentType.objects.get_for_model(Member)}


# The roster (花名册)


def test_the_roster_is_one_workbook_with_the_people_and_the_appointments(
    tree, person, chair, user_in, browser_as
):
    make_member(tree.village_a2, name="李红")  # another village's: not on this roster
    client = browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))

    response = roster(client, tree.village_a1)

    book = workbook(response)
    assert (
        "attachment;" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    )
    assert book.sheetnames == ["人员", "任职"]
    people, appointments = book["人员"], book["任职"]
    assert table(people)[0] == HEADERS[Role.DISTRICT_ADMIN]
    assert [row["姓名"] for row in records(people)] == ["周桂兰"]
    assert records(people)[0]["公民身份号码"] == MASKED
    assert table(appointments)[0] == APPOINTMENT_HEADERS
    row = records(appointments)[0]
    assert (row["人员"], row["角色"], row["组织"], row["备注"]) == (
        "周桂兰",
        "主席",
        "甲一社区妇联",
        "换届当选",
    )
    for sheet in (people, appointments):
        assert sheet["A1"].value.startswith("甲街道妇联 · ")
        assert "筛选：组织：甲一社区妇联" in sheet["A1"].value
        assert sheet.freeze_panes == "A3"


def test_the_roster_masks_and_drops_the_birth_year_for_a_case_worker(
    tree, person, chair, user_in, browser_as
):
    client = browser_as(user_in(tree.street_a, Role.CASE_WORKER))

    book = workbook(roster(client, tree.village_a1))

    assert table(book["人员"])[0] == HEADERS[Role.CASE_WORKER]
    text = every_value(book)
    assert ID_NUMBER not in text and "13912345678" not in text and "1979" not in text


def test_the_roster_is_logged(tree, person, chair, user_in, browser_as):
    account = user_in(tree.street_a, Role.STAFF)

    workbook(roster(browser_as(account), tree.village_a1))

    logged = {
        (row.content_type.model_class(), row.object_id)
        for row in AccessLog.objects.filter(through="export", user=account)
    }
    assert logged == {(Member, person.pk), (Appointment, chair.pk)}


def test_the_roster_of_another_subtree_does_not_exist(tree, person, user_in, browser_as):
    client = browser_as(user_in(tree.street_b, Role.DISTRICT_ADMIN))

    assert roster(client, tree.village_a1).status_code == 404
    assert roster(client, tree.street_a).status_code == 404
    assert not AccessLog.objects.filter(through="export").exists()


def test_the_organization_s_page_offers_the_roster_to_roles_that_read_people(
    tree, user_in, browser_as
):
    client = browser_as(user_in(tree.street_a, Role.STAFF))

    page = client.get(f"/admin/organizations/organization/{tree.village_a1.pk}/change/")

    link = f"/admin/members/member/roster/{tree.village_a1.pk}/"
    assert page.status_code == 200 and f'href="{link}"' in page.content.decode()
    assert "花名册" in page.content.decode()
    assert client.get(link).status_code == 200


# Queries


def people_in(village, count):
    return [make_member(village, name=f"人{n}") for n in range(count)]


def test_the_people_export_takes_a_fixed_number_of_queries(
    tree, user_in, browser_as, django_assert_num_queries
):
    client = browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))
    few, many = people_in(tree.village_a1, 3), people_in(tree.village_a2, 30)
    export(client, few)  # the content types, cached once per process

    with django_assert_num_queries(QUERIES_PER_EXPORT):
        assert len(table(workbook(export(client, few)).active)) == 4
    with django_assert_num_queries(QUERIES_PER_EXPORT):
        assert len(table(workbook(export(client, few + many)).active)) == 34


def test_the_roster_takes_a_fixed_number_of_queries(
    tree, user_in, browser_as, django_assert_num_queries
):
    client = browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))
    few = people_in(tree.village_a1, 2)
    roster(client, tree.village_a1)  # the content types, cached once per process

    with django_assert_num_queries(QUERIES_PER_ROSTER):
        workbook(roster(client, tree.village_a1))
    many = people_in(tree.village_a1, 25)
    for member in few + many:
        services.appointment_create(
            by=SYSTEM,
            member=member,
            organization=tree.village_a1,
            role="executive",
            started_on=datetime.date(2024, 1, 1),
        )
    with django_assert_num_queries(QUERIES_PER_ROSTER):
        book = workbook(roster(client, tree.village_a1))
    assert len(table(book["人员"])) == 28 and len(table(book["任职"])) == 28

"""Every scoped admin list exports to .xlsx: as the list shows it, no formulas, the subtree only."""

import datetime
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from apps.core.actors import SYSTEM
from apps.core.xlsx_export import Sheet, sheet_name, sheets_bytes, workbook_bytes
from apps.members.models import Member
from apps.members.services import people as services
from apps.organizations import admin_base
from apps.organizations.roles import Role
from tests.factories.identity import make_id_number
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

PEOPLE = "/admin/members/member/"
APPOINTMENTS = "/admin/members/appointment/"
ID_NUMBER = make_id_number(datetime.date(1979, 6, 1), "female", sequence=321)
MASKED = ID_NUMBER[:6] + "********" + ID_NUMBER[-4:]


def read(content: bytes):
    return load_workbook(BytesIO(content)).active


def values(sheet) -> list[list]:
    """The header and the rows, below the title row."""
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]


def title(sheet) -> str:
    return sheet["A1"].value


def export(client, url, objects=(), **fields):
    body = {"action": "export_to_excel", "index": 0, **fields}
    body["_selected_action"] = [obj.pk for obj in objects]
    return client.post(url, body)


# The file


def test_text_that_excel_would_run_as_a_formula_is_written_as_text():
    risky = ["=SUM(A1)", "+1", "-1", "@cmd", '=HYPERLINK("http://x","y")', "\t=1"]

    sheet = read(workbook_bytes(["姓名"], [[text] for text in risky]))

    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == risky
    assert [cell.data_type for cell in cells] == ["s"] * len(risky)
    assert all(cell.quotePrefix for cell in cells)


def test_the_header_is_bold_and_frozen_and_values_keep_their_type():
    when = timezone.make_aware(datetime.datetime(2024, 3, 1, 9, 30))
    row = [datetime.date(2024, 1, 31), when, 42, 2.5, Decimal("3.25"), "110105********002X", None]

    sheet = read(workbook_bytes(list("ABCDEFG"), [row]))

    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    cells = sheet[2]
    assert cells[0].is_date and cells[0].value == datetime.datetime(2024, 1, 31)
    assert cells[1].is_date and cells[1].value == datetime.datetime(2024, 3, 1, 9, 30)  # local
    assert [(c.data_type, c.value) for c in cells[2:5]] == [("n", 42), ("n", 2.5), ("n", 3.25)]
    assert (cells[5].data_type, cells[5].value) == ("s", "110105********002X")
    assert cells[6].value is None


def test_a_title_row_sits_above_the_header_and_both_stay_in_view():
    sheet = read(workbook_bytes(["姓名", "性别"], [["张秀英", "女"]], name="人员", title="甲街道"))

    assert sheet.title == "人员"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["甲街道", None],
        ["姓名", "性别"],
        ["张秀英", "女"],
    ]
    assert sheet.freeze_panes == "A3"  # the rows scroll under the title and the header
    assert sheet["A1"].font.b and sheet["A2"].font.b and not sheet["A3"].font.b


@pytest.mark.parametrize(
    ("asked", "given"),
    [
        ("人员", "人员"),
        ("a[b]c:d*e?f/g\\h", "abcdefgh"),  # Excel refuses these in a sheet's name
        ("长" * 40, "长" * 31),  # at most 31 characters
        ("'引号'", "引号"),  # not starting or ending with an apostrophe
        ("[]", "Sheet"),  # never blank
    ],
)
def test_a_sheet_s_name_is_one_excel_accepts(asked, given):
    assert sheet_name(asked) == given
    assert read(workbook_bytes(["A"], [], name=asked)).title == given


def test_sheets_of_one_workbook_keep_their_order_and_distinct_names():
    workbook = load_workbook(
        BytesIO(
            sheets_bytes(
                [
                    Sheet(name="人员", headers=["姓名"], rows=[["甲"]], title="一"),
                    Sheet(name="人员", headers=["角色"], rows=[["主席"]], title="二"),
                ]
            )
        )
    )

    assert workbook.sheetnames == ["人员", "人员 (2)"]
    assert workbook["人员 (2)"]["A3"].value == "主席"


# The admin action


@pytest.fixture
def people(tree):
    mine = make_member(
        tree.village_a1,
        name='=HYPERLINK("http://x")',
        id_number=ID_NUMBER,
        birth_date=None,
        phone="13912345678",
        political_status="party_member",
    )
    return {
        "mine": mine,
        "plus": make_member(tree.village_a2, name="+1", gender="male"),
        "sibling": make_member(tree.village_b1, name="吴春燕"),
    }


def test_the_file_is_a_chinese_named_download_that_is_not_cached(tree, people, user_in, browser_as):
    client = browser_as(user_in(tree.street_a, Role.STAFF))

    response = export(client, PEOPLE, [people["mine"]])

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    today = timezone.localdate().strftime("%Y%m%d")
    assert response["Content-Disposition"] == (
        f'attachment; filename="members_member_{today}.xlsx"; '
        f"filename*=UTF-8''{quote(f'人员_{today}.xlsx')}"
    )
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("role", [Role.STAFF, Role.CASE_WORKER, Role.DISTRICT_ADMIN])
def test_the_list_is_exported_as_shown_masked_for_every_role(
    tree, people, user_in, browser_as, role
):
    """The year of birth only for the roles that read numbers in full (docs/identity.md)."""
    client = browser_as(user_in(tree.street_a, role))
    year_shown = role != Role.CASE_WORKER

    def as_shown(row):
        return row if year_shown else row[:2] + row[3:]

    sheet = read(export(client, PEOPLE, [people["mine"], people["plus"]]).content)

    shown = 7 if year_shown else 6  # the list's columns come first, then the record's others
    rows = [row[:shown] for row in values(sheet)]
    assert rows[0] == as_shown(
        ["姓名", "性别", "出生年份", "公民身份号码", "手机号码", "组织", "政治面貌"]
    )
    plus = people["plus"]
    assert sorted(rows[1:], key=str) == sorted(
        [
            as_shown(
                [
                    '=HYPERLINK("http://x")',
                    "女",
                    1979,
                    MASKED,
                    "139****5678",
                    "甲一社区妇联",
                    "中共党员",
                ]
            ),
            as_shown(
                [
                    "+1",
                    "男",
                    plus.birth_date.year,
                    plus.id_number_masked,
                    plus.phone_masked,
                    "甲二社区妇联",
                    None,
                ]
            ),
        ],
        key=str,
    )
    assert plus.phone_masked == "138****" + plus.phone[-4:]
    text = " ".join(str(value) for row in values(sheet) for value in row)
    for secret in (ID_NUMBER, ID_NUMBER[6:14], "13912345678", "1979-06-01"):
        assert secret not in text
    assert sheet["A3"].data_type == "s" and sheet["A4"].data_type == "s"


def test_ids_of_another_subtree_export_nothing(tree, people, user_in, browser_as):
    client = browser_as(user_in(tree.street_a, Role.STAFF))

    response = export(client, PEOPLE, [people["sibling"], people["mine"]])

    names = [row[0] for row in values(read(response.content))[1:]]
    assert names == ['=HYPERLINK("http://x")']


def test_select_all_exports_the_subtree_only(tree, people, user_in, browser_as):
    client = browser_as(user_in(tree.street_a, Role.STAFF))

    response = export(client, PEOPLE, [people["mine"]], select_across=1)  # "select all …"

    names = sorted(row[0] for row in values(read(response.content))[1:])
    assert names == sorted(['=HYPERLINK("http://x")', "+1"])


def test_every_scoped_list_offers_the_export_and_names_read_without_the_tree_s_indent(
    tree, user_in, browser_as
):
    client = browser_as(user_in(tree.street_a, Role.STAFF))
    assert "export_to_excel" in client.get("/admin/organizations/organization/").content.decode()

    response = export(client, "/admin/organizations/organization/", [tree.village_a1])

    rows = values(read(response.content))
    assert rows[0][:3] == ["名称", "代码", "类型"]
    assert rows[1][0] == "甲一社区妇联"  # the list indents it with full-width spaces: the page's
    assert rows[1][4] == datetime.datetime(2010, 1, 1)
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["所属街道/乡镇"] == "甲街道妇联"  # a field the list lacks, by its name
    # The parent field is headed as the list's path to the root: one column, the list's.
    assert record["上级组织"] == "测试区妇联 › 甲街道妇联" and rows[0].count("上级组织") == 1
    for internal in ("path", "depth", "numchild", "客户端编号", "请求摘要", "拼音排序键", "ID"):
        assert internal not in rows[0]


def appointments(tree, count):
    return [
        services.appointment_create(
            by=SYSTEM,
            member=make_member(tree.village_a1, name=f"人{n}"),
            organization=(tree.village_a1, tree.street_a)[n % 2],
            role="executive",
            started_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=n),
        )
        for n in range(count)
    ]


def test_appointments_export_with_labels_and_real_dates(tree, user_in, browser_as):
    chair = services.appointment_create(
        by=SYSTEM,
        member=make_member(tree.village_a1, name="张秀英"),
        organization=tree.village_a1,
        role="chair",
        started_on=datetime.date(2024, 1, 1),
        ended_on=datetime.date(2026, 12, 31),
    )
    client = browser_as(user_in(tree.street_a, Role.STAFF))

    sheet = read(export(client, APPOINTMENTS, [chair]).content)

    start, end = datetime.datetime(2024, 1, 1), datetime.datetime(2026, 12, 31)
    rows = values(sheet)
    assert [row[:5] for row in rows] == [
        ["人员", "角色", "组织", "任期开始", "任期结束"],
        ["张秀英", "主席", "甲一社区妇联", start, end],
    ]
    assert rows[0][5:] == ["创建时间", "更新时间", "备注"]  # the record's fields the list lacks
    assert sheet["D3"].is_date and sheet["E3"].is_date


def test_the_export_takes_the_same_queries_for_10_rows_as_for_100(tree, user_in, browser_as):
    client = browser_as(user_in(tree.street_a, Role.STAFF))
    few, many = appointments(tree, 10), appointments(tree, 100)
    export(client, APPOINTMENTS, few)  # the session and the user, loaded once

    with CaptureQueriesContext(connection) as for_few:
        assert len(values(read(export(client, APPOINTMENTS, few).content))) == 11
    with CaptureQueriesContext(connection) as for_many:
        assert len(values(read(export(client, APPOINTMENTS, many).content))) == 101

    assert len(for_few) == len(for_many)


def test_more_than_10000_rows_go_to_a_background_job(
    tree, user_in, browser_as, monkeypatch, settings, tmp_path
):
    """Past 10,000 rows the request writes no file: a job does (apps/jobs, docs/jobs.md),
    which the page then follows; were no job engine connected, a message says to narrow."""
    from apps.jobs.models import Job

    settings.MEDIA_ROOT = tmp_path
    assert admin_base.EXPORT_MAX_ROWS == 10_000
    village = tree.village_a1
    Member.objects.bulk_create(  # quicker than the service, for this many
        Member(organization=village, name=f"人{n}", name_pinyin=f"ren {n}", gender="female")
        for n in range(10_001)
    )
    client = browser_as(user_in(tree.street_a, Role.STAFF))

    response = export(client, PEOPLE, Member.objects.all()[:1], select_across=1)

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/jobs/job/{job.pk}/change/"
    assert len(job.params["ids"]) == 10_001
    said = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert len(said) == 1 and "10,001" in said[0]

    monkeypatch.setattr(admin_base, "_large_export", None)
    refused = export(client, PEOPLE, Member.objects.all()[:1], select_across=1)

    said = [str(m) for m in client.get(refused["Location"]).context["messages"]]
    assert refused.status_code == 302 and Job.objects.count() == 1
    assert len(said) == 1 and "10,000" in said[0]


def test_up_to_the_cap_the_file_is_made(tree, people, user_in, browser_as, monkeypatch):
    monkeypatch.setattr(admin_base, "EXPORT_MAX_ROWS", 2)
    client = browser_as(user_in(tree.street_a, Role.STAFF))

    response = export(client, PEOPLE, [people["mine"]], select_across=1)

    assert response.status_code == 200
    assert len(values(read(response.content))) == 3


def test_no_export_holds_a_secret_or_an_internal_field(tree, user_in, browser_as):
    """Accounts: every field but the password (and its hash) and the notices' bookkeeping."""
    admin = user_in(tree.street_a, Role.DISTRICT_ADMIN)
    operator = user_in(tree.village_a1, Role.STATION_OPERATOR, name="赵站点")
    client = browser_as(admin)

    book = export(client, "/admin/accounts/user/", [operator])

    rows = values(read(book.content))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["名称"] == "赵站点" and record["角色"] == "站点操作员" and record["启用"] == "是"
    assert "创建日期" in record  # date_joined: a field the list lacks
    assert "密码" not in record and "通知已读时间" not in record and "ID" not in record
    stored = type(operator).objects.get(pk=operator.pk).password
    assert all(stored not in str(value) for value in rows[1])

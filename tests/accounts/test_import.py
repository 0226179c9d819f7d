"""Many accounts at once from an .xlsx sheet: a dry run lists every bad row; then all or none."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.accounts.services import accounts_import
from apps.core.xlsx import SheetError
from apps.organizations.roles import Role
from tests.factories.xlsx import xlsx

pytestmark = pytest.mark.django_db

HEADER = ["用户名", "姓名", "组织代码", "角色"]


def sheet(*rows, header=HEADER) -> bytes:
    return xlsx(header, *rows)


@pytest.fixture
def admin_a(tree, user_in):
    return user_in(tree.street_a, Role.DISTRICT_ADMIN, username="admin_a")


def test_a_dry_run_lists_every_bad_row_and_creates_nothing(tree, admin_a, user_in):
    user_in(tree.village_a1, Role.STAFF, username="taken")
    data = sheet(
        ["good1", "张秀英", tree.village_a1.code, "station_operator"],
        ["taken", "李桂兰", tree.village_a1.code, "staff"],
        ["good2", "", tree.village_a2.code, "站点操作员"],
        ["good3", "王芳", tree.village_b1.code, "staff"],
        ["good1", "陈丽", tree.village_a2.code, "staff"],
        ["bad name!", "周敏", tree.village_a2.code, "boss"],
        ["good4", "吴静", "NOPE", "staff"],
    )
    before = User.objects.count()

    report = accounts_import(data=data, by=admin_a, dry_run=True)

    assert report.rows == 7
    assert [number for number, _ in report.errors] == [3, 4, 5, 6, 7, 8]
    problems = dict(report.errors)
    assert "taken" in problems[3]
    assert "姓名为空" in problems[4]
    assert f"组织代码 {tree.village_b1.code} 不存在" in problems[5]  # outside: as if nowhere
    assert "与第 2 行重复" in problems[6]
    assert "未知角色 boss" in problems[7]
    assert "组织代码 NOPE 不存在" in problems[8]
    assert report.created == []
    assert User.objects.count() == before


def test_a_bad_row_in_the_middle_imports_nothing(tree, admin_a):
    data = sheet(
        ["one", "张秀英", tree.village_a1.code, "station_operator"],
        ["two", "李桂兰", tree.village_b1.code, "staff"],
        ["three", "王芳", tree.village_a2.code, "staff"],
    )
    before = User.objects.count()

    report = accounts_import(data=data, by=admin_a, dry_run=False)

    assert [number for number, _ in report.errors] == [3]
    assert User.objects.count() == before


def test_a_correct_sheet_creates_every_account_with_a_first_password(tree, admin_a):
    data = sheet(
        ["one", "张秀英", tree.village_a1.code, "station_operator"],
        ["two", "李桂兰", tree.village_a2.code, "工作人员"],
    )

    report = accounts_import(data=data, by=admin_a, dry_run=False)

    assert report.errors == []
    created = {account.username: (password, link) for account, password, link in report.created}
    one, two = User.objects.get(username="one"), User.objects.get(username="two")
    assert (one.organization, one.role) == (tree.village_a1, Role.STATION_OPERATOR)
    assert (two.organization, two.role) == (tree.village_a2, Role.STAFF)
    assert two.check_password(created["two"][0]) and created["two"][1] == ""
    assert one.history.get().history_user == admin_a


def test_an_account_that_reads_cases_gets_a_link_not_a_password(tree, admin_a, client):
    """docs/roles.md, Account rules: no admin knows a station operator's password."""
    report = accounts_import(
        data=sheet(["one", "张秀英", tree.village_a1.code, "station_operator"]),
        by=admin_a,
        dry_run=False,
    )

    [(account, password, link)] = report.created
    account.refresh_from_db()
    assert password == "" and not account.has_usable_password()
    assert link.startswith("/accounts/set-password/")
    assert client.get(link, follow=True).status_code == 200


def test_only_the_districts_own_admins_import_case_workers(tree, admin_a, user_in):
    data = sheet(["cw", "张秀英", tree.village_a1.code, "case_worker"])
    root_admin = user_in(tree.district, Role.DISTRICT_ADMIN)

    refused = accounts_import(data=data, by=admin_a, dry_run=False)
    accepted = accounts_import(data=data, by=root_admin, dry_run=False)

    assert [number for number, _ in refused.errors] == [2]
    assert "只有区妇联本级的管理员可以管理维权专干账号" in refused.errors[0][1]
    assert [account.username for account, _, _ in accepted.created] == ["cw"]


def test_a_sheet_without_the_columns_is_refused_whole(tree, admin_a):
    with pytest.raises(SheetError, match="表头缺少"):
        accounts_import(data=sheet(["x"], header=["账号名"]), by=admin_a, dry_run=True)


def test_a_file_that_is_not_xlsx_is_refused(tree, admin_a):
    with pytest.raises(SheetError):
        accounts_import(data=b"not a workbook", by=admin_a, dry_run=True)


def test_the_admin_page_runs_the_dry_run_then_the_import(tree, admin_a, browser_as):
    client = browser_as(admin_a)
    data = sheet(["one", "张秀英", tree.village_a1.code, "station_operator"])

    checked = client.post(
        "/admin/accounts/user/import/",
        {"file": SimpleUploadedFile("a.xlsx", data), "dry_run": "on"},
    )
    assert checked.status_code == 200
    assert not User.objects.filter(username="one").exists()

    imported = client.post(
        "/admin/accounts/user/import/", {"file": SimpleUploadedFile("a.xlsx", data)}
    )

    assert imported.status_code == 200
    assert "no-store" in imported["Cache-Control"]
    assert "初始密码" in imported.content.decode()
    assert User.objects.get(username="one").organization == tree.village_a1


def test_the_import_page_is_for_district_admins_only(tree, user_in, browser_as):
    page = browser_as(user_in(tree.district, Role.STAFF)).get("/admin/accounts/user/import/")

    assert page.status_code == 403


def test_a_broken_sheet_inside_a_valid_zip_is_refused_not_a_500(tree, admin_a, browser_as):
    import zipfile

    original = zipfile.ZipFile(BytesIO(sheet(["one", "张秀英", tree.village_a1.code, "staff"])))
    broken = BytesIO()
    with zipfile.ZipFile(broken, "w") as out:
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            out.writestr(item, content)

    with pytest.raises(SheetError):
        accounts_import(data=broken.getvalue(), by=admin_a, dry_run=True)
    page = browser_as(admin_a).post(
        "/admin/accounts/user/import/",
        {"file": SimpleUploadedFile("a.xlsx", broken.getvalue()), "dry_run": "on"},
    )
    assert page.status_code == 200
    assert "不是.xlsx格式" in page.content.decode()


def test_a_dry_run_costs_the_same_queries_for_20_rows_as_for_200(tree, admin_a):
    def queries(n):
        rows = [(f"u{i}", f"测试{i}", tree.village_a1.code, "station_operator") for i in range(n)]
        with CaptureQueriesContext(connection) as captured:
            report = accounts_import(data=sheet(*rows), by=admin_a, dry_run=True)
        assert not report.errors
        return len(captured)

    assert queries(20) == queries(200) == 2  # codes, usernames taken

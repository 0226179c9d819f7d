"""People and appointments from .xlsx sheets: a dry run lists every bad row; then all or none."""

import datetime
import threading
import time
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from apps.core import imports as core_imports
from apps.core.actors import SYSTEM
from apps.core.imports import CHECKING, WRITING
from apps.members.imports import appointments_import, people_import
from apps.members.models import Appointment, DuplicateCandidate, Member
from apps.members.services import people as services
from apps.organizations.roles import Role
from tests.factories.identity import make_id_number
from tests.factories.members import make_member
from tests.factories.xlsx import PEOPLE_HEADER, bomb, rebuilt, xlsx

pytestmark = pytest.mark.django_db

PEOPLE = PEOPLE_HEADER
APPOINTMENTS = ["身份证号", "姓名", "组织代码", "职务", "任期开始", "任期结束"]
BORN = datetime.date(1980, 5, 17)
ID_1, ID_2, ID_3, ID_4, ID_5 = (make_id_number(BORN, "female", sequence=n) for n in range(11, 16))
NUMERIC_ID = 1.10105194912310e17  # 11010519491231002X typed into a number cell


@pytest.fixture(autouse=True)
def english():
    """Messages in their msgid language, so the asserts hold before and after translation."""
    with translation.override("en"):
        yield


def sheet(*rows, header=PEOPLE) -> bytes:
    return xlsx(header, *rows)


def person(name="张秀英", id_number=ID_1, code="", **cells):
    """A row of PEOPLE; ``cells`` replace the defaults by header (性别="男")."""
    row = {
        "姓名": name,
        "性别": "女",
        "民族": "汉族",
        "身份证号": id_number,
        "手机号": "139 1234 5678",
        "政治面貌": "中共党员",
        "文化程度": "大专",
        "职业": "教师",
        "住址": "甲街道1号",
        "组织代码": code,
        **cells,
    }
    return [row[header] for header in PEOPLE]


@pytest.fixture
def staff_a(tree, user_in):
    return user_in(tree.street_a, Role.STAFF, username="staff_a")


def problems(report) -> dict[int, str]:
    return dict(report.errors)


# People


def test_a_dry_run_lists_every_bad_row_with_its_reason_and_writes_nothing(tree, staff_a):
    make_member(tree.village_a1, id_number=ID_3, birth_date=BORN)
    a1, a2, b1 = tree.village_a1.code, tree.village_a2.code, tree.village_b1.code
    data = sheet(
        person("甲", ID_1, a1),
        person("乙", ID_1[:-1] + ("0" if ID_1[-1] != "0" else "1"), a1),  # a mistyped digit
        person("丙", NUMERIC_ID, a1),
        person("丁", ID_2, "NOPE"),
        person("戊", ID_4, b1),  # a sibling street's village: as if it did not exist
        person("己", ID_1, a2),  # the same person twice in the file
        person("庚", ID_3, a2),  # already on file in the subtree
        person("", "", a1),
        person("辛", "", a1, 性别="", 政治面貌="长老", 民族="火星族", 手机号="12"),
        person("壬", "", a1, 手机号="010-12345678"),
        person("癸", ID_5, a2),
    )
    before = (Member.objects.count(), Member.history.count())

    report = people_import(data=data, by=staff_a, dry_run=True)

    assert report.rows == 11
    assert problems(report) == {
        3: "The check character of this ID number is wrong; please check for a mistyped digit.",
        4: "the ID number is in a number cell, which loses its last digits: format the 身份证号 "
        "column as text and type the numbers again",
        5: "organization code NOPE does not exist",
        6: f"organization code {b1} does not exist",
        7: "the ID number is already on row 2",
        8: str(services.ID_NUMBER_TAKEN),
        9: "姓名 is empty",
        10: "性别 is empty；unknown 民族 火星族；unknown 政治面貌 长老；"
        "手机号: Enter a valid mainland China mobile phone number.",
        11: "手机号: Enter a valid mainland China mobile phone number.",
    }
    assert report.created == []
    assert (Member.objects.count(), Member.history.count()) == before


def test_the_models_own_rules_apply_to_each_row(tree, staff_a):
    data = sheet(
        person("甲", ID_1, tree.village_a1.code, 性别="男"),  # the ID number is a woman's
        person("乙" * 51, "", tree.village_a1.code, 职业="x"),
    )

    report = people_import(data=data, by=staff_a, dry_run=True)

    assert report.errors == [
        (2, "性别: The gender does not agree with the ID number."),
        (3, "姓名: Ensure this value has at most 50 characters (it has 51)."),
    ]


def test_a_value_a_field_refuses_is_refused_on_every_row_that_repeats_it(tree, staff_a):
    """Each field checks a value once per run: what it refused stays refused."""
    a1, long = tree.village_a1.code, "职" * 101
    data = sheet(
        person("甲", ID_1, a1, 职业=long), person("乙", ID_2, a1, 职业=long), person("丙", ID_3, a1)
    )

    report = people_import(data=data, by=staff_a, dry_run=True)

    refused = "职业: Ensure this value has at most 100 characters (it has 101)."
    assert report.errors == [(2, refused), (3, refused)]


def test_a_bad_row_in_the_middle_imports_nothing(tree, staff_a):
    a1 = tree.village_a1.code
    data = sheet(person("甲", ID_1, a1), person("乙", ID_2, "NOPE"), person("丙", ID_3, a1))

    report = people_import(data=data, by=staff_a, dry_run=False)

    assert [number for number, _ in report.errors] == [3]
    assert not Member.objects.exists()
    assert not Member.history.exists()


def test_rows_go_in_as_they_are_read_and_a_bad_one_read_late_rolls_them_back(
    tree, staff_a, monkeypatch
):
    """The rows are written while the next are read and checked; a bad row read once others
    are in ends the writing, every later row is still checked, and none is kept."""
    monkeypatch.setattr(core_imports, "BATCH_SIZE", 1)  # a progress step for every row written
    a1 = tree.village_a1.code
    data = sheet(
        person("甲", ID_1, a1),
        person("乙", ID_2, a1),
        person("丙", ID_3, "NOPE"),
        person("丁", ID_4, a1),
        person("戊", ID_4, a1),
    )
    steps = []

    report = people_import(
        data=data, by=staff_a, dry_run=False, progress=lambda *step: steps.append(step[:2])
    )

    assert steps == [
        (CHECKING, 1),
        (WRITING, 1),
        (CHECKING, 2),
        (WRITING, 2),
        (CHECKING, 3),  # bad: nothing written from here on, every row still checked
        (CHECKING, 4),
        (CHECKING, 5),
    ]
    assert report.errors == [
        (4, "organization code NOPE does not exist"),
        (6, "the ID number is already on row 5"),
    ]
    assert report.created == []
    assert not Member.objects.exists()
    assert not Member.history.exists()


def test_a_correct_sheet_imports_every_person_with_history_by_the_importer(tree, staff_a):
    data = sheet(
        person("张秀英", ID_1.lower(), tree.village_a1.code),
        person("李桂兰", ID_2, tree.village_a2.code, 性别="", 民族="回", 政治面貌="masses"),
        person("王芳", "", tree.committee_a.code, 手机号=13912345679, 文化程度="本科"),
    )

    report = people_import(data=data, by=staff_a, dry_run=False)

    assert report.errors == []
    assert len(report.created) == 3
    first, second, third = (Member.objects.get(name=n) for n in ("张秀英", "李桂兰", "王芳"))
    assert (first.id_number, first.phone, first.birth_date) == (ID_1, "+8613912345678", BORN)
    assert (first.gender, first.ethnicity, first.political_status, first.education) == (
        "female",
        "han",
        "party_member",
        "junior_college",
    )
    assert (first.organization, first.occupation, first.address) == (
        tree.village_a1,
        "教师",
        "甲街道1号",
    )
    assert (second.gender, second.ethnicity, second.political_status) == (
        "female",  # read from the ID number
        "hui",
        "masses",
    )
    assert (third.id_number, third.phone, third.education) == ("", "+8613912345679", "bachelor")
    assert third.name_pinyin == "wang fang"
    for member in (first, second, third):
        history = member.history.get()
        assert (history.history_type, history.history_user) == ("+", staff_a)


def test_an_id_number_from_a_number_cell_is_refused_whatever_its_value(tree, staff_a):
    # 11010519491231002X cannot be typed as a number; a number that happens to be a valid
    # ID number is refused too, since its digits may have been rounded on the way.
    valid_as_number = make_id_number(datetime.date(1990, 1, 1), "male", sequence=0)
    assert valid_as_number[-1] != "X"
    data = sheet(
        person("甲", NUMERIC_ID, tree.village_a1.code),
        person("乙", int(valid_as_number), tree.village_a1.code),
    )

    report = people_import(data=data, by=staff_a, dry_run=True)

    assert [number for number, _ in report.errors] == [2, 3]
    assert all("number cell" in problem for _, problem in report.errors)


def test_a_code_outside_the_subtree_reads_exactly_as_one_that_does_not_exist(tree, staff_a):
    outside, nowhere = tree.village_b1.code, "T999999"
    data = sheet(person("甲", ID_1, outside), person("乙", ID_2, nowhere))

    report = people_import(data=data, by=staff_a, dry_run=True)

    said = problems(report)
    assert said[2].replace(outside, "CODE") == said[3].replace(nowhere, "CODE")


def test_an_id_number_twice_in_the_file_is_refused_on_its_second_row(tree, staff_a):
    data = sheet(
        person("甲", ID_1, tree.village_a1.code),
        person("乙", ID_2, tree.village_a1.code),
        person("丙", ID_1.lower(), tree.village_a2.code),
    )

    report = people_import(data=data, by=staff_a, dry_run=True)

    assert report.errors == [(4, "the ID number is already on row 2")]


def test_an_id_number_on_file_is_refused_in_the_subtree_and_free_outside_it(tree, staff_a):
    make_member(tree.village_a1, id_number=ID_1, birth_date=BORN)
    make_member(tree.village_b1, id_number=ID_2, birth_date=BORN)  # a sibling street's person
    data = sheet(person("甲", ID_1, tree.village_a2.code), person("乙", ID_2, tree.village_a2.code))

    checked = people_import(data=data, by=staff_a, dry_run=True)
    only_the_free_one = people_import(
        data=sheet(person("乙", ID_2, tree.village_a2.code)), by=staff_a, dry_run=False
    )

    assert checked.errors == [(2, str(services.ID_NUMBER_TAKEN))]  # row 3 tells nothing
    assert only_the_free_one.errors == []
    assert Member.objects.filter(id_number=ID_2).count() == 2


def test_without_an_importer_the_whole_tree_is_checked(tree):
    make_member(tree.village_b1, id_number=ID_1, birth_date=BORN)
    data = sheet(person("甲", ID_1, tree.village_a1.code))

    report = people_import(data=data, by=SYSTEM, dry_run=True)

    assert report.errors == [(2, str(services.ID_NUMBER_TAKEN))]


def _people_rows(tree, count: int):
    for n in range(count):
        born = datetime.date(1960, 1, 1) + datetime.timedelta(days=n)
        code = (tree.village_a1, tree.village_a2)[n % 2].code
        yield person(f"人{n}", make_id_number(born, "female", sequence=n % 500), code)


def test_a_dry_run_takes_the_same_queries_for_20_rows_as_for_200(tree, staff_a):
    small, large = sheet(*_people_rows(tree, 20)), sheet(*_people_rows(tree, 200))
    staff_a = type(staff_a).objects.get(pk=staff_a.pk)  # its organization not yet loaded

    with CaptureQueriesContext(connection) as for_small:
        assert people_import(data=small, by=staff_a, dry_run=True).errors == []
    staff_a = type(staff_a).objects.get(pk=staff_a.pk)
    with CaptureQueriesContext(connection) as for_large:
        assert people_import(data=large, by=staff_a, dry_run=True).errors == []

    assert len(for_small) == len(for_large) == 3  # organization, codes, IDs


def test_an_import_takes_the_same_queries_for_20_rows_as_for_200(tree, staff_a):
    """Checked set-wise, written in one COPY with its history: no statement per row."""
    small, large = sheet(*_people_rows(tree, 20)), sheet(*_people_rows(tree, 200))
    counts = []
    for data in (small, large):
        Member.objects.all().delete()
        Member.history.all().delete()
        importer = type(staff_a).objects.get(pk=staff_a.pk)  # its organization not yet loaded
        with CaptureQueriesContext(connection) as queries:
            assert people_import(data=data, by=importer, dry_run=False).errors == []
        counts.append([query["sql"].split()[0] for query in queries])

    assert Member.objects.count() == Member.history.count() == 200
    assert counts[0] == counts[1]
    # organization, codes, IDs; the insert trigger told to leave the pairs to the recheck
    # (migration members/0017); constraints, ids, history (the COPY goes past Django's cursor);
    # the lock and the recheck, then the duplicate pairs of the rows (docs/merging.md: the
    # planner told to hash-join, then set back) and the trigger told to pair inserts again,
    # between the savepoint and its release.
    assert counts[0] == [
        "SAVEPOINT",
        "SELECT",
        "SELECT",
        "SELECT",
        "SELECT",
        "SET",
        "SELECT",
        "INSERT",
        "SET",
        "SELECT",
        "SELECT",
        "SELECT",
        "SELECT",
        "INSERT",
        "SELECT",
        "SELECT",
        "RELEASE",
    ]


# Appointments


@pytest.fixture
def people(tree):
    return {
        "zhang": make_member(tree.village_a1, name="张秀英", id_number=ID_1, birth_date=BORN),
        "li": make_member(tree.village_a2, name="李桂兰", id_number=ID_2, birth_date=BORN),
        "wang1": make_member(tree.village_a1, name="王芳"),
        "wang2": make_member(tree.village_a2, name="王芳"),
        "sibling": make_member(tree.village_b1, name="吴春燕", id_number=ID_3, birth_date=BORN),
    }


def appointment(id_number="", name="", code="", role="主席", start="2024-01-01", end=None):
    return [id_number, name, code, role, start, end]


def test_appointments_import_by_id_number_or_name_with_history(tree, staff_a, people):
    a1, street = tree.village_a1.code, tree.street_a.code
    data = sheet(
        appointment(ID_1, "张秀英", a1, "主席", datetime.datetime(2024, 1, 1)),
        appointment("", "李桂兰", street, "executive", "2024/3/1", "2026年2月28日"),
        appointment(ID_1, "", street, "执委", "2024.3.1"),
        header=APPOINTMENTS,
    )

    report = appointments_import(data=data, by=staff_a, dry_run=False)

    assert report.errors == []
    made = {
        (a.member.name, a.organization.code, a.role, a.started_on, a.ended_on)
        for a in Appointment.objects.select_related("member", "organization")
    }
    assert made == {
        ("张秀英", a1, "chair", datetime.date(2024, 1, 1), None),
        ("李桂兰", street, "executive", datetime.date(2024, 3, 1), datetime.date(2026, 2, 28)),
        ("张秀英", street, "executive", datetime.date(2024, 3, 1), None),
    }
    assert {h.history_user for h in Appointment.history.all()} == {staff_a}
    assert Appointment.history.count() == 3


def test_an_appointments_dry_run_lists_every_bad_row(tree, staff_a, people):
    a1, a2, b1 = tree.village_a1.code, tree.village_a2.code, tree.village_b1.code
    services.appointment_create(
        by=SYSTEM, member=people["li"], organization=tree.village_a2, role="chair", started_on=BORN
    )
    data = sheet(
        appointment(ID_1, "", a1, "主席", "2024-01-01"),
        appointment(ID_3, "", a1, "执委"),  # a sibling street's person: not on file here
        appointment("", "王芳", a1, "执委"),  # two people of that name
        appointment("", "赵敏", a1, "执委"),
        appointment(ID_1, "张三", a1, "执委"),
        appointment(ID_1, "", b1, "执委"),
        appointment(ID_1, "", a1, "会长"),
        appointment(ID_1, "", a1, "执委", "去年"),
        appointment(ID_1, "", a1, "执委", "2024-05-01", "2024-04-30"),
        appointment(ID_1, "", a2, "主席", "2023-01-01"),  # the organization has a chair
        appointment(ID_2, "", a1, "chair", "2024-06-01", "2024-12-31"),  # row 2's chair too
        appointment(ID_1, "", a1, "主席", "2024-01-01"),  # row 2 again
        appointment("", "", a1, "执委"),
        appointment(NUMERIC_ID, "", a1, "执委"),
        header=APPOINTMENTS,
    )

    report = appointments_import(data=data, by=staff_a, dry_run=True)

    assert problems(report) == {
        3: "no person on file has this ID number",
        4: "2 people on file are named 王芳: give the ID number",
        5: "no person on file is named 赵敏",
        6: "the person with this ID number is named 张秀英",
        7: f"organization code {b1} does not exist",
        8: "unknown 职务 会长",
        9: "任期开始 去年 is not a date (write it as 2024-03-31)",
        10: "A term cannot end before it starts.",
        11: "The organization already has someone in this role for part of this term.",
        12: "row 2 gives the organization someone in this role for part of this term too",
        13: "the same appointment is already on row 2",
        14: "give the ID number or the name of the person",
        15: "the ID number is in a number cell, which loses its last digits: format the 身份证号 "
        "column as text and type the numbers again",
    }
    assert Appointment.objects.count() == 1


def test_an_appointment_on_file_is_not_imported_twice(tree, staff_a, people):
    data = sheet(appointment(ID_1, "", tree.village_a1.code, "执委"), header=APPOINTMENTS)
    assert appointments_import(data=data, by=staff_a, dry_run=False).errors == []

    again = appointments_import(data=data, by=staff_a, dry_run=False)

    assert again.errors == [(2, "this appointment is already on file")]
    assert Appointment.objects.count() == 1


def test_an_appointments_dry_run_takes_the_same_queries_for_20_rows_as_for_200(tree, staff_a):
    someone = [
        Member(
            organization=tree.village_a1,
            name=f"人{n}",
            name_pinyin=f"ren {n}",
            gender="female",
            id_number=make_id_number(BORN, "female", sequence=100 + n),
        )
        for n in range(200)
    ]
    Member.objects.bulk_create(someone)

    def rows(count):  # a person each, half by ID number, half by name
        return sheet(
            *(
                appointment(
                    someone[n].id_number if n % 2 else "",
                    "" if n % 2 else someone[n].name,
                    tree.village_a1.code,
                    "主席" if n % 10 == 0 else "执委",
                    datetime.date(2000, 1, 1) + datetime.timedelta(days=n),
                    datetime.date(2000, 1, 1) + datetime.timedelta(days=n) if n % 10 == 0 else None,
                )
                for n in range(count)
            ),
            header=APPOINTMENTS,
        )

    small, large = rows(20), rows(200)
    with CaptureQueriesContext(connection) as for_small:
        assert appointments_import(data=small, by=staff_a, dry_run=True).errors == []
    with CaptureQueriesContext(connection) as for_large:
        assert appointments_import(data=large, by=staff_a, dry_run=True).errors == []

    assert len(for_small) == len(for_large) == 4  # codes, IDs, names, terms


# The admin pages and the command


def test_the_admin_page_checks_then_imports(tree, staff_a, browser_as):
    client = browser_as(staff_a)
    data = sheet(person("张秀英", ID_1, tree.village_a1.code))
    url = "/admin/members/member/import/"

    checked = client.post(url, {"file": SimpleUploadedFile("a.xlsx", data), "dry_run": "on"})
    assert checked.status_code == 200
    assert not Member.objects.exists()

    imported = client.post(url, {"file": SimpleUploadedFile("a.xlsx", data)})

    assert imported.status_code == 200
    assert "no-store" in imported["Cache-Control"]
    assert Member.objects.get().history.get().history_user == staff_a
    assert ID_1 not in imported.content.decode()


def test_the_admin_page_lists_the_bad_rows(tree, staff_a, browser_as):
    data = sheet(person("甲", ID_1, tree.village_a1.code), person("乙", ID_2, tree.village_b1.code))

    page = browser_as(staff_a).post(
        "/admin/members/member/import/", {"file": SimpleUploadedFile("a.xlsx", data)}
    )

    assert page.status_code == 200
    assert page.context["report"].errors == [(3, f"组织代码 {tree.village_b1.code} 不存在")]
    assert 'id="import-errors"' in page.content.decode()
    assert not Member.objects.exists()


def test_the_appointments_page_imports(tree, staff_a, people, browser_as):
    data = sheet(appointment(ID_1, "", tree.village_a1.code, "执委"), header=APPOINTMENTS)

    page = browser_as(staff_a).post(
        "/admin/members/appointment/import/", {"file": SimpleUploadedFile("a.xlsx", data)}
    )

    assert page.status_code == 200
    assert Appointment.objects.get().member == people["zhang"]


def test_the_admin_page_refuses_a_sheet_with_a_dtd_in_chinese(tree, staff_a, browser_as):
    doctype = b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "b">]><sst/>'
    data = rebuilt(sheet(person("甲", ID_1, tree.village_a1.code)), xl__sharedStrings__xml=doctype)

    page = browser_as(staff_a).post(
        "/admin/members/member/import/", {"file": SimpleUploadedFile("a.xlsx", data)}
    )

    assert page.status_code == 200
    assert page.context["form"].errors["file"] == [
        "该工作簿含有文档类型声明（DTD），正常的电子表格不需要它："
        "请用 Excel 或 WPS 打开后重新保存。"
    ]
    assert not Member.objects.exists()


IMPORT_PAGES = [
    "/admin/members/member/import/",
    "/admin/members/appointment/import/",
    "/admin/accounts/user/import/",
]
DOCTYPE = b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "&#38;a;&#38;a;">]><sst/>'


@pytest.mark.parametrize("url", IMPORT_PAGES)
@pytest.mark.parametrize(
    ("sheet_of", "message"),
    [
        (
            lambda: rebuilt(xlsx(["姓名"], ["甲"]), xl__sharedStrings__xml=DOCTYPE),
            "该工作簿含有文档类型声明（DTD），正常的电子表格不需要它："
            "请用 Excel 或 WPS 打开后重新保存。",
        ),
        (bomb, "该工作簿解压后的大小与文件大小严重不成比例，不是正常的表格文件。"),
    ],
    ids=["dtd", "bomb"],
)
def test_every_import_page_refuses_a_dtd_or_a_bomb_with_a_form_error(
    tree, user_in, browser_as, url, sheet_of, message
):
    """Never a 500, nothing written: the form says why (issue 10, item 3)."""
    admin = user_in(tree.district, Role.DISTRICT_ADMIN)
    accounts = type(admin).objects.count()

    page = browser_as(admin).post(url, {"file": SimpleUploadedFile("a.xlsx", sheet_of())})

    assert page.status_code == 200
    assert page.context["form"].errors["file"] == [message]
    assert not Member.objects.exists() and not Appointment.objects.exists()
    assert type(admin).objects.count() == accounts


@pytest.mark.parametrize("model", ["member", "appointment"])
def test_both_changelists_offer_the_import(tree, staff_a, browser_as, model):
    page = browser_as(staff_a).get(f"/admin/members/{model}/")

    assert f'href="/admin/members/{model}/import/"' in page.content.decode()


@pytest.mark.parametrize("role", [Role.LEADERSHIP, Role.STATION_OPERATOR])
def test_roles_outside_the_admin_get_no_import_page(tree, user_in, browser_as, role):
    page = browser_as(user_in(tree.district, role)).get("/admin/members/member/import/")

    assert page.status_code == 302  # to the admin's login: the admin is not theirs
    assert "/login/" in page["Location"]


def test_a_role_without_the_add_right_gets_403(tree, user_in, browser_as, monkeypatch):
    from apps.members.admin.people import MemberAdmin

    monkeypatch.setattr(MemberAdmin, "has_add_permission", lambda self, request: False)
    page = browser_as(user_in(tree.district, Role.STAFF)).get("/admin/members/member/import/")

    assert page.status_code == 403


def test_the_command_dry_run_exits_1_on_a_bad_file_with_progress(tree, tmp_path):
    path = tmp_path / "people.xlsx"
    path.write_bytes(sheet(*_people_rows(tree, 99), person("坏", ID_1, "NOPE")))
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("import_people", str(path), "--dry-run", stdout=out, stderr=err)

    assert failed.value.returncode == 1
    assert "row 101: organization code NOPE does not exist" in out.getvalue()
    progress = [line for line in err.getvalue().splitlines() if line.startswith("checking")]
    assert progress[0] == f"checking [{'.' * 50}] 1/100"
    assert progress[1] == f"checking [#{'.' * 49}] 2/100"  # a line every 2% of the rows
    assert progress[-1] == f"checking [{'#' * 50}] 100/100"
    assert len(progress) == 51
    assert not Member.objects.exists()


def test_the_command_imports_as_an_account_within_its_subtree(tree, staff_a, tmp_path):
    path = tmp_path / "people.xlsx"
    path.write_bytes(sheet(person("甲", ID_1, tree.village_a1.code)))
    out, err = StringIO(), StringIO()

    call_command("import_people", str(path), "--as", "staff_a", stdout=out, stderr=err)

    assert out.getvalue().strip() == "1 people were imported."
    assert f"writing [{'#' * 50}] 1/1" in err.getvalue()
    assert Member.objects.get().history.get().history_user == staff_a


def test_the_command_refuses_an_unknown_account(tree, tmp_path):
    path = tmp_path / "people.xlsx"
    path.write_bytes(sheet(person("甲", ID_1, tree.village_a1.code)))

    with pytest.raises(CommandError, match="nobody"):
        call_command("import_people", str(path), "--as", "nobody", stdout=StringIO())


def _waits_for_an_advisory_lock() -> bool:
    for _ in range(100):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def test_a_person_saved_while_an_import_runs_is_not_imported_twice(tree, user_in, transactional_db):
    """A single save holds the import's lock shared: the import waits for it, then sees it."""
    importer = user_in(tree.street_a, Role.STAFF)
    saved, go_on, reports = threading.Event(), threading.Event(), []

    def save_one_and_wait():
        try:
            with transaction.atomic():
                make_member(tree.village_a1, id_number=ID_1, birth_date=BORN)
                saved.set()
                go_on.wait(10)
        finally:
            connection.close()

    def import_the_same_person():
        try:
            data = sheet(person("甲", ID_1, tree.village_a2.code))
            with translation.override("en"):
                reports.append(people_import(data=data, by=importer, dry_run=False))
        finally:
            connection.close()

    saver = threading.Thread(target=save_one_and_wait)
    saver.start()
    assert saved.wait(10)
    importing = threading.Thread(target=import_the_same_person)
    importing.start()
    waited = _waits_for_an_advisory_lock()
    go_on.set()
    saver.join(10)
    importing.join(10)

    assert waited  # both were in flight at once: the import waited for the open save
    assert reports[0].errors == [(2, str(services.ID_NUMBER_TAKEN))]
    assert Member.objects.filter(id_number=ID_1).count() == 1


def _pausing_at_the_first_batch(tree, importer, data, importing=people_import):
    """Run an import in a thread that stops after writing its first batch, its transaction
    open, until ``go_on`` is set; its report lands in ``reports``."""
    written, go_on, reports = threading.Event(), threading.Event(), []

    def pause(stage, done, total):
        if stage == WRITING and not written.is_set():
            written.set()
            go_on.wait(30)

    def run():
        try:
            with translation.override("en"):
                reports.append(
                    importing(data=data, by=importer, dry_run=False, max_rows=None, progress=pause)
                )
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    while not written.wait(0.1) and thread.is_alive():
        pass
    assert written.is_set(), reports  # it wrote, rather than stopping at its check
    return thread, go_on, reports


def _advisory_locks() -> list[tuple[str, bool]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT mode, granted FROM pg_locks WHERE locktype = 'advisory' "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return sorted(cursor.fetchall())


def _create_within(seconds: int, **fields) -> Member:
    """A single create that fails, rather than waits, if a lock holds it longer."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{seconds}s'")
        return services.member_create(**fields)


def test_a_single_create_during_a_long_import_waits_for_no_lock(tree, user_in, transactional_db):
    """The import takes the lock single writes hold shared only once it has written: while it
    writes, a create of another person goes through and the import holds no advisory lock."""
    importer = user_in(tree.street_a, Role.STAFF)
    data = sheet(*_people_rows(tree, 5000))  # three batches of BATCH_SIZE
    thread, go_on, reports = _pausing_at_the_first_batch(tree, importer, data)
    try:
        held_while_writing = _advisory_locks()
        created = _create_within(
            5, by=importer, organization=tree.village_a1, name="单", gender="female", id_number=ID_5
        )
        held_after_the_create = _advisory_locks()
    finally:
        go_on.set()
        thread.join(60)

    assert held_while_writing == []  # nothing for the create to wait for
    assert created.pk is not None
    assert held_after_the_create == []  # the create's own locks ended with its commit
    assert reports[0].errors == []
    assert Member.objects.count() == 5001


def test_a_person_saved_while_an_import_writes_rolls_the_import_back(
    tree, user_in, transactional_db
):
    """The create commits (the import's rows are not yet visible to it); the import's check
    under the lock, once written, finds the number twice and keeps none of its rows."""
    importer = user_in(tree.street_a, Role.STAFF)
    rows = list(_people_rows(tree, 3000))
    taken = rows[2500][3]  # row 2502's ID number, in the second batch
    thread, go_on, reports = _pausing_at_the_first_batch(tree, importer, sheet(*rows))
    try:
        _create_within(
            5,
            by=importer,
            organization=tree.village_a1,
            name="单",
            gender="female",
            id_number=taken,
        )
    finally:
        go_on.set()
        thread.join(60)

    assert reports[0].errors == [(2502, str(services.ID_NUMBER_TAKEN))]
    assert reports[0].created == []
    assert list(Member.objects.values_list("name", flat=True)) == ["单"]
    assert not Member.history.exclude(name="单").exists()


def test_a_chair_appointed_while_an_import_writes_rolls_it_back(
    tree, user_in, people, transactional_db
):
    importer = user_in(tree.street_a, Role.STAFF)
    terms = [
        appointment(ID_1, "", tree.village_a2.code, "执委", BORN + datetime.timedelta(days=n))
        for n in range(2240)
    ]
    chair = appointment(ID_2, "", tree.village_a1.code, "主席", "2024-01-01")
    data = sheet(*terms, chair, header=APPOINTMENTS)  # 2,241 rows: two batches
    thread, go_on, reports = _pausing_at_the_first_batch(
        tree, importer, data, importing=appointments_import
    )
    try:
        services.appointment_create(
            by=importer,
            member=people["zhang"],
            organization=tree.village_a1,
            role="chair",
            started_on=datetime.date(2023, 6, 1),
        )
    finally:
        go_on.set()
        thread.join(60)

    second_holder = "The organization already has someone in this role for part of this term."
    assert reports[0].errors == [(2242, second_holder)]
    assert Appointment.objects.count() == 1


def test_an_imports_people_are_paired_with_those_on_file_and_each_other(tree, staff_a):
    """The COPY's trigger leaves the pairs to the import's recheck, which records them once
    (docs/merging.md): with a person on file and between two rows of the sheet."""
    on_file = make_member(tree.village_a2, name="林芳", phone="13912345678")  # the sheet's phone
    a1 = tree.village_a1.code
    data = sheet(person("林芳", ID_2, a1), person("林芳", ID_3, a1))
    assert people_import(data=data, by=staff_a, dry_run=False).errors == []

    one, two = Member.objects.filter(id_number__in=[ID_2, ID_3]).order_by("pk")
    assert set(DuplicateCandidate.objects.values_list("person_a", "person_b", "reason")) == {
        (on_file.pk, one.pk, "name_phone"),
        (on_file.pk, two.pk, "name_phone"),
        (one.pk, two.pk, "name_phone"),
    }
    later = make_member(tree.village_b1, name="林芳", phone="13912345678")  # paired on insert
    assert DuplicateCandidate.objects.filter(person_b=later).count() == 3

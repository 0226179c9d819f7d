"""A station's past register (台账) from Excel (docs/rights.md, A station's past register): a
dry run, then all rows or none; numbers from each year's counter; the roles that register
cases only (a station operator at its own stations); never a narrative or a name in a message,
a log line or the history."""

import datetime
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.models import AccessLog
from apps.rights.imports import cases_import
from apps.rights.models import Case, CaseCounter, CaseParty
from apps.rights.services.cases import district_of
from tests.factories.xlsx import REGISTER_HEADER, xlsx
from tests.registry import make_case, station_of

pytestmark = pytest.mark.django_db

SECRET = "她被丈夫反锁在家中三天"  # a narrative that must never leave its case
NAME = "赵秀英"
QUERIES = 13  # an import of one year's cases, whatever its number of rows


def register_row(station, **cells):
    row = {
        "接收站点": station.name,
        "接收日期": "2025-04-02",
        "来源渠道": "来访",
        "案件类别": "家庭暴力",
        "风险等级": "高风险",
        "导入时状态": "已结案",
        "结案方式": "调解成功",
        "结案日期": "2025/5/1",
        "求助人姓名": NAME,
        "同意记录身份": "是",
        "同意转介": "否",
        "案情": SECRET,
        **cells,
    }
    return [row[header] for header in REGISTER_HEADER]


def sheet(*rows):
    return xlsx(REGISTER_HEADER, *rows)


@pytest.fixture
def station(tree):
    return station_of(tree.village_a1)


def test_a_dry_run_checks_every_row_and_writes_nothing(tree, user_in, station):
    worker = user_in(tree.village_a1, "case_worker")

    report = cases_import(data=sheet(register_row(station)), by=worker, dry_run=True)

    assert report.rows == 1 and report.errors == [] and report.created == []
    assert not Case.objects.exists() and not CaseCounter.objects.exists()


def test_an_import_numbers_each_year_in_the_order_received_after_the_series(tree, user_in, station):
    worker = user_in(tree.village_a1, "case_worker")
    make_case(tree.village_a1, by=worker)  # WQ-2026-00001 already given
    rows = [
        register_row(station, 接收日期="2026-02-10", 导入时状态="已登记", 结案方式="", 结案日期=""),
        register_row(
            station,
            接收日期="2025-12-30",
            结案日期="2026-01-10",
            求助人姓名="匿名",
            同意记录身份="否",
        ),
        register_row(station, 接收日期="2026-01-05", 结案日期="2026-01-20", 结案方式="撤回"),
    ]

    report = cases_import(data=sheet(*rows), by=worker, dry_run=False)

    assert report.errors == []
    assert [case.number for case in report.created] == [
        "WQ-2026-00003",
        "WQ-2025-00001",
        "WQ-2026-00002",
    ]
    counters = dict(
        CaseCounter.objects.filter(district=district_of(tree.village_a1)).values_list(
            "year", "last"
        )
    )
    assert counters == {2025: 1, 2026: 3}
    closed = Case.objects.get(number="WQ-2025-00001")
    assert (closed.status, closed.outcome, str(closed.closed_at.date())) == (
        "closed",
        "mediated",
        "2026-01-09",  # 2026-01-10 00:00 Beijing time, stored in UTC
    )
    assert closed.organization == tree.village_a1 and closed.narrative == SECRET
    assert closed.parties.get().anonymous is True
    named = Case.objects.get(number="WQ-2026-00003")
    assert named.status == "registered" and named.parties.get().name == NAME
    assert named.history.count() == 1 and named.parties.get().history.count() == 1


def test_one_bad_row_imports_nothing_and_every_bad_row_is_told_in_chinese(tree, user_in, station):
    worker = user_in(tree.village_a1, "case_worker")
    rows = [
        register_row(station),
        register_row(station, 同意记录身份="否"),  # a name without consent
        register_row(station, 结案方式=""),  # closed without outcome
        register_row(station, 结案方式="移交公安"),  # referred without consent
        register_row(station, 导入时状态="干预中"),
        register_row(station, 接收站点="不存在的站"),
        register_row(station, 案情="长" * 6000),
        register_row(station, 接收日期="2019-05-01"),  # before the station opened
    ]

    report = cases_import(data=sheet(*rows), by=worker, dry_run=False)

    told = dict(report.errors)
    assert sorted(told) == [3, 4, 5, 6, 7, 8, 9]
    assert "匿名" in told[3]
    assert told[4] == "结案方式为空"
    assert told[5].startswith("结案方式：") and "同意转介" in told[5]
    assert told[6] == "导入时状态只能是已登记或已结案：案件以未结或已结状态导入"
    assert "管辖范围" in told[7]
    assert told[8].startswith("案情：") and "5000" in told[8]
    assert "未开放" in told[9]
    assert not Case.objects.exists() and not CaseParty.objects.exists()
    assert not CaseCounter.objects.exists() or CaseCounter.objects.get().last == 0
    everything = str(report.errors)
    assert SECRET[:4] not in everything and "长长" not in everything and NAME not in everything


def test_a_station_operator_imports_only_at_its_own_stations(tree, user_in):
    own, below = station_of(tree.village_a1), station_of(tree.committee_a)
    operator = user_in(tree.village_a1, "station_operator")

    report = cases_import(
        data=sheet(register_row(own), register_row(station_of(tree.village_a2))),
        by=operator,
        dry_run=True,
    )

    assert [number for number, _ in report.errors] == [3]
    assert below  # another village's station reads as one that does not exist


@pytest.mark.parametrize("role", ["district_admin", "staff", "leadership"])
def test_the_masked_roles_may_not_import(tree, user_in, station, role, browser_as, api_as):
    from django.core.exceptions import PermissionDenied

    user = user_in(tree.village_a1, role)
    with pytest.raises(PermissionDenied):
        cases_import(data=sheet(register_row(station)), by=user, dry_run=False)
    upload = SimpleUploadedFile("台账.xlsx", sheet(register_row(station)))
    api = api_as(user).post("/api/v1/rights/cases/import/", {"file": upload}, format="multipart")
    assert api.status_code == 403
    if role != "leadership":
        listing = browser_as(user).get("/admin/rights/case/")
        assert (
            listing.status_code == 200
            and "/admin/rights/case/import/" not in listing.content.decode()
        )
        assert browser_as(user).get("/admin/rights/case/import/").status_code == 403
    assert not Case.objects.exists()


def test_a_case_worker_imports_in_the_admin_dry_run_first(tree, user_in, station, browser_as):
    client = browser_as(user_in(tree.village_a1, "case_worker"))
    data = sheet(register_row(station))

    listing = client.get("/admin/rights/case/")
    checked = client.post(
        "/admin/rights/case/import/",
        {"file": SimpleUploadedFile("台账.xlsx", data), "dry_run": "on"},
    )
    after_dry_run = Case.objects.count()
    imported = client.post(
        "/admin/rights/case/import/", {"file": SimpleUploadedFile("台账.xlsx", data)}
    )

    assert "/admin/rights/case/import/" in listing.content.decode()
    assert checked.status_code == 200 and after_dry_run == 0
    assert imported.status_code == 200 and Case.objects.get().number == "WQ-2025-00001"
    assert SECRET not in imported.content.decode() and NAME not in imported.content.decode()


def test_a_station_operator_imports_through_the_api(tree, user_in, station, api_as):
    client = api_as(user_in(tree.village_a1, "station_operator"))
    data = sheet(register_row(station), register_row(station, 接收日期="2025-03-01"))

    def post(**fields):
        upload = SimpleUploadedFile("台账.xlsx", data)
        return client.post(
            "/api/v1/rights/cases/import/", {"file": upload, **fields}, format="multipart"
        )

    dry = post(dry_run="true")
    done = post()

    assert dry.status_code == 200 and dry.json() == {"rows": 2, "imported": [], "errors": []}
    assert done.status_code == 201, done.content
    assert done.json()["imported"] == ["WQ-2025-00002", "WQ-2025-00001"]
    assert done["Cache-Control"] == "no-store"
    assert not AccessLog.objects.exists()  # an import reads nothing in full


def test_the_narrative_and_the_name_stay_out_of_logs_and_history(tree, user_in, station, caplog):
    worker = user_in(tree.village_a1, "case_worker")
    caplog.set_level(logging.DEBUG)

    cases_import(data=sheet(register_row(station)), by=worker, dry_run=False)
    cases_import(data=sheet(register_row(station, 同意记录身份="否")), by=worker, dry_run=False)

    case = Case.objects.get()
    history = str(list(case.history.values())) + str(
        list(CaseParty.history.filter(case_id=case.pk).values())
    )
    assert SECRET not in history and NAME not in history
    assert case.history.get().narrative_changed_at is not None
    assert SECRET not in caplog.text and NAME not in caplog.text
    assert (
        datetime.date(2025, 4, 2)
        == case.received_at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date()
    )


def test_an_import_costs_the_same_queries_for_one_row_or_many(
    tree, user_in, station, django_assert_num_queries
):
    """Looked up once (stations, categories, districts), one counter a year, one COPY and one
    history copy a table: nothing a row."""
    worker = user_in(tree.village_a1, "case_worker")
    cases_import(data=sheet(register_row(station)), by=worker, dry_run=False)  # warm caches
    one = sheet(register_row(station, 接收日期="2025-06-01", 结案日期="2025-07-01"))
    many = sheet(
        *[
            register_row(station, 接收日期=f"2025-06-{day:02d}", 结案日期="2025-07-01")
            for day in range(2, 22)
        ]
    )

    with django_assert_num_queries(QUERIES):
        assert cases_import(data=one, by=worker, dry_run=False).errors == []
    with django_assert_num_queries(QUERIES):
        assert cases_import(data=many, by=worker, dry_run=False).errors == []

    assert Case.objects.count() == 22


@pytest.mark.django_db(transaction=True)
def test_an_import_and_an_intake_at_once_share_the_series_without_gaps(tree, user_in):
    from importlib import import_module

    from django.apps import apps

    from tests.factories.accounts import token_key
    from tests.rights.test_cases_races import body, run_together

    # The transactional flush emptied the categories the migration seeds: put them back.
    import_module("apps.rights.migrations.0003_case_categories").seed(apps, None)
    operator = user_in(tree.village_a1, "station_operator")
    station = station_of(tree.village_a1)
    counter = CaseCounter.objects.create(district=district_of(tree.village_a1), year=2026)
    data = sheet(
        register_row(station, 接收日期="2026-01-05", 结案日期="2026-01-20"),
        register_row(station, 接收日期="2026-01-06", 结案日期="2026-01-20"),
    )
    requests = [
        lambda client: client.post("/api/v1/rights/cases/", body(station, 1), format="json"),
        lambda client: client.post(
            "/api/v1/rights/cases/import/",
            {"file": SimpleUploadedFile("台账.xlsx", data)},
            format="multipart",
        ),
    ]

    waiting, answers = run_together(
        token_key(operator),
        requests,
        "SELECT 1 FROM rights_casecounter WHERE id = %s FOR UPDATE",
        [counter.pk],
    )

    assert waiting == 2  # both held at the counter's lock at once
    assert [status for status, _ in answers] == [201, 201]
    numbers = sorted(Case.objects.values_list("number", flat=True))
    assert numbers == ["WQ-2026-00001", "WQ-2026-00002", "WQ-2026-00003"]
    counter.refresh_from_db()
    assert counter.last == 3

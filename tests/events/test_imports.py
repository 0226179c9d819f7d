"""Events from Excel (apps/events/imports.py): a dry run lists every bad row, then all rows or
none; references looked up once for the file, within the importer's reach; large sheets go to
a job (docs/events.md, Importing from Excel)."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.actors import SYSTEM
from apps.events.imports import COLUMNS, EVENTS_JOB, events_import
from apps.events.models import Event
from apps.jobs import services as job_services
from apps.jobs.models import Job
from apps.organizations.roles import Role
from tests.factories.events import make_campaign
from tests.factories.xlsx import xlsx

pytestmark = pytest.mark.django_db

HEADER = [column.header for column in COLUMNS]
PAGE = "/admin/events/event/import/"


def line(organization, spent=1234.5, **cells) -> list:
    values = {
        "组织": organization.code,
        "活动名称": "家庭教育讲座",
        "活动类别": "讲座",
        "开始时间": "2024-05-10 09:00",
        "结束时间": "2024-05-10 11:00",
        "地点": "村文化礼堂",
        "合作单位": "实验小学",
        "参与人数": 40,
        "受益人数": 200,
        "志愿者人数": 5,
        "经费（元）": spent,
        "专项行动": "",
        "活动简介": "讲解家庭教育促进法。",
        **cells,
    }
    return [values[header] for header in HEADER]


def test_a_sheet_is_imported_whole_with_its_references(tree, user_in):
    staff = user_in(tree.street_a, Role.STAFF)
    make_campaign(
        tree.district,
        title="宣传月",
        starts_on=datetime.date(2023, 5, 1),
        ends_on=datetime.date(2023, 5, 31),
    )
    this_year = make_campaign(tree.district, title="宣传月")  # May 2024
    data = xlsx(
        HEADER,
        line(tree.village_a1, 专项行动="宣传月"),
        line(
            tree.village_a2,
            组织=tree.village_a2.name,
            活动类别="skills_training",
            开始时间=datetime.datetime(2024, 6, 1, 14, 30),
            结束时间="",
            spent="",
        ),
        line(tree.street_a, 开始时间="2024年7月1日", 结束时间=""),
    )

    dry = events_import(data=data, by=staff, dry_run=True)
    assert (dry.errors, dry.created, Event.objects.count()) == ([], [], 0)
    report = events_import(data=data, by=staff, dry_run=False)

    assert report.errors == [] and len(report.created) == 3
    first, second, third = Event.objects.order_by("starts_at")
    assert (first.organization, first.campaign, first.category.code, first.line.code) == (
        tree.village_a1,
        this_year,
        "lecture",
        "family_education",
    )
    assert (first.spent, first.participants, first.people_reached) == (Decimal("1234.50"), 40, 200)
    local = timezone.localtime(second.starts_at)
    assert (second.organization, local.hour, local.minute) == (tree.village_a2, 14, 30)
    assert second.ends_at == second.starts_at and second.spent == 0  # no end: as it starts
    start, end = timezone.localtime(third.starts_at), timezone.localtime(third.ends_at)
    assert (start.date(), start.hour, end.hour, end.minute) == (
        datetime.date(2024, 7, 1),
        0,
        23,
        59,
    )  # a day without hours: the whole day
    assert first.history.get().history_user == staff


def test_every_bad_row_is_reported_and_nothing_is_stored(tree, user_in):
    staff = user_in(tree.street_a, Role.STAFF)
    make_campaign(tree.street_b, title="乙街道行动")
    rows = [
        line(tree.village_a1),  # row 2: correct
        line(tree.village_b1),  # 3: a sibling street's village does not exist for her
        line(tree.village_a1, 活动类别="no_such"),  # 4
        line(tree.village_a1, 结束时间="2024-05-09 09:00"),  # 5: ends before it starts
        line(tree.village_a1, 参与人数=300),  # 6: more participants than people reached
        line(tree.village_a1, 参与人数="很多"),  # 7
        line(tree.village_a1, spent="-5"),  # 8
        line(tree.village_a1, 开始时间="下周"),  # 9
        line(tree.village_a1, 专项行动="乙街道行动"),  # 10: a sibling's campaign
        line(tree.village_a1, 活动名称=""),  # 11
    ]

    report = events_import(data=xlsx(HEADER, *rows), by=staff, dry_run=False)

    assert [number for number, _ in report.errors] == list(range(3, 12))
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for _, text in report.errors)
    assert "乙一" in dict(report.errors)[3] or tree.village_b1.code in dict(report.errors)[3]
    assert not Event.objects.exists() and report.created == []


def test_the_checks_cost_the_same_queries_for_3_rows_as_for_300(tree):
    def queries(count):
        rows = [line(tree.village_a1, 专项行动="宣传月") for _ in range(count)]
        with CaptureQueriesContext(connection) as run:
            report = events_import(data=xlsx(HEADER, *rows), by=SYSTEM, dry_run=True)
        assert report.errors == []
        return len(run.captured_queries)

    make_campaign(tree.district, title="宣传月")
    assert queries(3) == queries(300)


@pytest.fixture
def staff_page(tree, user_in, browser_as, settings, tmp_path):
    settings.JOBS_IMPORT_THRESHOLD = 3
    settings.MEDIA_ROOT = tmp_path
    return browser_as(user_in(tree.street_a, Role.STAFF))


def test_the_admin_page_imports_a_small_sheet_and_a_job_a_large_one(tree, staff_page):
    assert staff_page.get(PAGE).status_code == 200
    assert PAGE in staff_page.get("/admin/events/event/").content.decode()  # the button

    small = staff_page.post(
        PAGE, {"file": SimpleUploadedFile("e.xlsx", xlsx(HEADER, line(tree.village_a1)))}
    )
    assert small.status_code == 200 and Event.objects.count() == 1

    large = xlsx(HEADER, *(line(tree.village_a1) for _ in range(4)))
    page = staff_page.post(PAGE, {"file": SimpleUploadedFile("e.xlsx", large)})
    job = Job.objects.get()
    assert page.status_code == 302 and job.kind == EVENTS_JOB
    job_services.job_run(job.pk)
    job.refresh_from_db()
    assert (job.state, Event.objects.count()) == ("succeeded", 5)


def test_a_case_worker_may_not_import_events(tree, user_in, browser_as):
    page = browser_as(user_in(tree.street_a, Role.CASE_WORKER)).get(PAGE)
    assert page.status_code == 403

"""Large imports as jobs, in process: starting, running (the task's body called here), the
pages. The same against a real worker process: test_worker.py."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import translation

from apps.jobs import services
from apps.jobs.choices import JobState
from apps.jobs.models import Job
from apps.members.models import Member
from apps.organizations.roles import Role
from tests.factories.xlsx import xlsx
from tests.jobs.sheets import people_sheet

PEOPLE_PAGE = "/admin/members/member/import/"


@pytest.fixture(autouse=True)
def small_threshold(settings, tmp_path):
    """Sheets of more than 3 rows are "large": a job, without making thousands of rows."""
    settings.JOBS_IMPORT_THRESHOLD = 3
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def staff_a(tree, user_in):
    return user_in(tree.street_a, Role.STAFF, username="staff_a")


def post(client, data: bytes, *, dry_run=False, url=PEOPLE_PAGE):
    body = {"file": SimpleUploadedFile("people.xlsx", data)}
    if dry_run:
        body["dry_run"] = "on"
    return client.post(url, body)


def queued_tasks() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT task_name, args::text, status FROM procrastinate_jobs ORDER BY id")
        return cursor.fetchall()


def test_a_sheet_up_to_the_threshold_is_imported_in_the_request(tree, staff_a, browser_as):
    page = post(browser_as(staff_a), people_sheet([tree.village_a1], 3))

    assert page.status_code == 200
    assert Member.objects.count() == 3
    assert not Job.objects.exists() and queued_tasks() == []


def test_a_large_sheet_is_stored_and_queued_and_the_page_goes_to_its_job(
    tree, staff_a, browser_as, tmp_path
):
    page = post(browser_as(staff_a), people_sheet([tree.village_a1, tree.village_a2], 4))

    job = Job.objects.get()
    assert page.status_code == 302
    assert page["Location"] == f"/admin/jobs/job/{job.pk}/change/"
    assert (job.user, job.organization, job.state) == (staff_a, tree.street_a, JobState.QUEUED)
    assert job.kind == "members.people_import" and not job.dry_run
    assert (tmp_path / job.input_file.name).exists()
    assert job.input_file.name.startswith("jobs/") and "people" not in job.input_file.name
    # The job carries the request's id and account into its log lines (docs/operations.md).
    carried = {"job_id": job.pk, "request_id": page["X-Request-ID"], "account_id": staff_a.pk}
    assert [(task, json.loads(kwargs), state) for task, kwargs, state in queued_tasks()] == [
        ("jobs.run", carried, "todo")
    ]
    assert not Member.objects.exists()  # nothing until a worker runs it


def test_a_second_click_on_the_same_file_starts_no_second_job(tree, staff_a, browser_as):
    client, data = browser_as(staff_a), people_sheet([tree.village_a1], 5)

    first, second = post(client, data), post(client, data)

    job = Job.objects.get()
    assert first["Location"] == second["Location"] == f"/admin/jobs/job/{job.pk}/change/"
    assert len(queued_tasks()) == 1
    # The same file as a dry run is another job; so is another file.
    post(client, data, dry_run=True)
    post(client, people_sheet([tree.village_a2], 5))
    assert Job.objects.count() == 3 and len(queued_tasks()) == 3


def test_the_job_imports_every_row_as_its_account_and_the_page_shows_the_report(
    tree, staff_a, browser_as, tmp_path
):
    client = browser_as(staff_a)
    post(client, people_sheet([tree.village_a1, tree.village_a2], 6))
    job = Job.objects.get()
    stored = tmp_path / job.input_file.name

    services.job_run(job.pk)

    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED and job.finished_at is not None
    assert job.result["rows"] == 6 and job.result["created"] == 6
    assert job.result["message"] == "已导入6名人员。"
    assert Member.objects.count() == 6
    assert {m.history.get().history_user for m in Member.objects.all()} == {staff_a}
    assert not stored.exists() and not job.input_file  # the sheet is not kept
    page = client.get(f"/admin/jobs/job/{job.pk}/change/")
    assert page.status_code == 200
    assert "已导入6名人员。" in page.content.decode()
    assert 'id="job-progress"' not in page.content.decode()  # no bar once it has ended


def test_a_bad_row_imports_nothing_and_the_page_lists_it_in_chinese(tree, staff_a, browser_as):
    client = browser_as(staff_a)
    post(client, people_sheet([tree.village_a1], 6, bad_row=5))
    job = Job.objects.get()

    services.job_run(job.pk)

    job.refresh_from_db()
    assert not Member.objects.exists()
    assert job.state == JobState.SUCCEEDED  # it ran; the report says what is wrong
    assert job.result["errors"] == [[5, "组织代码 NOSUCH 不存在"]]
    page = client.get(f"/admin/jobs/job/{job.pk}/change/").content.decode()
    assert 'id="import-errors"' in page and "组织代码 NOSUCH 不存在" in page


def test_a_dry_run_job_writes_nothing(tree, staff_a, browser_as):
    post(browser_as(staff_a), people_sheet([tree.village_a1], 6), dry_run=True)
    job = Job.objects.get()

    services.job_run(job.pk)

    job.refresh_from_db()
    assert job.result["message"] == "各行均无误；取消勾选“仅检查”后即可导入。"
    assert job.result["created"] == 0 and not Member.objects.exists()


def test_a_deactivated_accounts_job_is_refused_when_it_runs(tree, staff_a, browser_as):
    post(browser_as(staff_a), people_sheet([tree.village_a1], 6))
    job = Job.objects.get()
    type(staff_a).objects.filter(pk=staff_a.pk).update(is_active=False)

    services.job_run(job.pk)

    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error == "发起此任务的账号已无权执行它：什么也没有做。"
    assert not Member.objects.exists()


def test_a_job_runs_once(tree, staff_a, browser_as):
    post(browser_as(staff_a), people_sheet([tree.village_a1], 6))
    job = Job.objects.get()
    services.job_run(job.pk)

    services.job_run(job.pk)  # procrastinate delivering it again changes nothing

    assert Member.objects.count() == 6


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a workbook", "该文件不是.xlsx格式的Excel工作簿。"),
        (xlsx([]), "工作表为空。"),
    ],
    ids=["wrong kind", "empty"],
)
def test_a_bad_file_starts_no_job_and_stores_nothing(
    tree, staff_a, browser_as, tmp_path, data, message
):
    page = post(browser_as(staff_a), data)

    assert page.status_code == 200
    assert page.context["form"].errors["file"] == [message]
    assert not Job.objects.exists() and queued_tasks() == []
    assert not list(tmp_path.rglob("*.xlsx"))


def test_a_sheet_over_the_limit_of_any_import_starts_no_job(tree, staff_a, browser_as, monkeypatch):
    monkeypatch.setattr("apps.jobs.admin_imports.LIMIT_ROWS", 5)

    page = post(browser_as(staff_a), people_sheet([tree.village_a1], 6))

    assert page.context["form"].errors["file"] == ["一个工作表最多 5 行。"]
    assert not Job.objects.exists()


def test_a_job_is_404_to_another_account_and_seen_by_the_subtrees_admin(
    tree, staff_a, user_in, browser_as
):
    post(browser_as(staff_a), people_sheet([tree.village_a1], 6))
    job = Job.objects.get()
    urls = [f"/admin/jobs/job/{job.pk}/change/", f"/admin/jobs/job/{job.pk}/status/"]
    colleague = user_in(tree.street_a, Role.STAFF)
    sibling_admin = user_in(tree.street_b, Role.DISTRICT_ADMIN)
    admin_above = user_in(tree.district, Role.DISTRICT_ADMIN)

    for outsider in (colleague, sibling_admin):
        client = browser_as(outsider)
        assert [client.get(url).status_code for url in urls] == [404, 404]
        assert str(job.pk) not in _listed(client)
    client = browser_as(admin_above)
    assert [client.get(url).status_code for url in urls] == [200, 200]
    assert _listed(client) == [str(job.pk)]


def _listed(client) -> list[str]:
    page = client.get("/admin/jobs/job/")
    assert page.status_code == 200
    return [str(job.pk) for job in page.context["cl"].result_list]


def test_the_status_is_json_for_the_pages_script(tree, staff_a, browser_as):
    client = browser_as(staff_a)
    post(client, people_sheet([tree.village_a1], 6))
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, phase="storing", done=4, total=6)

    with translation.override("zh-hans"):
        status = client.get(f"/admin/jobs/job/{job.pk}/status/")

    assert "no-store" in status["Cache-Control"]
    assert status.json() == {
        "id": job.pk,
        "state": "running",
        "state_display": "进行中",
        "phase": "storing",
        "phase_display": "正在写入",
        "done": 4,
        "total": 6,
        "error": "",
        "finished": False,
    }
    page = client.get(f"/admin/jobs/job/{job.pk}/change/").content.decode()
    assert 'id="job-progress" max="6" value="4"' in page
    assert "jobs/progress.js" in page


def test_the_progress_writer_writes_through_its_own_connection_at_most_twice_a_second(
    tree, staff_a, monkeypatch
):
    """Each call that writes is one UPDATE on a connection of its own (not the import's
    transaction); the calls in between write nothing."""
    writes = []
    writer = services.ProgressWriter(12345)
    monkeypatch.setattr(writer.connection, "cursor", lambda: _Recorder(writes))
    clock = [0.0, 0.1, 0.2, 0.7, 0.8, 0.9, 1.0]
    monkeypatch.setattr(services.time, "monotonic", lambda: clock.pop(0) if clock else 2.0)

    for done in (1, 2, 3, 4):
        writer("checking", done, 10)
    writer("writing", 5, 10)  # a new phase: at once
    writer("writing", 6, 10)
    writer("writing", 10, 10)  # the end of a phase: at once

    assert [params[:3] for params in writes] == [
        ["checking", 1, 10],
        ["checking", 4, 10],
        ["storing", 5, 10],
        ["storing", 10, 10],
    ]


class _Recorder:
    def __init__(self, writes):
        self.writes = writes

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, sql, params):
        self.writes.append(params)


def test_the_api_shows_ones_own_jobs_and_a_district_admin_the_subtrees(tree, user_in, api_as):
    """``/api/v1/jobs/``: a station or staff member follows its own jobs; a district admin every
    job of its subtree; another's job is a 404, in any case outside the subtree."""
    from tests.registry import make_job

    mine = user_in(tree.village_a1, Role.STATION_OPERATOR, username="mine")
    neighbour = user_in(tree.village_a1, Role.STAFF, username="neighbour")
    own = make_job(tree.village_a1, user=mine)
    theirs = make_job(tree.village_a1, user=neighbour)
    failed = make_job(
        tree.village_a1, user=mine, state=JobState.FAILED, error="第3行：身份证号码有误"
    )
    elsewhere = make_job(tree.village_b1)

    station = api_as(mine)
    listed = station.get("/api/v1/jobs/").json()
    street_admin = api_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))

    assert [row["id"] for row in listed["results"]] == [failed.pk, own.pk]
    assert listed["results"][0]["state"] == "failed"
    assert listed["results"][0]["error"] == "第3行：身份证号码有误"
    assert station.get(f"/api/v1/jobs/{theirs.pk}/").status_code == 404
    assert {row["id"] for row in street_admin.get("/api/v1/jobs/").json()["results"]} == {
        own.pk,
        theirs.pk,
        failed.pk,
    }
    assert street_admin.get(f"/api/v1/jobs/{elsewhere.pk}/").status_code == 404
    assert station.post("/api/v1/jobs/", {}, format="json").status_code == 403  # no one adds

"""Exports too large for a request, as jobs (docs/jobs.md, Exports): the records chosen within
the account's subtree when asked, written by a worker as the admin's export writes them
(masked), downloaded by the account that asked alone, each download logged, deleted after 24
hours. The task's body is run here, in process; the worker's path is test_worker.py's."""

import os
from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from apps.core.models import AccessLog
from apps.jobs import services
from apps.jobs.choices import JobState
from apps.jobs.models import Job
from apps.organizations import admin_base
from apps.organizations.roles import Role
from tests.factories.identity import make_id_number
from tests.factories.members import make_member

PEOPLE = "/admin/members/member/"


@pytest.fixture(autouse=True)
def small_limits(settings, tmp_path, monkeypatch):
    """More than 3 rows is "too many for a request"; a job takes up to 6."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(admin_base, "EXPORT_MAX_ROWS", 3)
    monkeypatch.setattr(services, "EXPORT_MAX_ROWS", 6)


@pytest.fixture
def people(tree):
    born = timezone.localdate().replace(year=1980, month=5, day=4)
    mine = [
        make_member(
            tree.village_a1,
            name=f"甲{n}",
            id_number=make_id_number(born, "female", sequence=n + 1),
            birth_date=born,
        )
        for n in range(5)
    ]
    make_member(tree.village_b1, name="乙方人")
    return mine


def export_all(client, query=""):
    body = {"action": "export_to_excel", "index": 0, "select_across": 1, "_selected_action": [1]}
    return client.post(f"{PEOPLE}{query}", body, HTTP_ACCEPT_LANGUAGE="zh-hans")


def rows_of(response) -> list[list]:
    data = b"".join(response.streaming_content)
    sheet = load_workbook(BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_a_large_export_is_written_by_a_job_and_downloaded_by_its_requester_alone(
    tree, user_in, browser_as, people
):
    asker = user_in(tree.street_a, Role.DISTRICT_ADMIN, username="asker")
    colleague = user_in(tree.street_a, Role.DISTRICT_ADMIN, username="colleague")
    client = browser_as(asker)

    asked = export_all(client)

    job = Job.objects.get()
    assert asked.status_code == 302 and asked["Location"] == f"/admin/jobs/job/{job.pk}/change/"
    assert sorted(job.params["ids"]) == sorted(person.pk for person in people)  # not 乙方人
    assert (job.kind, job.state, job.user) == (services.EXPORT_JOB, JobState.QUEUED, asker)

    services.job_run(job.pk)

    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED and job.output_file
    assert job.expires_at > timezone.now() + timedelta(hours=23)
    page = client.get(f"/admin/jobs/job/{job.pk}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "下载文件" in page.content.decode()
    download = client.get(f"/admin/jobs/job/{job.pk}/download/")
    rows = rows_of(download)
    header = rows[1]
    numbers = [row[header.index("公民身份号码")] for row in rows[2:]]
    assert download["Cache-Control"].startswith("no-store")
    assert [row[header.index("姓名")] for row in rows[2:]] == [p.name for p in people]
    assert all("*" in number for number in numbers)  # masked as the list masks them
    assert "出生日期" not in header  # never a birth date beside a masked number
    assert AccessLog.objects.filter(user=asker, through="export").count() == 5
    assert AccessLog.objects.filter(user=asker, through="download", object_id=job.pk).count() == 1
    assert browser_as(colleague).get(f"/admin/jobs/job/{job.pk}/download/").status_code == 404


def test_the_file_is_deleted_after_24_hours(tree, user_in, browser_as, people):
    asker = user_in(tree.street_a, Role.DISTRICT_ADMIN)
    client = browser_as(asker)
    export_all(client)
    job = Job.objects.get()
    services.job_run(job.pk)
    job.refresh_from_db()
    stored = job.output_file.path

    assert services.expired_exports_delete(now=timezone.now()) == 0
    assert services.expired_exports_delete(now=job.expires_at + timedelta(seconds=1)) == 1

    job.refresh_from_db()
    assert not job.output_file
    assert not os.path.exists(stored)
    assert client.get(f"/admin/jobs/job/{job.pk}/download/").status_code == 404
    page = client.get(f"/admin/jobs/job/{job.pk}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "请重新导出" in page.content.decode()


def test_past_a_jobs_limit_nothing_starts(tree, user_in, browser_as, people, monkeypatch):
    monkeypatch.setattr(services, "EXPORT_MAX_ROWS", 4)
    client = browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))

    refused = client.post(
        PEOPLE,
        {"action": "export_to_excel", "index": 0, "select_across": 1, "_selected_action": [1]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert "最多只能导出4行" in refused.content.decode()
    assert not Job.objects.exists()


def test_a_job_run_by_an_account_deactivated_meanwhile_writes_nothing(
    tree, user_in, browser_as, people
):
    asker = user_in(tree.street_a, Role.DISTRICT_ADMIN)
    export_all(browser_as(asker))
    asker.is_active = False
    asker.save()

    services.job_run(Job.objects.get().pk)

    job = Job.objects.get()
    assert job.state == JobState.FAILED and not job.output_file
    assert "已无权执行" in job.error
    assert not AccessLog.objects.filter(through="export").exists()


def test_two_large_exports_at_once_are_two_jobs(tree, user_in, browser_as, people):
    """An export has no file: the "one job per file" rule of imports does not hold it back."""
    client = browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))

    first, second = export_all(client), export_all(client)

    assert (first.status_code, second.status_code) == (302, 302)
    assert Job.objects.filter(kind=services.EXPORT_JOB, state=JobState.QUEUED).count() == 2


def test_an_export_that_cannot_be_written_ends_failed_without_a_file(
    tree, user_in, browser_as, people, monkeypatch
):
    asker = user_in(tree.street_a, Role.DISTRICT_ADMIN)
    client = browser_as(asker)
    export_all(client)
    export_all(client)
    broken, failing = Job.objects.order_by("pk")
    Job.objects.filter(pk=broken.pk).update(params={"model": "members.nothing"})

    def refuse(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services.xlsx_export, "sheets_bytes", refuse)
    services.job_run(broken.pk)
    with pytest.raises(RuntimeError):
        services.job_run(failing.pk)  # the worker logs it; the job says it in Chinese

    broken.refresh_from_db()
    failing.refresh_from_db()
    assert broken.state == failing.state == JobState.FAILED
    assert "已不存在" in broken.error and "没有生成文件" in failing.error
    assert not broken.output_file and not failing.output_file
    assert not AccessLog.objects.filter(through="export").exists()


def test_a_lost_file_is_a_404_and_no_download_is_logged(tree, user_in, browser_as, people):
    asker = user_in(tree.street_a, Role.DISTRICT_ADMIN)
    client = browser_as(asker)
    export_all(client)
    job = Job.objects.get()
    services.job_run(job.pk)
    job.refresh_from_db()
    os.remove(job.output_file.path)

    assert client.get(f"/admin/jobs/job/{job.pk}/download/").status_code == 404
    assert not AccessLog.objects.filter(through="download").exists()
    assert client.get("/admin/jobs/job/abc/change/").status_code == 404
    assert client.get("/admin/jobs/job/%C2%B2/change/").status_code == 404

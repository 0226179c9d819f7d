"""Jobs against a real worker process: progress seen mid-job, a worker killed mid-import.

The job is held at a barrier the import itself has: once its rows are written, a people import
waits for the advisory lock single writes hold (apps/core/imports.py). The test holds that
lock, so the job waits there with every row in its open transaction.
"""

import os
import signal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from apps.jobs import services
from apps.jobs.choices import JobState
from apps.jobs.models import Job
from apps.members.models import Member
from apps.members.services.people import ID_NUMBER_WRITES
from apps.organizations.roles import Role
from tests.jobs.sheets import people_sheet
from tests.jobs.worker import advisory_lock, running_worker, wait_for

ROWS = 300


@pytest.fixture
def media(settings, tmp_path):
    settings.JOBS_IMPORT_THRESHOLD = 3
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def worker(transactional_db, media):
    with running_worker(media) as process:
        yield process


def start_import(tree, user_in, browser_as) -> Job:
    staff = user_in(tree.street_a, Role.STAFF)
    data = people_sheet([tree.village_a1, tree.village_a2], ROWS)
    page = browser_as(staff).post(
        "/admin/members/member/import/", {"file": SimpleUploadedFile("people.xlsx", data)}
    )
    assert page.status_code == 302
    return Job.objects.get()


def held_with_every_row_written(job: Job) -> Job:
    def stored():
        """the job running, every row stored"""
        job.refresh_from_db()
        return job.state == JobState.RUNNING and job.phase == "storing" and job.done == ROWS

    wait_for(stored)
    return job


def test_progress_is_seen_while_the_job_runs_and_the_rows_at_its_end(
    tree, user_in, browser_as, worker
):
    with advisory_lock(ID_NUMBER_WRITES):
        job = start_import(tree, user_in, browser_as)
        held_with_every_row_written(job)

        assert (job.total, job.result, job.finished_at) == (ROWS, {}, None)
        assert not Member.objects.exists()  # written, not committed
        status = browser_as(job.user).get(f"/admin/jobs/job/{job.pk}/status/").json()
        assert (status["state"], status["done"], status["total"]) == ("running", ROWS, ROWS)

    wait_for(lambda: Job.objects.get(pk=job.pk).state == JobState.SUCCEEDED)
    job.refresh_from_db()
    assert job.result["created"] == ROWS and Member.objects.count() == ROWS
    assert not job.input_file


def test_a_worker_killed_mid_import_leaves_no_rows_and_its_job_ends_failed(
    tree, user_in, browser_as, worker, media
):
    with advisory_lock(ID_NUMBER_WRITES) as holder:
        job = start_import(tree, user_in, browser_as)
        stored = media / job.input_file.name
        held_with_every_row_written(job)

        def waiting():
            """the import waiting for the lock"""
            with holder.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                )
                return cursor.fetchone()

        (importing,) = wait_for(waiting)

        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()

    def gone():
        """the killed worker's database session ended"""
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [importing])
            return cursor.fetchone() is None

    wait_for(gone)
    assert not Member.objects.exists()
    assert not Member.history.exists()
    job.refresh_from_db()
    assert job.state == JobState.RUNNING  # until its worker is found stalled

    assert services.stalled_jobs_end(seconds_since_heartbeat=0) == 1

    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.finished_at is not None
    assert job.error == "运行此任务的后台进程已停止：没有导入任何数据。请重新发起。"
    assert not stored.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT status FROM procrastinate_jobs WHERE id = %s", [job.queue_id])
        assert cursor.fetchone() == ("failed",)
    assert services.stalled_jobs_end(seconds_since_heartbeat=0) == 0  # ended once


def test_a_large_export_is_written_by_the_worker_masked_and_for_its_requester_alone(
    tree, user_in, browser_as, worker, monkeypatch
):
    """The export job end to end with a real worker: the file it writes holds the subtree's
    people, masked as the list masks them; the asker downloads it, a colleague cannot."""
    from io import BytesIO

    from openpyxl import load_workbook

    from apps.organizations import admin_base
    from tests.factories.members import make_member

    monkeypatch.setattr(admin_base, "EXPORT_MAX_ROWS", 3)  # the web side's limit; the worker's
    for n in range(5):  # job writes every row chosen
        make_member(tree.village_a1, name=f"甲{n}", phone=f"1370000{n:04d}")
    make_member(tree.village_b1, name="乙方人")
    asker = user_in(tree.street_a, Role.DISTRICT_ADMIN, username="asker")
    body = {"action": "export_to_excel", "index": 0, "select_across": 1, "_selected_action": [1]}

    asked = browser_as(asker).post("/admin/members/member/", body)

    assert asked.status_code == 302
    job = Job.objects.get()
    wait_for(lambda: Job.objects.get(pk=job.pk).state == JobState.SUCCEEDED)
    download = browser_as(asker).get(f"/admin/jobs/job/{job.pk}/download/")
    sheet = load_workbook(BytesIO(b"".join(download.streaming_content))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)][1:]
    phones = [row[rows[0].index("手机号码")] for row in rows[1:]]
    assert sorted(row[rows[0].index("姓名")] for row in rows[1:]) == [f"甲{n}" for n in range(5)]
    assert all("****" in phone for phone in phones)
    colleague = user_in(tree.street_a, Role.DISTRICT_ADMIN, username="colleague")
    assert browser_as(colleague).get(f"/admin/jobs/job/{job.pk}/download/").status_code == 404

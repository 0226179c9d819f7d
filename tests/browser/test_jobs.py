"""A large import in Chromium: the job's page moves its bar without reloading, then shows the
report (docs/jobs.md). Screenshots: var/screenshots/jobs-*.png."""

import contextlib

from apps.jobs.models import Job
from apps.members.models import Member
from apps.members.services.people import ID_NUMBER_WRITES
from apps.organizations.choices import Kind
from apps.organizations.roles import Role
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.organizations import make_org
from tests.jobs.sheets import people_sheet
from tests.jobs.worker import advisory_lock, running_worker, wait_for

ROWS = 300


def test_the_job_page_moves_its_bar_then_shows_the_report(page, settings, tmp_path):
    settings.JOBS_IMPORT_THRESHOLD = 3
    settings.MEDIA_ROOT = tmp_path / "media"
    district = make_org(None, Kind.DISTRICT, "浏览区妇联")
    street = make_org(district, Kind.STREET, "城关街道妇联")
    villages = [make_org(street, Kind.VILLAGE, f"东门{n}社区妇联") for n in range(2)]
    staff = UserFactory(organization=street, role=Role.STAFF)
    sheet = tmp_path / "人员.xlsx"
    sheet.write_bytes(people_sheet(villages, ROWS))
    driver = page.driver

    page.sign_in(staff.username, PASSWORD)
    page.open("/admin/members/member/import/")
    driver.find_element("name", "file").send_keys(str(sheet))
    driver.find_element("name", "dry_run").click()  # ticked by default
    driver.find_element("css selector", "input[type=submit]").click()
    page.wait_for("#job-progress")
    job = Job.objects.get()
    assert driver.current_url.endswith(f"/admin/jobs/job/{job.pk}/change/")
    assert "等待后台进程" in page.text  # no worker yet
    driver.execute_script("window.notReloaded = true;")
    page.screenshot("jobs-waiting")

    lock = contextlib.ExitStack()  # held from before the worker starts until released below
    lock.enter_context(advisory_lock(ID_NUMBER_WRITES))
    try:
        with running_worker(settings.MEDIA_ROOT):
            # The import waits at the lock with every row written: the bar full, no report.
            # (The last row is checked, "checking 300 / 300", a moment before it is written.)
            wait_for(
                lambda: (
                    driver.find_element("id", "job-progress").get_attribute("value") == "300"
                    and "正在写入" in page.text
                )
            )
            assert "正在写入" in page.text and f"{ROWS} / {ROWS}" in page.text
            assert driver.execute_script("return window.notReloaded === true;")
            page.screenshot("jobs-running")
            assert not Member.objects.exists()

            lock.close()  # the import commits; the page reloads itself with the report
            page.wait_for("#job-message")
    finally:
        lock.close()
    assert f"已导入{ROWS}名人员。" in page.text
    assert "已完成" in page.text
    page.screenshot("jobs-finished")
    assert Member.objects.count() == ROWS
    assert page.accessibility_violations() == []


def test_a_leader_follows_a_job_outside_the_admin(page, settings, tmp_path):
    """My jobs outside the admin (apps/jobs/views.py): a leader signs in at the front door,
    finds the job, watches its bar move without a reload, then gets the file."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from apps.jobs import services
    from apps.jobs.choices import JobState, Phase

    settings.MEDIA_ROOT = tmp_path / "media"
    district = make_org(None, Kind.DISTRICT, "浏览区妇联")
    leader = UserFactory(organization=district, role=Role.LEADERSHIP, name="王书记")
    job = Job.objects.create(
        user=leader,
        organization=district,
        kind=services.EXPORT_JOB,
        params={"model": "members.member", "ids": [], "filters": []},
        state=JobState.RUNNING,
        phase=Phase.STORING,
        done=10_000,
        total=60_000,
    )
    driver = page.driver

    page.sign_in(leader.username, PASSWORD, at="/accounts/login/")
    assert "我的任务" in page.text
    driver.find_element("link text", "我的任务").click()
    page.wait_for("#jobs")
    assert "人员导出" in page.text or "导出" in page.text
    page.screenshot("jobs-site-list")
    assert page.accessibility_violations() == []
    driver.find_element("css selector", f'a[href="/jobs/{job.pk}/"]').click()
    page.wait_for("#job-progress")
    driver.execute_script("window.notReloaded = true;")

    Job.objects.filter(pk=job.pk).update(done=45_000)
    wait_for(lambda: driver.find_element("id", "job-progress").get_attribute("value") == "45000")
    assert driver.execute_script("return window.notReloaded === true;")
    page.screenshot("jobs-site-running")

    job.output_file.save(f"job-results/{job.pk}.xlsx", ContentFile(b"PK"), save=False)
    Job.objects.filter(pk=job.pk).update(
        state=JobState.SUCCEEDED,
        done=60_000,
        output_file=job.output_file.name,
        result={"rows": 60_000, "message": "已写好60,000行。"},
        finished_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=24),
    )
    page.wait_for("#job-download")  # the page reloaded itself once the job ended
    assert "已写好60,000行。" in page.text and "下载文件" in page.text
    page.screenshot("jobs-site-finished")
    assert page.accessibility_violations() == []

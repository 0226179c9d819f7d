"""My jobs outside the admin (``/jobs/``, apps/jobs/views.py): every signed-in account reaches
its own jobs, leadership first; a district admin its subtree's (docs/jobs.md, "My jobs").
Another account's job is a 404 on every route: tests/test_site_pages.py, for every role."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from apps.core.models import AccessLog
from apps.jobs import services
from apps.jobs.choices import JobState
from apps.organizations.roles import Role
from tests.factories.accounts import PASSWORD
from tests.registry import make_job

pytestmark = pytest.mark.django_db

ZH = {"accept-language": "zh-hans"}


def export_job(user, **fields):
    job = make_job(
        user.organization,
        user=user,
        kind=services.EXPORT_JOB,
        params={"model": "members.member", "ids": [], "filters": []},
        result={"rows": 1, "message": "已写好 1 行。"},
        expires_at=timezone.now() + timedelta(hours=24),
        **fields,
    )
    job.output_file.save(f"job-results/{job.pk}.xlsx", ContentFile(b"PK-the-file"), save=True)
    return job


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_leader_signs_in_at_the_front_door_and_finds_my_jobs(client, tree, user_in):
    leader = user_in(tree.street_a, Role.LEADERSHIP, username="lingdao")
    mine = make_job(tree.street_a, user=leader, dry_run=True)

    signed_in = client.post(
        "/accounts/login/", {"username": "lingdao", "password": PASSWORD}, headers=ZH
    )
    front = client.get("/", headers=ZH, follow=True)  # leadership's front door: its reports
    listed = client.get("/jobs/", headers=ZH)

    assert signed_in.status_code == 302
    assert front.redirect_chain[-1][0] == "/reports/"
    assert 'href="/jobs/"' in front.content.decode() and "我的任务" in front.content.decode()
    text = listed.content.decode()
    assert listed.status_code == 200
    assert f'href="/jobs/{mine.pk}/"' in text and "从Excel导入人员（仅检查）" in text
    assert "已完成" in text


def test_each_account_lists_its_own_jobs_and_a_district_admin_its_subtrees(
    tree, user_in, browser_as
):
    leader = user_in(tree.street_a, Role.LEADERSHIP)
    staff = user_in(tree.village_a1, Role.STAFF)
    admin = user_in(tree.street_a, Role.DISTRICT_ADMIN)
    outsider = user_in(tree.street_b, Role.DISTRICT_ADMIN)
    jobs = {user: make_job(user.organization, user=user) for user in (leader, staff, outsider)}

    def listed(user):
        text = browser_as(user).get("/jobs/", headers=ZH).content.decode()
        return {job.pk for job in jobs.values() if f'href="/jobs/{job.pk}/"' in text}

    assert listed(leader) == {jobs[leader].pk}
    assert listed(staff) == {jobs[staff].pk}
    assert listed(admin) == {jobs[leader].pk, jobs[staff].pk}  # street A's, not B's
    assert listed(outsider) == {jobs[outsider].pk}


def test_a_strangers_requests_are_sent_to_sign_in(client, tree, user_in):
    job = make_job(tree.village_a1)
    for url in ("/jobs/", f"/jobs/{job.pk}/", f"/jobs/{job.pk}/status/"):
        answer = client.get(url)
        assert answer.status_code == 302 and answer["location"].startswith("/accounts/login/")


def test_a_running_jobs_page_follows_it_and_its_status_says_how_far(tree, user_in, browser_as):
    leader = user_in(tree.street_a, Role.LEADERSHIP)
    job = make_job(tree.street_a, user=leader, state=JobState.RUNNING, done=40, total=100)
    client = browser_as(leader)

    page = client.get(f"/jobs/{job.pk}/", headers=ZH).content.decode()
    status = client.get(f"/jobs/{job.pk}/status/")

    assert f'data-status-url="/jobs/{job.pk}/status/"' in page
    assert "jobs/progress.js" in page and 'value="40"' in page
    assert status["Cache-Control"] == "no-store"
    assert status.json()["done"] == 40 and status.json()["finished"] is False


def test_an_export_is_downloaded_by_its_requester_alone_and_logged(tree, user_in, browser_as):
    asker = user_in(tree.street_a, Role.DISTRICT_ADMIN)
    colleague = user_in(tree.street_a, Role.DISTRICT_ADMIN)
    job = export_job(asker)

    page = browser_as(asker).get(f"/jobs/{job.pk}/", headers=ZH).content.decode()
    download = browser_as(asker).get(f"/jobs/{job.pk}/download/")
    others = browser_as(colleague).get(f"/jobs/{job.pk}/", headers=ZH).content.decode()

    assert f'href="/jobs/{job.pk}/download/"' in page
    assert b"".join(download.streaming_content) == b"PK-the-file"
    assert download["Cache-Control"].startswith("no-store")
    assert AccessLog.objects.filter(user=asker, through="download", object_id=job.pk).count() == 1
    assert "只有申请导出的账号才能下载此文件" in others
    assert browser_as(colleague).get(f"/jobs/{job.pk}/download/").status_code == 404


def test_the_list_pages_without_counting(tree, user_in, browser_as, monkeypatch):
    from apps.jobs import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    leader = user_in(tree.street_a, Role.LEADERSHIP)
    made = [make_job(tree.street_a, user=leader) for _ in range(5)]
    client = browser_as(leader)

    pages = [client.get(f"/jobs/?page={n}", headers=ZH) for n in (1, 2, 3, 4)]

    texts = [page.content.decode() for page in pages[:3]]
    links = [re.findall(r'href="/jobs/(\d+)/"', text) for text in texts]
    shown = [int(pk) for page in links for pk in page]
    assert shown == [job.pk for job in reversed(made)]  # every job once, newest first
    assert "较早的任务" in texts[0] and "较早的任务" not in texts[2]
    assert pages[3].status_code == 404
    assert client.get("/jobs/?page=x").status_code == 404

"""``/reports/export/``: the dashboard's tables as an .xlsx file, a large subtree's by a job
(docs/reports.md, Excel)."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from apps.jobs import services as job_services
from apps.jobs.choices import JobState
from apps.jobs.models import Job
from apps.organizations.roles import Role
from apps.reports import exports

pytestmark = pytest.mark.django_db
ZH = {"accept-language": "zh-hans"}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def large(settings):
    """Every subtree with more than one organization counts as large."""
    settings.REPORTS_EXPORT_JOB_ORGANIZATIONS = 1


def sheet_rows(book, name):
    return list(book[name].iter_rows(min_row=3, values_only=True))


def figures_of(book):
    return {row[0]: row for row in sheet_rows(book, "指标")}


def test_the_file_lists_who_has_not_reported_as_the_completeness_api_does(counted, client, user_in):
    client.force_login(user_in(counted.district, Role.STAFF))
    missing = client.get("/api/v1/reports/completeness/", {"period": "2024"}).json()

    answer = client.get("/reports/export/", {"period": "2024"}, headers=ZH)

    book = load_workbook(BytesIO(answer.content))
    listed = sheet_rows(book, "未报送")
    no_events = [row for row in listed if row[0] == "未举办活动的村（社区）"]
    expected = [
        (group["street"]["name"], organization["name"])
        for group in missing["no_events"]["by_street"]
        for organization in group["organizations"]
    ]
    assert (
        [(row[1], row[2]) for row in no_events]
        == expected
        == [(counted.street_b.name, counted.village_b1.name)]
    )
    counts = {(row[0], row[1]): row[2] for row in sheet_rows(book, "未报送（按街道）")}
    assert counts[("未举办活动的村（社区）", counted.street_b.name)] == 1
    assert sum(counts.values()) == len(listed)


def test_a_small_subtrees_file_is_written_in_the_request_by_the_pages_button(
    counted, client, user_in
):
    client.force_login(user_in(counted.street_a, Role.LEADERSHIP))

    answer = client.post("/reports/export/", {"period": "2024"}, headers=ZH)

    assert answer.status_code == 200
    assert figures_of(load_workbook(BytesIO(answer.content)))["活动场次"][1] == 5
    assert not Job.objects.exists()


def test_a_large_subtrees_file_is_a_job_with_the_pages_numbers(
    counted, large, media, client, user_in
):
    leader = user_in(counted.district, Role.LEADERSHIP)
    client.force_login(leader)
    summary = client.get("/api/v1/reports/summary/", {"period": "2024"}).json()

    started = client.post("/reports/export/", {"period": "2024"}, headers=ZH)
    again = client.post("/reports/export/", {"period": "2024"}, headers=ZH)  # a second click

    job = Job.objects.get()
    assert started.status_code == again.status_code == 302
    assert started["Location"] == again["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.user, job.params) == (
        exports.EXPORT_JOB,
        leader,
        {"organization": counted.district.pk, "period": "2024"},
    )

    job_services.job_run(job.pk)

    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED and job.output_file.name.endswith(".xlsx")
    page = client.get(f"/jobs/{job.pk}/", headers=ZH).content.decode()
    assert "报表 Excel 文件" in page and f'href="/jobs/{job.pk}/download/"' in page
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    book = load_workbook(BytesIO(b"".join(download.streaming_content)))
    figures = figures_of(book)
    assert "测试区妇联 · 2024年" in book["指标"]["A1"].value
    assert figures["活动场次"][1] == summary["figures"]["events"]["held"] == 5
    assert figures["筹集善款"][1] == float(summary["figures"]["funds"]["donations"])
    by_child = {row[0]: row for row in sheet_rows(book, "按组织")}
    cases = next(book["按组织"].iter_rows(min_row=2, max_row=2, values_only=True)).index(
        "受理案件数"
    )
    assert by_child[counted.street_a.name][cases] == "已隐藏"  # as the page hides it from leaders


def test_a_link_to_a_large_export_shows_the_button_and_starts_nothing(
    counted, large, client, user_in
):
    client.force_login(user_in(counted.district, Role.STAFF))

    answer = client.get("/reports/export/", {"period": "2024-Q2"}, headers=ZH)

    text = answer.content.decode()
    assert answer.status_code == 200
    assert "在后台生成" in text and 'name="period" value="2024-Q2"' in text
    assert 'method="post"' in text
    assert not Job.objects.exists()


def test_a_large_export_outside_the_scope_or_with_a_bad_period_starts_nothing(
    counted, large, client, user_in
):
    client.force_login(user_in(counted.street_a, Role.STAFF))

    sibling = client.post("/reports/export/", {"organization": counted.street_b.pk}, headers=ZH)
    bad = client.post("/reports/export/", {"period": "2024-13"}, headers=ZH)

    assert sibling.status_code == 404
    assert bad.status_code == 400 and "期间请写作年份" in bad.content.decode()
    assert not Job.objects.exists()


def test_an_export_job_whose_organization_left_the_scope_fails_and_writes_nothing(
    counted, large, media, client, user_in
):
    staff = user_in(counted.street_a, Role.STAFF)
    client.force_login(staff)
    client.post("/reports/export/", {"period": "2024"}, headers=ZH)
    job = Job.objects.get()
    staff.organization = counted.street_b  # moved to another street meanwhile
    staff.save()

    job_services.job_run(job.pk)

    job.refresh_from_db()
    assert job.state == JobState.FAILED and not job.output_file
    assert job.error == "该组织已不在本账号的管辖范围内：未生成文件。"
    assert not any(media.rglob("*.xlsx"))


def test_a_range_is_drilled_down_and_exported_by_its_own_key(counted, client, user_in):
    client.force_login(user_in(counted.district, Role.STAFF))
    key = "2024-03-01..2024-06-30"

    page = client.get("/reports/", {"period": key, "organization": counted.street_a.pk})
    answer = client.post("/reports/export/", {"period": key}, headers=ZH)

    # Its events: street_a's party lecture on 3-01, village_a1's lecture on 5-15 and its
    # themed session on 6-01.
    assert page.status_code == 200
    assert f'href="?organization={counted.district.pk}&amp;period={key}"' in page.content.decode()
    assert answer.status_code == 200
    assert figures_of(load_workbook(BytesIO(answer.content)))["活动场次"][1] == 3

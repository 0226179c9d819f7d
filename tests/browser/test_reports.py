"""The dashboard in Chromium (docs/reports.md): a district leader signs in at the front door,
lands on the reports, and the numbers the charts draw (read back through ECharts'
``getOption()``) are the summary API's; a click on a street drills down, with the breadcrumb
back; the page passes axe-core and does not scroll sideways at a phone's width. Screenshots:
var/screenshots/reports-*.png."""

import json

from apps.organizations.roles import Role
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.reports import counted_2024

PHONE = (390, 844)


def api_summary(page, query: str) -> dict:
    """The summary API, fetched by the signed-in page itself (its session)."""
    found = page.driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        fetch('/api/v1/reports/summary/?' + arguments[0], {credentials: 'same-origin'})
          .then(r => r.text()).then(done);""",
        query,
    )
    return json.loads(found)


def chart_data(page, name: str) -> list:
    return page.driver.execute_script(
        "return window.reportCharts[arguments[0]].getOption().series.map(s => s.data);", name
    )


def test_a_leader_reads_the_dashboard_and_drills_down(page, tree):
    counted_2024(tree)
    leader = UserFactory(organization=tree.district, role=Role.LEADERSHIP)

    page.sign_in(leader.username, PASSWORD, at="/accounts/login/")
    assert page.driver.current_url.endswith("/reports/")
    assert "2025年" in page.text  # opens on the latest year with data
    page.open("/reports/?period=2024")
    page.wait_for("#chart-trend svg")
    page.screenshot("reports-district")
    summary = api_summary(page, "period=2024")

    trend = chart_data(page, "trend")
    assert trend[0] == summary["trend"]["figures"]["events"]["held"]
    assert trend[0] == [0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1]
    assert trend[1] == [None] * 12  # leadership's cases by month: hidden
    pie = chart_data(page, "categories")[0]
    assert {p["name"]: p["value"] for p in pie} == {
        p["name"]: p["value"] for p in summary["breakdowns"]["events"]["held_by_category"]
    }
    assert sum(p["value"] for p in pie) == 5
    bars = chart_data(page, "children")[0]
    assert bars == [row["figures"]["events"]["held"] for row in summary["children"]]
    assert "甲街道妇联" in page.text and "已隐藏" in page.text
    card = page.driver.find_element("css selector", "[data-key='cases.received'] .value")
    assert card.text.startswith("10")  # the district's yearly total stays visible
    assert not page.accessibility_violations()

    page.driver.find_element("link text", tree.street_a.name).click()
    page.wait_for("#chart-trend svg")
    assert f"organization={tree.street_a.pk}" in page.driver.current_url
    crumbs = page.driver.find_element("css selector", ".breadcrumbs").text
    assert tree.district.name in crumbs and tree.street_a.name in crumbs
    street = api_summary(page, f"period=2024&organization={tree.street_a.pk}")
    assert chart_data(page, "children")[0] == [
        row["figures"]["events"]["held"] for row in street["children"]
    ]
    page.screenshot("reports-street")

    page.driver.set_window_size(*PHONE)
    try:
        page.open(f"/reports/?period=2024&organization={tree.street_a.pk}")
        page.wait_for("#chart-trend svg")
        assert not page.scrolls_sideways()
        page.screenshot("reports-street-phone")
    finally:
        page.driver.set_window_size(1280, 900)


def test_a_leader_cannot_open_a_sibling_streets_dashboard(page, tree):
    leader = UserFactory(organization=tree.street_a, role=Role.LEADERSHIP)

    page.sign_in(leader.username, PASSWORD, at="/accounts/login/")
    page.open(f"/reports/?organization={tree.street_b.pk}")

    assert tree.street_b.name not in page.text
    assert "404" in page.driver.title or "未找到" in page.text or "Not Found" in page.text


def test_the_export_button_writes_a_large_reports_file_by_a_job(page, tree, settings):
    """The district's subtree counts as large here: the button starts the job and leads to its
    page, which offers the .xlsx once the worker's part has run (docs/reports.md, Excel)."""
    from apps.jobs import services as job_services
    from apps.jobs.models import Job

    settings.REPORTS_EXPORT_JOB_ORGANIZATIONS = 3
    counted_2024(tree)
    leader = UserFactory(organization=tree.district, role=Role.LEADERSHIP)

    page.sign_in(leader.username, PASSWORD, at="/accounts/login/")
    page.open("/reports/?period=2024")
    page.wait_for("#chart-trend svg")
    page.driver.find_element("css selector", "button.export").click()
    page.wait_for("#job-status")
    job = Job.objects.get()
    assert page.driver.current_url.endswith(f"/jobs/{job.pk}/")
    assert job.params == {"organization": tree.district.pk, "period": "2024"}

    job_services.job_run(job.pk)  # the worker's part, run here (no worker beside a live server)
    page.wait_for("#job-download", seconds=30)  # the page's script reloads once it has ended
    page.screenshot("reports-export-job")
    assert "报表 Excel 文件" in page.text
    answer = page.driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        fetch(document.getElementById('job-download').href, {credentials: 'same-origin'})
          .then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get('content-type'),
                                                   b.byteLength])));"""
    )
    assert answer[0] == 200 and answer[1].endswith("spreadsheetml.sheet") and answer[2] > 5000

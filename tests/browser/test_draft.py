"""The annual report's draft in Chromium (docs/reports.md, The draft): the page shows the
seeded sentences filled with the figures, its button starts the Word draft's job and leads to
the job's page, which offers the file once written; a leader reads hidden figures as hidden.
Screenshots: var/screenshots/draft-*.png."""

from apps.jobs import services as job_services
from apps.jobs.models import Job
from apps.organizations.roles import Role
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.reports import counted_2024
from tests.registry import make_station

PHONE = (390, 844)


def draft_paragraphs(page) -> list[str]:
    return page.driver.execute_script(
        "return [...document.querySelectorAll('.draft-paragraph')].map(p => p.textContent);"
    )


def test_staff_read_the_draft_and_download_it_as_word(page, tree):
    counted_2024(tree)
    for village in (tree.village_a1, tree.village_a2, tree.village_b1):
        make_station(village)
    staff = UserFactory(organization=tree.district, role=Role.STAFF)

    page.sign_in(staff.username, PASSWORD, at="/accounts/login/")
    page.open("/reports/annual/?year=2024")
    page.wait_for(".draft-paragraph")
    page.driver.execute_script("document.getElementById('draft').scrollIntoView()")
    page.screenshot("draft-district")

    sentences = "\n".join(draft_paragraphs(page))
    assert "受益人群400人" in sentences and "受益人群20余人" in sentences
    assert "筹集“99公益”善款0.50万元" in sentences
    assert "{" not in sentences
    assert not page.accessibility_violations()

    page.driver.find_element("css selector", "#draft-download").click()
    page.wait_for("#job-status")
    job = Job.objects.get()
    assert page.driver.current_url.endswith(f"/jobs/{job.pk}/")

    job_services.job_run(job.pk)  # the worker's part, run here (no worker beside a live server)
    page.wait_for("#job-download", seconds=30)  # the page's script reloads once it has ended
    page.screenshot("draft-job")
    answer = page.driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        fetch(document.getElementById('job-download').href, {credentials: 'same-origin'})
          .then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get('content-type'),
                                                   b.byteLength])));"""
    )
    assert answer[0] == 200 and answer[1].endswith("wordprocessingml.document")
    assert answer[2] > 5000

    page.driver.set_window_size(*PHONE)
    try:
        page.open("/reports/annual/?year=2024")
        page.wait_for(".draft-paragraph")
        assert not page.scrolls_sideways()
        page.driver.execute_script("document.getElementById('draft').scrollIntoView()")
        page.screenshot("draft-district-phone")
    finally:
        page.driver.set_window_size(1280, 900)


def test_leadership_read_a_hidden_figure_as_hidden_in_the_draft(page, tree):
    counted_2024(tree)
    leader = UserFactory(organization=tree.district, role=Role.LEADERSHIP)

    page.sign_in(leader.username, PASSWORD, at="/accounts/login/")
    page.open(f"/reports/annual/?year=2024&organization={tree.street_a.pk}")
    page.wait_for(".draft-paragraph")
    page.driver.execute_script("document.getElementById('draft').scrollIntoView()")
    page.screenshot("draft-street-leadership")

    sentences = "\n".join(draft_paragraphs(page))
    assert "全年受理妇女儿童维权案件【已隐藏】件" in sentences  # street A's 4 cases
    assert not page.accessibility_violations()

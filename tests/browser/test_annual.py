"""The annual report page in Chromium (docs/reports.md, The annual report): staff open it from
the dashboard of a year, every number on the page is the annual API's, each linked number opens
the list it counts; leadership read the same page with hidden figures and the breakdown by child
instead of links. Screenshots: var/screenshots/annual-*.png."""

import json

from apps.organizations.roles import Role
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.reports import counted_2024
from tests.registry import make_station

PHONE = (390, 844)


def api_annual(page, query: str) -> dict:
    """The annual API, fetched by the signed-in page itself (its session)."""
    found = page.driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        fetch('/api/v1/reports/annual/?' + arguments[0], {credentials: 'same-origin'})
          .then(r => r.text()).then(done);""",
        query,
    )
    return json.loads(found)


def page_lines(page) -> dict:
    """Each line of the page: its report-style text, its exact figure and its link."""
    return page.driver.execute_script(
        """const found = {};
        document.querySelectorAll('tr[data-key]').forEach(row => {
          const exact = row.querySelector('[data-exact]');
          found[row.dataset.key] = {
            text: row.querySelector('td.text').textContent.trim(),
            exact: exact.dataset.exact,
            link: exact.tagName === 'A' ? exact.getAttribute('href') : null,
          };
        });
        return found;"""
    )


def shown(value) -> str:
    """The API's value as the page writes it exactly (thousands separated)."""
    if value is None:
        return "已隐藏"
    if isinstance(value, str):
        whole, fen = value.split(".")
        return f"{int(whole):,}.{fen}"
    return f"{value:,}"


def test_staff_open_the_annual_report_from_the_dashboard(page, tree):
    counted_2024(tree)
    for village in (tree.village_a1, tree.village_a2, tree.village_b1):
        make_station(village)
    staff = UserFactory(organization=tree.district, role=Role.STAFF)

    page.sign_in(staff.username, PASSWORD, at="/accounts/login/")
    page.open("/reports/?period=2024")
    page.driver.find_element("css selector", "#annual-link").click()
    page.wait_for("tr[data-key]")
    assert f"organization={tree.district.pk}&year=2024" in page.driver.current_url
    assert "2024年度述职报告" in page.text
    page.screenshot("annual-district")

    body = api_annual(page, "year=2024")
    lines = page_lines(page)
    for section in body["sections"]:
        for line in section["lines"]:
            assert lines[line["key"]] == {
                "text": line["text"],
                "exact": shown(line["value"]),
                "link": line["link"],
            }, line["key"]
    assert lines["events.trainees"]["text"] == "20余人"
    assert lines["coverage.with_station"]["text"] == "所有村（社区）"
    assert not page.accessibility_violations()

    page.driver.find_element("css selector", "tr[data-key='events.trainees'] a").click()
    page.wait_for("#result_list")
    assert "能力提升" in page.text or "技能培训" in page.text
    rows = page.driver.find_elements("css selector", "#result_list tbody tr")
    assert len(rows) == 1  # the one skills training of 2024

    page.driver.set_window_size(*PHONE)
    try:
        page.open("/reports/annual/?year=2024")
        page.wait_for("tr[data-key]")
        assert not page.scrolls_sideways()
        page.screenshot("annual-district-phone")
    finally:
        page.driver.set_window_size(1280, 900)


def test_leadership_read_hidden_figures_and_the_breakdown(page, tree):
    counted_2024(tree)
    leader = UserFactory(organization=tree.district, role=Role.LEADERSHIP)

    page.sign_in(leader.username, PASSWORD, at="/accounts/login/")
    page.open(f"/reports/annual/?year=2024&organization={tree.street_a.pk}")
    page.wait_for("tr[data-key]")
    page.screenshot("annual-street-leadership")

    body = api_annual(page, f"year=2024&organization={tree.street_a.pk}")
    lines = page_lines(page)
    for section in body["sections"]:
        for line in section["lines"]:
            assert lines[line["key"]]["exact"] == shown(line["value"]), line["key"]
            assert lines[line["key"]]["link"] is None
    assert lines["cases.received"]["exact"] == "已隐藏"
    assert tree.village_a1.name in page.text  # the breakdown by child
    assert not page.accessibility_violations()

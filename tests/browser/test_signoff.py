"""The sign-off buttons on the annual page in Chromium (docs/reports.md, Sign-off): a village's
staff confirm, the street returns one village with a reason and signs the other, the log and the
states follow; once the district has signed, a late record shows as a correction beside the
frozen figure. Screenshots: var/screenshots/signoff-*.png."""

import datetime

from apps.organizations.roles import Role
from apps.reports import signoffs
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.events import make_event
from tests.factories.reports import counted_2024


def click(page, selector: str) -> None:
    """Press a button that posts the form, and wait for the page the answer redirects to."""
    from selenium.webdriver.support.ui import WebDriverWait

    button = page.driver.find_element("css selector", selector)
    button.click()
    WebDriverWait(page.driver, 30).until(lambda driver: _stale(button))
    page.wait_for("#signoff")


def _stale(element) -> bool:
    from selenium.common.exceptions import WebDriverException

    try:
        element.is_enabled()
    except WebDriverException:
        return True
    return False


def row_state(page, organization) -> str:
    return page.driver.find_element(
        "css selector", f"#signoff-states tr[data-organization='{organization.pk}']"
    ).get_attribute("data-state")


def test_a_village_confirms_and_its_street_returns_and_signs_on_the_page(page, tree):
    counted_2024(tree)
    village_staff = UserFactory(organization=tree.village_a1, role=Role.STAFF)
    street_staff = UserFactory(organization=tree.street_a, role=Role.STAFF)
    annual = "/reports/annual/?year=2024"

    page.sign_in(village_staff.username, PASSWORD, at="/accounts/login/")
    page.open(annual)
    page.wait_for("#signoff")
    assert page.driver.find_element("css selector", "#signoff-badge").text == "暂定"
    click(page, f"tr[data-organization='{tree.village_a1.pk}'] button.act-confirm")
    assert row_state(page, tree.village_a1) == "confirmed"
    assert "村（社区）已确认" in page.text
    assert not page.driver.find_elements("css selector", "button.act-sign")  # not its level
    page.screenshot("signoff-village-confirmed")

    signoffs.signoff_act(
        by=UserFactory(organization=tree.village_a2, role=Role.STATION_OPERATOR),
        organization=tree.village_a2,
        period=signoffs.signoff_period("2024"),
        act="confirm",
    )
    page.sign_in(street_staff.username, PASSWORD, at="/accounts/login/")
    page.open(annual)
    page.wait_for("#signoff")
    a2_row = f"tr[data-organization='{tree.village_a2.pk}']"
    page.driver.find_element("css selector", f"{a2_row} input.reason-input").send_keys(
        "培训人数与签到表不符"
    )
    click(page, f"{a2_row} button.act-return")
    assert row_state(page, tree.village_a2) == "returned"
    log = page.driver.find_element("css selector", "#signoff-log").text
    assert "培训人数与签到表不符" in log and "退回" in log
    click(page, f"tr[data-organization='{tree.village_a1.pk}'] button.act-sign")
    assert row_state(page, tree.village_a1) == "signed"
    # the street's own sign-off waits for a2: pressing it says why
    click(page, f"tr[data-organization='{tree.street_a.pk}'] button.act-sign")
    assert "下级组织须先全部签发" in page.text
    assert row_state(page, tree.street_a) == "open"
    page.screenshot("signoff-street")
    assert not page.accessibility_violations()


def test_a_signed_year_shows_the_frozen_figure_and_the_correction(page, tree):
    counted_2024(tree)
    period = signoffs.signoff_period("2024")
    for village, street in (
        (tree.village_a1, tree.street_a),
        (tree.village_a2, tree.street_a),
        (tree.village_b1, tree.street_b),
    ):
        signoffs.signoff_act(
            by=UserFactory(organization=village, role=Role.STAFF),
            organization=village,
            period=period,
            act="confirm",
        )
        signoffs.signoff_act(
            by=UserFactory(organization=street, role=Role.STAFF),
            organization=village,
            period=period,
            act="sign",
        )
    for street in (tree.street_a, tree.street_b):
        signoffs.signoff_act(
            by=UserFactory(organization=street, role=Role.STAFF),
            organization=street,
            period=period,
            act="sign",
        )
    district_admin = UserFactory(organization=tree.district, role=Role.DISTRICT_ADMIN)
    page.sign_in(district_admin.username, PASSWORD, at="/accounts/login/")
    page.open("/reports/annual/?year=2024")
    page.wait_for("#signoff")
    click(page, f"tr[data-organization='{tree.district.pk}'] button.act-sign")
    assert page.driver.find_element("css selector", "#signoff-badge").text == "已签发"

    make_event(tree.village_a1, day=datetime.date(2024, 9, 1))  # entered after the sign-off
    page.open("/reports/annual/?year=2024")
    page.wait_for("#signoff")
    row = page.driver.find_element(
        "css selector", "tr[data-key='events.family_education_held'] .correction"
    )
    assert row.text == "+1 更正"
    page.screenshot("signoff-district-signed")
    page.open("/reports/?period=2024")
    page.wait_for(".card")
    card = page.driver.find_element(
        "css selector", ".card[data-key='events.family_education_held'] .correction"
    )
    assert card.text == "+1 更正"
    assert page.driver.find_element("css selector", "#signoff-badge").text == "已签发"

"""The people list's street filter in Chromium: type a few characters, pick the street, the list
narrows to its villages' people (apps/organizations/admin_filters.py). Screenshots in
var/screenshots/tree-filter-*.png."""

from apps.organizations.choices import Kind
from apps.organizations.roles import Role
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.members import make_member
from tests.factories.organizations import make_org


def names_listed(page) -> list[str]:
    rows = page.driver.find_elements("css selector", "#result_list tbody th a")
    return sorted(row.text for row in rows)


def test_a_street_is_picked_by_typing_and_the_list_narrows(page):
    from selenium.webdriver.support.ui import WebDriverWait

    district = make_org(None, Kind.DISTRICT, "浏览区妇联")
    east = make_org(district, Kind.STREET, "东城街道妇联")
    west = make_org(district, Kind.STREET, "西城街道妇联")
    make_member(make_org(east, Kind.VILLAGE, "竹林村妇联"), name="竹林人")
    make_member(make_org(east, Kind.VILLAGE, "桃园村妇联"), name="桃园人")
    make_member(make_org(west, Kind.VILLAGE, "柳岸村妇联"), name="柳岸人")
    user = UserFactory(organization=district, role=Role.STAFF)
    page.sign_in(user.username, PASSWORD)
    page.open("/admin/members/member/")
    before = names_listed(page)
    street_box = "#tree-filter-street + .select2 .select2-selection"
    page.wait_for(street_box)  # select2 draws the box once its scripts have loaded

    page.driver.find_element("css selector", street_box).click()
    page.wait_for(".select2-container--open .select2-search__field")
    page.driver.find_element("css selector", ".select2-search__field").send_keys("东城")
    options = ".select2-results__option:not(.loading-results)"

    def offered(driver) -> list[str]:
        return [option.text for option in driver.find_elements("css selector", options)]

    # the list offered on opening, then the one for the characters typed
    WebDriverWait(page.driver, 30).until(
        lambda driver: (found := offered(driver)) and "西城街道妇联" not in found
    )
    offered_for_typed = offered(page.driver)
    page.screenshot("tree-filter-typed")
    page.driver.find_element("css selector", ".select2-results__option--highlighted").click()
    WebDriverWait(page.driver, 30).until(lambda driver: "street=" in driver.current_url)
    page.wait_for("#result_list")
    page.screenshot("tree-filter-chosen")

    assert before == ["柳岸人", "桃园人", "竹林人"]
    assert offered_for_typed == ["东城街道妇联"]
    assert page.driver.current_url.endswith(f"?street={east.pk}")
    assert names_listed(page) == ["桃园人", "竹林人"]
    assert page.accessibility_violations() == []

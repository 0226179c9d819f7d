"""Each role signs in through the admin's form in Chromium and sees where it is
(docs/roles.md, "works in"); the screenshots are in var/screenshots/."""

from apps.organizations.choices import Kind
from apps.organizations.roles import Role
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.organizations import make_org


def test_every_role_signs_in_and_sees_where_its_work_is(page):
    district = make_org(None, Kind.DISTRICT, "浏览区妇联")
    street = make_org(district, Kind.STREET, "城关街道妇联")
    village = make_org(street, Kind.VILLAGE, "东门社区妇联")
    seen = {}
    for role, organization in [
        (Role.DISTRICT_ADMIN, street),
        (Role.STAFF, street),
        (Role.CASE_WORKER, district),
        (Role.LEADERSHIP, district),
        (Role.STATION_OPERATOR, village),
    ]:
        user = UserFactory(organization=organization, role=role)
        page.sign_in(user.username, PASSWORD)
        page.screenshot(f"sign-in-{role}")
        seen[role] = (page.driver.current_url.removeprefix(page.base), page.text)

    for role in (Role.DISTRICT_ADMIN, Role.STAFF):
        path, text = seen[role]
        assert path == "/admin/", role
        assert f"城关街道妇联 · {Role(role).label}" in text
    assert "城关街道妇联 · 妇联管理员" in seen[Role.DISTRICT_ADMIN][1]  # as docs/roles.md names it
    assert seen[Role.CASE_WORKER][0] == "/admin/"
    assert "报表页面" in seen[Role.LEADERSHIP][1]
    assert "站点应用" in seen[Role.STATION_OPERATOR][1]

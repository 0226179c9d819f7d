"""The admin's history page reads in Chinese, shows a blank reason blank, offers no revert and
links only to pages that answer; a failed login's tab reads in Chinese too."""

import re
from html import unescape

import pytest

from apps.core.history import history_note
from apps.members.services import people as services
from apps.organizations import services as organization_services
from apps.organizations.roles import Role
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

HREF = re.compile(r'<a\s[^>]*href="([^"]*)"')
CJK = re.compile(r"[\u4e00-\u9fff]")
HEADINGS = ["记录", "时间", "操作", "修改人", "修改原因", "修改内容"]


def headings(body: str) -> list[str]:
    table = body[body.index('id="change-history"') :]
    return [unescape(text).strip() for text in re.findall(r"<th[^>]*>(.*?)</th>", table)]


@pytest.fixture
def person(tree, user_in):
    """A person entered by the system, then changed by a street's staff with a reason, and
    again without one."""
    member = make_member(tree.village_a1, name="周桂兰", occupation="教师")
    staff = user_in(tree.district, Role.STAFF, name="王工作")
    history_note(member, by=staff, reason="信息更正")
    services.member_update(by=staff, member=member, occupation="医生")
    services.member_update(by=staff, member=member, address="甲一社区3号")
    return member


@pytest.mark.parametrize("role", [Role.DISTRICT_ADMIN, Role.STAFF, Role.CASE_WORKER])
def test_the_history_page_reads_in_chinese_with_blank_reasons_blank(
    tree, person, user_in, browser_as, role
):
    client = browser_as(user_in(tree.street_a, role))

    page = client.get(f"/admin/members/member/{person.pk}/history/")

    body = page.content.decode()
    assert page.status_code == 200
    assert headings(body) == HEADINGS
    for english in ("Changes", "CHANGES", "Change reason", "Changed by", "Date/time", "None"):
        assert english not in body, english
    assert "信息更正" in body and "王工作" in body
    assert "教师" in body and "医生" in body  # what changed, old and new


@pytest.mark.parametrize("role", [Role.DISTRICT_ADMIN, Role.STAFF])
def test_the_history_page_offers_no_revert(tree, person, user_in, browser_as, role):
    client = browser_as(user_in(tree.street_a, role))

    body = client.get(f"/admin/members/member/{person.pk}/history/").content.decode()

    assert "revert" not in body.lower() and "恢复" not in body and "还原" not in body
    assert not re.search(r"/history/\d+/", body)  # the per-version page is a 404


@pytest.mark.parametrize(
    ("organization", "role"),
    [("street_a", Role.STAFF), ("street_a", Role.CASE_WORKER), ("village_a1", Role.STAFF)],
)
def test_every_link_on_the_history_page_answers(
    tree, person, user_in, browser_as, organization, role
):
    """Even the account that made a change lies outside a village's subtree: its name is
    shown, not linked."""
    client = browser_as(user_in(getattr(tree, organization), role))
    page = client.get(f"/admin/members/member/{person.pk}/history/")
    assert page.status_code == 200

    links = {unescape(href) for href in HREF.findall(page.content.decode())}
    links = {href for href in links if href.startswith("/")}

    assert f"/admin/members/member/{person.pk}/change/" in links
    answers = {href: client.get(href).status_code for href in links}
    assert answers == dict.fromkeys(links, 200)


def test_an_organization_s_history_page_too(tree, user_in, browser_as):
    organization_services.organization_update(organization=tree.village_a1, address="新地址")
    client = browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))

    page = client.get(f"/admin/organizations/organization/{tree.village_a1.pk}/history/")

    body = page.content.decode()
    assert headings(body) == HEADINGS and "None" not in body and "新地址" in body
    for href in {unescape(h) for h in HREF.findall(body) if h.startswith("/")}:
        assert client.get(href).status_code == 200, href


def test_a_failed_login_s_tab_reads_in_chinese(tree, user_in, client):
    user_in(tree.district, Role.STAFF, username="wang")

    page = client.post("/admin/login/", {"username": "wang", "password": "wrong"})

    assert page.status_code == 200
    tab = re.search(r"<title>(.*?)</title>", page.content.decode(), re.S).group(1)
    assert "Error" not in tab and "错误" in tab and CJK.search(tab.replace("错误", ""))

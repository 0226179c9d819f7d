"""Every sign-in lands somewhere (docs/roles.md, "works in"): the admin's roles on the workbench,
leadership and station operators told plainly where their work is."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation
from django.views.defaults import permission_denied

from apps.organizations.roles import Role
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = reverse("admin:login")


def sign_in(client, user, password=PASSWORD, language="zh-hans"):
    return client.post(
        ADMIN_LOGIN,
        {"username": user.username, "password": password, "next": "/admin/"},
        headers={"accept-language": language},
    )


@pytest.mark.parametrize(
    ("role", "says"),
    [
        (Role.LEADERSHIP, "报表页面"),
        (Role.STATION_OPERATOR, "站点应用"),
    ],
)
def test_the_right_password_without_admin_pages_is_told_where_the_work_is(
    client, tree, user_in, role, says
):
    user = user_in(tree.village_a1, role)

    answer = sign_in(client, user)

    text = answer.content.decode()
    assert answer.status_code == 200
    assert says in text
    assert "用户名" not in re.search(r'<p class="errornote">(.*?)</p>', text, re.S)[1]
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_reads_the_same_whoever_the_account_is(client, tree, user_in):
    leader = user_in(tree.village_a1, Role.LEADERSHIP)
    admin = user_in(tree.village_a1, Role.DISTRICT_ADMIN)

    answers = [sign_in(client, user, password="wrong").content.decode() for user in (leader, admin)]

    errors = [re.search(r'<p class="errornote">(.*?)</p>', text, re.S)[1] for text in answers]
    assert "用户名" in errors[0]
    assert errors[0] == errors[1]


def test_the_message_is_english_for_an_english_browser(client, tree, user_in):
    user = user_in(tree.village_a1, Role.LEADERSHIP)

    text = sign_in(client, user, language="en").content.decode()

    assert "report pages" in text


@pytest.mark.parametrize("role", [Role.DISTRICT_ADMIN, Role.STAFF, Role.CASE_WORKER])
def test_the_admin_roles_land_on_the_workbench(client, tree, user_in, role):
    user = user_in(tree.village_a1, role)

    signed_in = sign_in(client, user)
    front = client.get("/")

    assert signed_in.status_code == 302 and signed_in["location"] == "/admin/"
    assert front.status_code == 302 and front["location"] == reverse("admin:index")


def test_leadership_lands_on_its_reports(client, tree, user_in):
    client.force_login(user_in(tree.village_a1, Role.LEADERSHIP))

    front = client.get("/")

    assert front.status_code == 302 and front["location"] == reverse("reports:dashboard")
    assert client.get(front["location"]).status_code == 200


@pytest.mark.parametrize("role", [Role.STATION_OPERATOR])
def test_the_front_page_of_a_role_without_admin_pages_says_where_to_go(client, tree, user_in, role):
    user = user_in(tree.village_a1, role)
    client.force_login(user)

    page = client.get("/", headers={"accept-language": "zh-hans"})

    text = page.content.decode()
    assert page.status_code == 200
    assert f"{tree.village_a1.name} · {user.get_role_display()}" in text
    assert ("报表页面" if role == Role.LEADERSHIP else "站点应用") in text


def test_the_front_page_asks_a_stranger_to_sign_in(client):
    page = client.get("/")

    assert page.status_code == 302 and page["location"].startswith(reverse("login"))


def test_a_page_refused_to_a_signed_in_account_is_a_chinese_page(rf, tree, user_in):
    request = rf.get("/somewhere/", headers={"accept-language": "zh-hans"})
    request.user = user_in(tree.village_a1, Role.LEADERSHIP)

    with translation.override("zh-hans"):
        page = permission_denied(request, PermissionDenied())

    text = page.content.decode()
    assert page.status_code == 403
    assert "没有权限" in text and "Forbidden" not in text
    assert f"{tree.village_a1.name} · 领导" in text

"""docs/roles.md, Account rules: no admin knows the password of, or makes a token for, an account
that reads cases in full; such accounts get one-time set-password links, case workers' only from
the district's own admins; each act is in the account's history and told at the next sign-in.

Before this change a street admin set a case worker's password on the admin's password page and
created case-worker accounts with a password it chose."""

import re

import pytest

from apps.accounts.models import DeviceToken, User
from apps.organizations.roles import Role
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

USERS = "/admin/accounts/user/"
NEW_PASSWORD = "Chosen-by-the-owner-7"


@pytest.fixture
def street_admin(tree, user_in, browser_as):
    return browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN, username="street_admin"))


@pytest.fixture
def root_admin(tree, user_in, browser_as):
    return browser_as(user_in(tree.district, Role.DISTRICT_ADMIN, username="root_admin"))


def new_account(role, organization, **passwords):
    return {
        "username": "new_one",
        "name": "新账号",
        "organization": organization.pk,
        "role": role,
        **passwords,
    }


def link_on(page) -> str:
    return re.search(r'id="set-password-link">https?://[^/]+(/[^<]+)<', page.content.decode())[1]


def set_password(client, link, password=NEW_PASSWORD):
    form = client.get(link, follow=True)  # Django moves the token out of the URL first
    return client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"new_password1": password, "new_password2": password},
    )


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.STATION_OPERATOR])
def test_no_admin_sets_the_password_of_an_account_that_reads_cases(tree, user_in, root_admin, role):
    account = user_in(tree.village_a1, role)

    page = root_admin.post(
        f"{USERS}{account.pk}/password/", {"password1": PASSWORD + "x", "password2": PASSWORD + "x"}
    )

    assert page.status_code == 403
    account.refresh_from_db()
    assert account.check_password(PASSWORD)
    assert "password/" not in root_admin.get(f"{USERS}{account.pk}/change/").content.decode()


def test_an_admin_still_sets_the_password_of_a_staff_account(tree, user_in, street_admin):
    staff = user_in(tree.village_a1, Role.STAFF)

    street_admin.post(
        f"{USERS}{staff.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.STATION_OPERATOR])
def test_a_password_chosen_by_the_admin_is_refused(tree, root_admin, role):
    page = root_admin.post(
        f"{USERS}add/",
        new_account(role, tree.village_a1, password1=NEW_PASSWORD, password2=NEW_PASSWORD),
    )

    assert page.status_code == 200
    assert "设置密码链接" in page.content.decode()
    assert not User.objects.filter(username="new_one").exists()


def test_a_street_admin_cannot_make_or_reset_a_case_worker(tree, user_in, street_admin):
    worker = user_in(tree.village_a1, Role.CASE_WORKER)
    staff = user_in(tree.village_a1, Role.STAFF)

    added = street_admin.post(f"{USERS}add/", new_account(Role.CASE_WORKER, tree.village_a1))
    link = street_admin.post(f"{USERS}{worker.pk}/set-password-link/")
    changed = street_admin.post(
        f"{USERS}{worker.pk}/change/",
        {
            "username": worker.username,
            "name": "改名",
            "organization": tree.village_a1.pk,
            "role": Role.STAFF,
            "is_active": "on",
        },
    )
    raised = street_admin.post(
        f"{USERS}{staff.pk}/change/",
        {
            "username": staff.username,
            "name": staff.name,
            "organization": tree.village_a1.pk,
            "role": Role.CASE_WORKER,
            "is_active": "on",
        },
    )

    assert "只有区妇联本级的管理员可以管理维权专干账号" in added.content.decode()
    assert not User.objects.filter(username="new_one").exists()
    assert (link.status_code, changed.status_code) == (403, 403)
    worker.refresh_from_db()
    staff.refresh_from_db()
    assert (worker.name, worker.role, staff.role) == (worker.name, Role.CASE_WORKER, Role.STAFF)
    assert "只有区妇联本级的管理员可以管理维权专干账号" in raised.content.decode()


def test_a_new_case_worker_gets_a_one_time_link_from_a_root_admin(tree, root_admin, client):
    page = root_admin.post(f"{USERS}add/", new_account(Role.CASE_WORKER, tree.village_a1))

    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    account = User.objects.get(username="new_one")
    assert not account.has_usable_password()
    link = link_on(page)
    assert set_password(client, link).status_code == 302
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)
    again = client.get(link, follow=True)
    assert "已被使用或已过期" in again.content.decode()  # one time only
    assert set_password(client, link, "Another-one-99").status_code == 200
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)


def test_a_station_operator_reset_by_a_street_admin_is_told_at_sign_in(
    tree, user_in, street_admin, client
):
    operator = user_in(tree.village_a1, Role.STATION_OPERATOR, username="station_a1")
    DeviceToken.objects.create(user=operator, device="手机")

    asked = street_admin.get(f"{USERS}{operator.pk}/set-password-link/")
    page = street_admin.post(f"{USERS}{operator.pk}/set-password-link/")
    set_password(client, link_on(page))
    signed_in = client.post(
        "/api/v1/auth/sign-in/",
        {"username": "station_a1", "password": NEW_PASSWORD, "device": "站点电脑"},
        content_type="application/json",
    )

    assert asked.status_code == 200 and 'id="set-password-link"' not in asked.content.decode()
    notices = signed_in.json()["notices"]
    assert any("已签发设置密码链接" in n and "street_admin" in n for n in notices), notices
    assert any("已通过设置密码链接设置密码" in n for n in notices), notices


def test_an_account_becoming_a_station_operator_loses_its_password_and_tokens(
    tree, user_in, root_admin
):
    staff = user_in(tree.village_a1, Role.STAFF)
    DeviceToken.objects.create(user=staff, device="手机")

    page = root_admin.post(
        f"{USERS}{staff.pk}/change/",
        {
            "username": staff.username,
            "name": staff.name,
            "organization": tree.village_a1.pk,
            "role": Role.STATION_OPERATOR,
            "is_active": "on",
        },
    )

    staff.refresh_from_db()
    assert staff.role == Role.STATION_OPERATOR
    assert not staff.has_usable_password()
    assert not DeviceToken.objects.filter(user=staff).exists()
    assert link_on(page).startswith("/accounts/set-password/")


def test_the_acts_are_shown_on_the_admin_index_at_the_next_login(tree, user_in, root_admin, client):
    worker = user_in(tree.village_a1, Role.CASE_WORKER, username="worker")
    page = root_admin.post(f"{USERS}{worker.pk}/set-password-link/")
    set_password(client, link_on(page))

    client.post("/accounts/login/", {"username": "worker", "password": NEW_PASSWORD})
    first = client.get("/admin/").content.decode()
    second = client.get("/admin/").content.decode()

    assert "已签发设置密码链接" in first and "root_admin" in first
    assert "已签发设置密码链接" not in second

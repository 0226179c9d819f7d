"""Issue 10, item 2: API keys are shown once, then never; devices make their own tokens.

On the code before this change a street admin read a station's and a case worker's live keys
on the token's change and delete pages and in "Recent actions" (DRF's plaintext tokens).
"""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import DeviceToken
from apps.organizations.roles import Role
from tests.factories.accounts import PASSWORD, token_key

pytestmark = pytest.mark.django_db

SIGN_IN = "/api/v1/auth/sign-in/"
SIGN_OUT = "/api/v1/auth/sign-out/"
TOKENS = "/admin/accounts/devicetoken/"
ORGANIZATIONS = "/api/v1/organizations/"


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def street_admin(tree, user_in, browser_as):
    return browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))


@pytest.fixture
def operator(tree, user_in):
    return user_in(tree.village_a1, Role.STATION_OPERATOR, username="station_a1")


def reasons(account) -> list[str]:
    return [row.history_change_reason for row in account.history.all() if row.history_change_reason]


def sign_in(client, username="station_a1", password=PASSWORD, device="站点电脑"):
    body = {"username": username, "password": password, "device": device}
    return client.post(SIGN_IN, body, format="json")


def test_only_a_hash_of_the_key_is_stored(operator):
    token, key = DeviceToken.objects.create(user=operator, device="手机")

    stored = DeviceToken.objects.filter(pk=token.pk).values()[0]

    assert key not in {str(value) for value in stored.values()}
    assert key.startswith(token.prefix) and len(token.prefix) < len(key)


def test_no_token_page_and_no_recent_action_shows_the_key(operator, street_admin):
    token, key = DeviceToken.objects.create(user=operator, device="手机")
    pages = [TOKENS, f"{TOKENS}{token.pk}/change/", f"{TOKENS}{token.pk}/delete/"]
    shown = [street_admin.get(url) for url in pages]

    revoked = street_admin.post(f"{TOKENS}{token.pk}/delete/", {"post": "yes"})
    index = street_admin.get("/admin/")
    history = street_admin.get(f"/admin/accounts/user/{operator.pk}/history/")

    assert [page.status_code for page in shown] == [200, 200, 200]
    assert revoked.status_code == 302
    assert not DeviceToken.objects.filter(pk=token.pk).exists()
    for page in [*shown, index, history]:
        body = page.content.decode()
        assert key not in body and key[: len(token.prefix) + 1] not in body
    assert token.prefix in index.content.decode()  # "Recent actions" names the prefix
    assert LogEntry.objects.get().object_repr == f"{token.prefix}…（手机）"


def test_no_admin_makes_a_token(operator, street_admin):
    answer = street_admin.post(f"{TOKENS}add/", {"user": operator.pk, "device": "手机"})

    assert answer.status_code == 403
    assert not DeviceToken.objects.exists()


def test_an_admin_revoking_a_token_is_in_the_accounts_history_and_told_at_sign_in(
    api_client, operator, street_admin
):
    token, _ = DeviceToken.objects.create(user=operator, device="手机")

    street_admin.post(f"{TOKENS}{token.pk}/delete/", {"post": "yes"})
    notices = sign_in(api_client).json()["notices"]

    assert f"已吊销 API 令牌 {token}" in reasons(operator)
    assert any(f"已吊销 API 令牌 {token}" in notice for notice in notices)
    assert sign_in(api_client, device="另一台").json()["notices"] == []  # told once


def test_a_device_signs_in_uses_its_key_and_signs_out(api_client, operator):
    answer = sign_in(api_client)

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert set(body) == {"token", "prefix", "device", "expiry", "notices"}
    assert body["device"] == "站点电脑" and body["token"].startswith(body["prefix"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert api_client.get(ORGANIZATIONS).status_code == 200
    assert api_client.post(SIGN_OUT).status_code == 204
    assert api_client.get(ORGANIZATIONS).status_code == 401


def test_signing_in_again_on_a_device_replaces_its_token(api_client, operator):
    first = sign_in(api_client).json()["token"]
    second = sign_in(api_client).json()["token"]
    sign_in(api_client, device="手机")

    assert sorted(DeviceToken.objects.values_list("device", flat=True)) == ["手机", "站点电脑"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert api_client.get(ORGANIZATIONS).status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert api_client.get(ORGANIZATIONS).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"username": "station_a1", "password": "wrong", "device": "手机"},
        {"username": "nobody", "password": PASSWORD, "device": "手机"},
    ],
)
def test_a_wrong_sign_in_is_the_same_chinese_401(api_client, operator, body):
    answer = api_client.post(SIGN_IN, body, format="json")

    assert answer.status_code == 401
    assert answer.json() == {"detail": "用户名或密码错误。", "code": "authentication_failed"}
    assert not DeviceToken.objects.exists()


def test_a_bad_sign_in_body_is_a_400(api_client, operator):
    answer = api_client.post(SIGN_IN, {"username": "station_a1", "device": "\u202e"}, format="json")

    assert answer.status_code == 400
    assert set(answer.json()) == {"password", "device"}


def test_an_inactive_account_cannot_sign_in(api_client, operator):
    operator.is_active = False
    operator.save()

    assert sign_in(api_client).status_code == 401


def test_repeated_failed_sign_ins_lock_the_account_as_the_admin_login_does(api_client, operator):
    for _ in range(5):
        sign_in(api_client, password="wrong")

    locked = sign_in(api_client)

    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert not DeviceToken.objects.exists()


def test_sign_ins_are_throttled_per_address(api_client, operator, settings):
    settings.API_SIGN_IN_RATE = "2/min"
    cache.clear()

    answers = [sign_in(api_client, username=f"u{n}").status_code for n in range(3)]

    assert answers == [401, 401, 429]


def test_a_token_expires_30_days_after_it_was_last_used(api_client, operator):
    token, key = DeviceToken.objects.create(user=operator, device="手机")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    DeviceToken.objects.filter(pk=token.pk).update(
        expiry=timezone.now() + datetime.timedelta(days=1)
    )

    assert api_client.get(ORGANIZATIONS).status_code == 200  # used: 30 days from now again
    token.refresh_from_db()
    assert token.expiry > timezone.now() + datetime.timedelta(days=29)
    DeviceToken.objects.filter(pk=token.pk).update(expiry=timezone.now())
    assert api_client.get(ORGANIZATIONS).status_code == 401


def test_a_busy_device_does_not_write_on_every_request(
    api_client, operator, django_assert_num_queries
):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_key(operator)}")
    api_client.get(ORGANIZATIONS)

    # The token with its account and organization (one query), the page, its count: no write.
    with django_assert_num_queries(3):
        api_client.get(ORGANIZATIONS)
    with django_assert_num_queries(3):
        api_client.get(ORGANIZATIONS)


@pytest.mark.parametrize("header", ["Token " + "0f" * 32, "Token zz\x01", "Token " + "é" * 64])
def test_a_key_of_the_wrong_form_is_a_401(api_client, operator, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)

    assert api_client.get(ORGANIZATIONS).status_code == 401


def test_drf_create_token_prints_a_working_key_and_tells_the_owner(api_client, operator, capsys):
    call_command("drf_create_token", "station_a1")
    key = capsys.readouterr().out.strip()

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get(ORGANIZATIONS).status_code == 200
    assert any("在服务器上生成了 API 令牌" in reason for reason in reasons(operator))
    api_client.credentials()
    assert any("在服务器上生成了 API 令牌" in n for n in sign_in(api_client).json()["notices"])

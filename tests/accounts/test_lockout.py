"""Brute force (docs/quality.md, 8): failed logins lock the pair (username, address) soon, the
username alone only after many more; throttle counts are shared by every server process."""

import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings

from apps.organizations.roles import Role
from tests.factories.accounts import PASSWORD

LOGIN = "/accounts/login/"
HOME = "10.0.0.1"
ELSEWHERE = "10.9.9.9"


def fail(client, username, address, times=1):
    for _ in range(times):
        client.post(LOGIN, {"username": username, "password": "wrong"}, REMOTE_ADDR=address)


def log_in(username, address):
    client = Client()
    answer = client.post(LOGIN, {"username": username, "password": PASSWORD}, REMOTE_ADDR=address)
    return answer, client


@pytest.mark.django_db
def test_five_failures_lock_the_username_at_that_address_only(tree, user_in, client):
    user_in(tree.village_a1, Role.STAFF, username="target")
    fail(client, "target", ELSEWHERE, times=settings.AXES_FAILURE_LIMIT)

    there, there_client = log_in("target", ELSEWHERE)
    home, home_client = log_in("target", HOME)

    assert there.status_code == 429
    assert "账户已锁定" in there.content.decode()  # the lockout says so in Chinese
    assert "_auth_user_id" not in there_client.session
    assert home.status_code == 302  # the owner, at her own desk, still logs in
    assert "_auth_user_id" in home_client.session


@pytest.mark.django_db
def test_the_username_alone_locks_after_many_failures_from_any_addresses(tree, user_in, client):
    user_in(tree.village_a1, Role.STAFF, username="target")
    per_address = settings.AXES_FAILURE_LIMIT
    addresses = settings.LOGIN_USERNAME_FAILURE_LIMIT // per_address
    for n in range(addresses):
        fail(client, "target", f"10.1.{n}.1", times=per_address)

    answer, owner = log_in("target", HOME)

    assert answer.status_code == 429
    assert "账户已锁定" in answer.content.decode()
    assert "_auth_user_id" not in owner.session


@pytest.mark.django_db
def test_one_failure_short_of_the_username_limit_the_owner_still_logs_in(tree, user_in, client):
    user_in(tree.village_a1, Role.STAFF, username="target")
    per_address = settings.AXES_FAILURE_LIMIT
    for n in range(settings.LOGIN_USERNAME_FAILURE_LIMIT // per_address - 1):
        fail(client, "target", f"10.1.{n}.1", times=per_address)
    fail(client, "target", "10.2.0.1", times=per_address - 1)

    answer, owner = log_in("target", HOME)

    assert answer.status_code == 302
    assert "_auth_user_id" in owner.session


def test_the_lockout_settings_pass_axes_checks_unsilenced():
    from django.core import checks

    found = [message.id for message in checks.run_checks() if message.id.startswith("axes.")]

    assert found == []
    assert "axes.W006" not in settings.SILENCED_SYSTEM_CHECKS


# --- Throttle counts are shared by every process ---------------------------------------------

ANOTHER_PROCESS = textwrap.dedent(
    """
    import django
    django.setup()
    from django.conf import settings
    from django.test import Client
    from apps.accounts.models import User

    settings.API_THROTTLE_RATES = {{"account": "3/min", "anonymous": "3/min"}}
    client = Client()
    account = User.objects.get(pk={pk})
    client.force_login(account, backend="django.contrib.auth.backends.ModelBackend")
    print(*(client.get("/api/v1/organizations/").status_code for _ in range(3)))
    """
)


@pytest.mark.django_db(transaction=True)
def test_another_server_process_counts_towards_the_same_throttle(tree, user_in, browser_as):
    """A second Python process, on the same database, spends the account's whole rate; this
    process then answers 429: the count is in the database (apps/core/throttling.py), not in
    either process."""
    account = user_in(tree.village_a1, Role.STATION_OPERATOR)
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    script = ANOTHER_PROCESS.format(pk=account.pk)
    with override_settings(API_THROTTLE_RATES={"account": "3/min", "anonymous": "3/min"}):
        other = subprocess.run(
            [sys.executable, "-c", script],
            env={"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "federation.settings_test"},
            capture_output=True,
            text=True,
            check=True,
            cwd=settings.BASE_DIR,
        )
        here = browser_as(account).get("/api/v1/organizations/")

    assert other.stdout.split() == ["200", "200", "200"]
    assert here.status_code == 429

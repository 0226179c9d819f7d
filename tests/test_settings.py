"""Settings come from the environment, with safe defaults."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from federation.env import env_bool, env_list, env_mandatory


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("YES", True), ("0", False), ("no", False), ("on", False)],
)
def test_debug_is_on_only_for_1_true_yes(monkeypatch, value, expected):
    monkeypatch.setenv("DJANGO_DEBUG", value)

    assert env_bool("DJANGO_DEBUG", default=False) is expected


def test_an_unset_flag_takes_its_default(monkeypatch):
    monkeypatch.delenv("DJANGO_SECURE_SSL_REDIRECT", raising=False)

    assert env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True) is True


def test_a_missing_secret_raises(monkeypatch):
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)

    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        env_mandatory("DJANGO_SECRET_KEY")


def test_hosts_are_a_comma_separated_list(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "fl.example.gov.cn, 10.1.2.3 ,")

    assert env_list("DJANGO_ALLOWED_HOSTS") == ["fl.example.gov.cn", "10.1.2.3"]


def test_the_database_keeps_connections_and_checks_them(settings):
    database = settings.DATABASES["default"]

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["CONN_MAX_AGE"] == 60


@pytest.mark.django_db
def test_the_database_plans_without_jit():
    """PostgreSQL's JIT compiled an import's pairing for longer than it ran (federation/
    settings.py): every connection turns it off."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_production_settings_pass_the_deploy_check(monkeypatch):
    import subprocess
    import sys

    env = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "DJANGO_SECRET_KEY": "x" * 60 + "production-like-secret-0123456789",
        "DJANGO_ALLOWED_HOSTS": "fulian.example.gov.cn",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_manage_py_in_a_development_tree_uses_the_secret_make_created():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    assert (root / "var" / "secret_key").exists()  # made by scripts/devenv.py under make
    env = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres", "PATH": "/usr/bin:/bin"}

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_settings_header_lists_every_variable_the_settings_read():
    import ast
    import re
    from pathlib import Path

    import federation.settings

    source = Path(federation.settings.__file__).read_text()
    module = ast.parse(source)
    calls = [
        node
        for node in ast.walk(module)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id.startswith("env_")
    ]
    read = {call.args[0].value for call in calls if isinstance(call.args[0], ast.Constant)}
    header = ast.get_docstring(module, clean=False)
    listed = re.findall(r"^    ([A-Z][A-Z0-9_]+) {2,}\S", header, re.MULTILINE)

    assert sorted(listed) == sorted(read)  # one line each, no name twice, none missing
    assert "DATABASE_URL" in read
    assert all(isinstance(call.args[0], ast.Constant) for call in calls)  # names, not variables
    direct = [
        node.attr
        for node in ast.walk(module)
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}
    ]
    assert direct == []  # os.environ is not read directly, so the env_* calls are all there is

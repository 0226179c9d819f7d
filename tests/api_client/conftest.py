"""A station client generated from the served schema, as a vendor makes one.

See docs/station-client.md. The client is generated once per session, with the
pinned openapi-python-client (the dev extra) and docs/station-client.yaml, from
what ``/api/schema/`` serves a token holder on a live test server; it is
imported from a scratch directory, so the tests use nothing but generated code.
"""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from apps.organizations.choices import Kind
from apps.organizations.roles import Role
from tests.factories.accounts import UserFactory, token_key
from tests.factories.organizations import make_org

ROOT = Path(__file__).resolve().parents[2]
GENERATOR_CONFIG = ROOT / "docs" / "station-client.yaml"
# The package name comes from the schema's title ("District Federation API").
PACKAGE = "district_federation_api_client"


def token_for(user) -> str:
    """The key a station sends as ``Authorization: Token <key>``: the one place tests here
    make a token, so a change of token library changes only this function."""
    return token_key(user, device="站点客户端测试")


def generate(schema_path: Path, where: Path) -> str:
    """Run the generator as docs/station-client.md does; its output (no warning allowed)."""
    generator = Path(sys.executable).with_name("openapi-python-client")
    env = {**os.environ, "PATH": f"{generator.parent}{os.pathsep}{os.environ['PATH']}"}
    command = [
        str(generator),
        "generate",
        "--path",
        str(schema_path),
        "--meta",
        "none",
        "--config",
        str(GENERATOR_CONFIG),
        "--fail-on-warning",
    ]
    done = subprocess.run(command, cwd=where, env=env, capture_output=True, text=True, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "warning" not in output.lower(), output
    return output


@pytest.fixture(scope="session")
def station_client_package(django_db_setup, live_server, django_db_blocker, tmp_path_factory):
    """The generated package, imported from a scratch directory.

    The schema is fetched with a token of an account made here, outside any
    test; the live-server tests that use this are transactional, and the
    database is emptied after each, these rows with it.
    """
    with django_db_blocker.unblock():
        district = make_org(None, Kind.DISTRICT, "生成客户端用区妇联")
        key = token_for(UserFactory(organization=district, role=Role.STATION_OPERATOR))
        served = httpx.get(
            f"{live_server.url}/api/schema/",
            headers={"Authorization": f"Token {key}", "Accept": "application/json"},
        )
    assert served.status_code == 200, served.text
    scratch = tmp_path_factory.mktemp("station_client")
    schema_path = scratch / "federation-api.json"
    schema_path.write_bytes(served.content)
    generate(schema_path, scratch)
    sys.path.insert(0, str(scratch))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(scratch))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]

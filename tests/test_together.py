"""scripts/together.py: `make run`'s server and worker stop together."""

import signal
import subprocess
import sys
import time
from pathlib import Path

TOGETHER = Path(__file__).resolve().parent.parent / "scripts" / "together.py"


def test_when_one_command_ends_the_others_are_stopped_and_its_status_kept():
    started = time.monotonic()

    run = subprocess.run(
        [sys.executable, str(TOGETHER), "sleep 60", "sh -c 'sleep 0.3; exit 3'"], timeout=30
    )

    assert run.returncode == 3
    assert time.monotonic() - started < 10  # the sleep was stopped, not waited for


def test_a_sigterm_stops_every_command(tmp_path):
    together = subprocess.Popen([sys.executable, str(TOGETHER), "sleep 60", "sleep 61"])
    time.sleep(0.5)
    children = subprocess.run(
        ["pgrep", "-P", str(together.pid)], capture_output=True, text=True
    ).stdout.split()
    assert len(children) == 2

    together.send_signal(signal.SIGTERM)

    together.wait(timeout=15)
    still = subprocess.run(["ps", "-o", "pid=", "-p", ",".join(children)], capture_output=True)
    assert still.stdout.split() == []

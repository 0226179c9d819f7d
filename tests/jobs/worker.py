"""A real worker process (`manage.py procrastinate worker`) against the test database, for the
tests that need one (they use ``transactional_db``: the worker sees committed rows only)."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection, connections

ROOT = Path(__file__).resolve().parents[2]
PROCRASTINATE_TABLES = (
    "procrastinate_jobs, procrastinate_events, procrastinate_periodic_defers, procrastinate_workers"
)


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition, seconds: float = 20, step: float = 0.05):
    """``condition()``'s first true value, asked every ``step`` seconds; fails after
    ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(step)
    raise AssertionError(f"not within {seconds} s: {condition.__doc__ or condition}")


def workers_registered() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procrastinate_workers")
        return cursor.fetchone()[0]


@contextlib.contextmanager
def running_worker(media_root):
    """A worker process until the block ends; the queue's tables emptied afterwards (the
    tests' flush leaves procrastinate's tables, which Django does not manage)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "federation.settings_test",
        "DJANGO_MEDIA_ROOT": str(media_root),
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "procrastinate", "worker", "--concurrency", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: workers_registered() or process.poll() is not None, seconds=30)
        assert process.poll() is None, process.stderr.read().decode()[-3000:]
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        process.stderr.close()
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {PROCRASTINATE_TABLES}")


@contextlib.contextmanager
def advisory_lock(key: str):
    """Hold the advisory lock ``key`` (as ``apps.core.imports`` takes it) on a connection of
    our own: an import that has written its rows waits there, its transaction open."""
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [key])
        yield holder
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])
    finally:
        holder.close()

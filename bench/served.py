"""25 (docs/quality.md): the API list served by gunicorn under wrk, against a bare view over HTTP.

The in-process figures (1) leave out what every request pays in a real server: HTTP parsing,
the WSGI worker, the socket. Target 25 is written in throughput under load, so this runs it that
way: gunicorn with the production settings (bench/settings.py) and two sync workers, wrk from a
second process, the API page, the bare Django view of the same rows and the bare view of the
page's SQL alone (bench/urls.py, bench/lists.py) in turns. The floors are those of figure 1;
they reach the workers in a file named by BENCH_FLOORS.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from statistics import median

from django.db import connection

from bench.accounts import Accounts, token
from bench.lists import MEMBERS, answered_with, api_client, bare_ids, ids_of, orm_ids
from bench.timing import Figure, same_answer

ROOT = Path(__file__).resolve().parent.parent
THROUGHPUT_SHARE = 0.5  # the API at least half the bare view's requests per second


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(floors: dict[str, dict], *, workers: int = 2):
    """gunicorn serving the project and ``floors`` (bench/served_wsgi.py) on a free port; its
    base URL."""
    port = _free_port()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(floors, file)
    environment = {
        **os.environ,
        "BENCH_FLOORS": file.name,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": _database_url(),
    }
    command = [sys.executable, "-m", "gunicorn", "bench.served_wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=environment)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/healthz")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        os.unlink(file.name)


def _database_url() -> str:
    settings = connection.settings_dict
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{settings['USER']}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _fetch(url: str, key: str | None = None) -> bytes:
    headers = {"Authorization": f"Token {key}"} if key else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as got:
        return got.read()


def wrk(url: str, *, seconds: int, key: str | None = None, connections: int = 4) -> float:
    """Requests per second wrk gets from ``url``; every answer must be a 2xx."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if key:
        command[1:1] = ["-H", f"Authorization: Token {key}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in out:
        raise RuntimeError(f"wrk {url}: some answers were not 2xx:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def served_list(accounts: Accounts, *, seconds: int = 5, turns: int = 3) -> list[Figure]:
    """25: the district admin's page of 50 under wrk, against the bare Django view of the same
    rows (the target) and the bare view of its SQL alone."""
    what = "API list page of 50 under wrk against gunicorn, district admin"
    if shutil.which("wrk") is None:
        return [Figure("25", what, "not measured: wrk is not installed (apt-get install wrk)")]
    user = accounts.district
    body, sql = answered_with(api_client(user), MEMBERS)
    key = token(user)
    with gunicorn({"plain": {"orm": [user.pk, None]}, "page": {"sql": sql}}) as base:
        api_url = f"{base}{MEMBERS}"
        plain_url, floor_url = f"{base}/bench/floor/plain/", f"{base}/bench/floor/page/"
        served = ids_of(json.loads(_fetch(api_url, key)))
        same_answer("served API list", served, orm_ids(_fetch(plain_url)))
        same_answer("served API list, its SQL", served, bare_ids(_fetch(floor_url)))
        same_answer("served API list, in process", ids_of(body), served)
        api, plain, floor = [], [], []
        for _ in range(turns):
            api.append(wrk(api_url, seconds=seconds, key=key))
            plain.append(wrk(plain_url, seconds=seconds))
            floor.append(wrk(floor_url, seconds=seconds))
    how = f"gunicorn, 2 sync workers; wrk -t2 -c4, {turns} turns of {seconds} s each, medians"
    share, alone = median(api) / median(plain), median(api) / median(floor)
    return [
        Figure(
            "25",
            what,
            f"{median(api):,.0f} requests/s",
            f"{median(plain):,.0f} requests/s (bare Django view: the same rows by the ORM)",
            share,
            f"≥ {THROUGHPUT_SHARE:g}× the floor's throughput",
            share >= THROUGHPUT_SHARE,
            how,
        ),
        Figure(
            "25",
            f"{what}, against its SQL alone",
            f"{median(api):,.0f} requests/s",
            f"{median(floor):,.0f} requests/s (bare Django view, the page's SQL as JSON)",
            alone,
            note=how,
        ),
    ]

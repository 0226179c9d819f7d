"""python -m faults: the fault drill (see faults/__init__.py and docs/operations.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/db python -m faults [--events 2000] …

It runs on its own database beside DATABASE_URL's (``<name>_faults``, made afresh), but it
restarts the whole PostgreSQL server that DATABASE_URL names: run it where nothing else uses
that server (never beside a test run). It needs to be allowed to restart it: as root on a
Debian cluster (pg_ctlcluster), or as the owner of the data directory (pg_ctl).
"""

import argparse
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
SUFFIX = "_faults"
RESULTS = ROOT / "bench" / "RESULTS.md"


def arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m faults", description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=2000, help="event submissions")
    parser.add_argument("--cases", type=int, default=200, help="case intakes")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--import-rows", type=int, default=20_000, help="rows of the import")
    parser.add_argument("--down", type=float, default=3.0, help="seconds the database is away")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="where the figures are written"
    )
    return parser.parse_args(argv)


# The database and its server ------------------------------------------------------------------


def fresh_database(database_url: str) -> str:
    """``<name>_faults`` beside ``database_url``'s, dropped and made again; its URL."""
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    target = name if name.endswith(SUFFIX) else name + SUFFIX
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target)))
    return urlunsplit(parts._replace(path=f"/{target}"))


class Server:
    """The PostgreSQL server behind a URL, stopped and started the way its installation is."""

    def __init__(self, url: str):
        self.url = url
        with psycopg.connect(url, autocommit=True) as connection:
            self.data = connection.execute("SHOW data_directory").fetchone()[0]
            self.bindir = connection.execute(
                "SELECT setting FROM pg_config WHERE name = 'BINDIR'"
            ).fetchone()[0]
        self.cluster = self._debian_cluster()
        self.owner = Path(self.data).owner()
        self.options = self._options()

    def _options(self) -> str:
        """The options the server was started with (its postmaster.opts, less the program and
        its data directory), so pg_ctl starts it listening where it listened."""
        opts = Path(self.data) / "postmaster.opts"
        if self.cluster or not opts.exists():
            return ""
        words = shlex.split(opts.read_text())[1:]
        kept, skip = [], False
        for word in words:
            if skip:
                skip = False
            elif word == "-D":
                skip = True
            else:
                kept.append(word)
        return shlex.join(kept)

    def _debian_cluster(self) -> list[str] | None:
        if not shutil.which("pg_lsclusters"):
            return None
        listed = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True)
        for line in listed.stdout.splitlines():
            fields = line.split()
            if len(fields) >= 6 and fields[5] == self.data:
                return fields[:2]  # version, name
        return None

    def _pg_ctl(self, *args: str) -> list[str]:
        command = [str(Path(self.bindir) / "pg_ctl"), "-D", self.data, "-w", *args]
        if os.geteuid() == 0 and self.owner != "root":
            command = ["runuser", "-u", self.owner, "--", *command]
        return command

    def stop(self) -> None:
        if self.cluster:
            command = ["pg_ctlcluster", "--skip-systemctl-redirect", *self.cluster, "stop"]
            subprocess.run([*command, "-m", "fast"], check=True)
        else:
            subprocess.run(self._pg_ctl("stop", "-m", "fast"), check=True)

    def start(self) -> None:
        if self.cluster:
            command = ["pg_ctlcluster", "--skip-systemctl-redirect", *self.cluster, "start"]
            subprocess.run(command, check=True)
        else:
            log = Path(self.data) / "faults-drill.log"
            subprocess.run(self._pg_ctl("start", "-l", str(log), "-o", self.options), check=True)
        deadline = time.monotonic() + 60
        while not self.answers():
            if time.monotonic() > deadline:
                raise SystemExit("faults: PostgreSQL did not come back within a minute")
            time.sleep(0.2)

    def answers(self) -> bool:
        try:
            with psycopg.connect(self.url, connect_timeout=2) as connection:
                connection.execute("SELECT 1")
            return True
        except psycopg.OperationalError:
            return False


# The processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(url: str, media: str) -> dict:
    """The production settings (federation/settings.py) on the drill's database, over plain
    HTTP on 127.0.0.1, with the throttle out of the clients' reach."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "federation.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_DEBUG": "",
        "DJANGO_MEDIA_ROOT": media,
        "API_THROTTLE_RATE": "1000000/min",
        "API_THROTTLE_RATE_ANONYMOUS": "1000000/min",
    }


class Worker:
    """One procrastinate worker, started again when it ends, as systemd would
    (docs/deploy.md); each end is counted, the drill's kill apart."""

    def __init__(self, env: dict, log):
        self.env, self.log = env, log
        self.process = None
        self.killed = 0
        self.ended_by_itself = 0
        self.start()

    def start(self) -> None:
        command = [sys.executable, "manage.py", "procrastinate", "worker"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def keep_alive(self) -> None:
        if self.process.poll() is not None:
            self.ended_by_itself += 1
            time.sleep(1)
            self.start()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.killed += 1
        self.start()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def serve(env: dict, port: int, workers: int, log) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "-c", "python:federation.gunicorn"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "federation.wsgi"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_for(url: str, seconds: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"faults: {url} did not answer 200 within {seconds:.0f} s")
        time.sleep(0.3)


def main(argv: list[str]) -> int:
    options = arguments(argv)
    if not os.environ.get("DATABASE_URL"):
        print("python -m faults: set DATABASE_URL (or run `make faults`)", file=sys.stderr)
        return 2
    server = Server(os.environ["DATABASE_URL"])
    url = fresh_database(os.environ["DATABASE_URL"])
    media = tempfile.mkdtemp(prefix="faults-media-")
    env = environment(url, media)
    os.environ.update(env)
    import django

    django.setup()
    from faults.drill import run

    logs = ROOT / "var" / "faults"
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / "server.log", "w") as server_log, open(logs / "worker.log", "w") as worker_log:
        port = free_port()
        figures = run(
            options,
            server=server,
            start_web=lambda: serve(env, port, options.workers, server_log),
            start_worker=lambda: Worker(env, worker_log),
            base=f"http://127.0.0.1:{port}",
            wait_for=wait_for,
        )
    shutil.rmtree(media, ignore_errors=True)
    print(figures.table())
    figures.write(options.output, command=" ".join(["python -m faults", *argv]))
    print(f"faults: written to {options.output}; logs in {logs}")
    return 0 if figures.met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

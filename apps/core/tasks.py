"""The core's periodic tasks (procrastinate finds this module, docs/jobs.md)."""

from django.db import close_old_connections
from procrastinate.contrib.django import app

from apps.core.throttling import throttle_counts_prune


@app.periodic(cron="41 3 * * *", periodic_id="throttle_counts")
@app.task(name="core.prune_throttle_counts", queue="jobs", queueing_lock="core.throttle_counts")
def prune_throttle_counts(timestamp: int) -> None:
    """Every night: the throttle counts of keys not seen for a day go (apps/core/throttling.py)."""
    close_old_connections()
    try:
        throttle_counts_prune()
    finally:
        close_old_connections()

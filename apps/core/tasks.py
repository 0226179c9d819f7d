"""The core's periodic tasks (procrastinate finds this module, docs/jobs.md)."""

from procrastinate.contrib.django import app

from apps.core.queue import fresh_connections
from apps.core.throttling import throttle_counts_prune


@app.periodic(cron="41 3 * * *", periodic_id="throttle_counts")
@app.task(name="core.prune_throttle_counts", queue="jobs", queueing_lock="core.throttle_counts")
@fresh_connections
def prune_throttle_counts(timestamp: int) -> None:
    """Every night: the throttle counts of keys not seen for a day go (apps/core/throttling.py)."""
    throttle_counts_prune()

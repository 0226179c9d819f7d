"""The queue's tasks (procrastinate finds this module in every app): thin doors to services."""

from procrastinate.contrib.django import app

from apps.core.logs import log_context
from apps.core.queue import fresh_connections
from apps.jobs import services


@app.task(name=services.RUN_TASK, queue="jobs")
@fresh_connections
def run_job(job_id: int, request_id: str = "", account_id: int | None = None) -> None:
    """Run one job of ours (apps.jobs.models.Job); its log lines name the request that started
    it and its account (docs/operations.md, Logs)."""
    with log_context(request_id=request_id or None, account_id=account_id):
        services.job_run(job_id)


@app.periodic(cron="* * * * *", periodic_id="stalled")
@app.task(name="jobs.end_stalled", queue="jobs", queueing_lock="jobs.end_stalled")
@fresh_connections
def end_stalled_jobs(timestamp: int) -> None:
    """Every minute: end the jobs of workers that stopped (docs/jobs.md)."""
    services.stalled_jobs_end()


@app.periodic(cron="17 * * * *", periodic_id="expired_exports")
@app.task(name="jobs.delete_expired_exports", queue="jobs", queueing_lock="jobs.expired_exports")
@fresh_connections
def delete_expired_exports(timestamp: int) -> None:
    """Every hour: the files of exports older than 24 hours are deleted (docs/jobs.md)."""
    services.expired_exports_delete()


@app.periodic(cron="43 3 * * *", periodic_id="queue_rows")
@app.task(name="jobs.prune_queue_rows", queue="jobs", queueing_lock="jobs.queue_rows")
@fresh_connections
def prune_queue_rows(timestamp: int) -> None:
    """Every night: the queue's rows of jobs that ended over a week ago go (docs/jobs.md)."""
    services.queue_rows_prune()

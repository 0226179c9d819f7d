"""The queue's tasks (procrastinate finds this module in every app): thin doors to services."""

from django.db import close_old_connections
from procrastinate.contrib.django import app

from apps.jobs import services


@app.task(name=services.RUN_TASK, queue="jobs")
def run_job(job_id: int) -> None:
    """Run one job of ours (apps.jobs.models.Job)."""
    close_old_connections()  # the worker's thread keeps its connection between jobs
    try:
        services.job_run(job_id)
    finally:
        close_old_connections()


@app.periodic(cron="* * * * *", periodic_id="stalled")
@app.task(name="jobs.end_stalled", queue="jobs", queueing_lock="jobs.end_stalled")
def end_stalled_jobs(timestamp: int) -> None:
    """Every minute: end the jobs of workers that stopped (docs/jobs.md)."""
    close_old_connections()
    try:
        services.stalled_jobs_end()
    finally:
        close_old_connections()


@app.periodic(cron="17 * * * *", periodic_id="expired_exports")
@app.task(name="jobs.delete_expired_exports", queue="jobs", queueing_lock="jobs.expired_exports")
def delete_expired_exports(timestamp: int) -> None:
    """Every hour: the files of exports older than 24 hours are deleted (docs/jobs.md)."""
    close_old_connections()
    try:
        services.expired_exports_delete()
    finally:
        close_old_connections()


@app.periodic(cron="43 3 * * *", periodic_id="queue_rows")
@app.task(name="jobs.prune_queue_rows", queue="jobs", queueing_lock="jobs.queue_rows")
def prune_queue_rows(timestamp: int) -> None:
    """Every night: the queue's rows of jobs that ended over a week ago go (docs/jobs.md)."""
    close_old_connections()
    try:
        services.queue_rows_prune()
    finally:
        close_old_connections()

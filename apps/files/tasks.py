"""The files app's periodic task (procrastinate finds this module, docs/jobs.md)."""

from procrastinate.contrib.django import app

from apps.core.queue import fresh_connections
from apps.files.services import orphan_files_delete


@app.periodic(cron="47 3 * * *", periodic_id="orphan_files")
@app.task(name="files.delete_orphans", queue="jobs", queueing_lock="files.orphans")
@fresh_connections
def delete_orphan_files(timestamp: int) -> None:
    """Every night: files a rolled-back write left without their row go (apps/files)."""
    orphan_files_delete()

"""The bookkeeping that would otherwise pile up is pruned by nightly jobs: procrastinate's rows
of jobs that ended over a week ago (our Job rows stay), and throttle counts of keys not seen for
a day (docs/jobs.md, "Never piling up")."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from procrastinate.contrib.django import app

from apps.core.models import ThrottleCount
from apps.core.throttling import throttle_counts_prune
from apps.jobs import services
from apps.jobs.models import Job
from tests.registry import make_job

pytestmark = pytest.mark.django_db


def queued(status: str, ended_days_ago: float) -> int:
    """A row of procrastinate's queue that reached ``status`` that many days ago."""
    queue_id = app.configure_task(services.RUN_TASK).defer(job_id=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = %s WHERE id = %s", [status, queue_id]
        )
        cursor.execute(
            "UPDATE procrastinate_events SET at = now() - make_interval(secs => %s)"
            " WHERE job_id = %s",
            [ended_days_ago * 86400, queue_id],
        )
    return queue_id


def queue_ids() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM procrastinate_jobs")
        return {row[0] for row in cursor.fetchall()}


def test_the_queue_forgets_jobs_that_ended_over_a_week_ago(tree):
    old_done, old_failed = queued("succeeded", 8), queued("failed", 30)
    recent, waiting = queued("succeeded", 2), queued("todo", 20)
    ours = make_job(tree.village_a1, queue_id=old_done)
    assert queue_ids() == {old_done, old_failed, recent, waiting}

    services.queue_rows_prune()

    assert queue_ids() == {recent, waiting}
    assert Job.objects.filter(pk=ours.pk).exists()  # what a person reads of it stays


def test_throttle_counts_of_keys_not_seen_for_a_day_go():
    now = timezone.now()
    ThrottleCount.objects.create(
        key="throttle_anon_1.2.3.4", window_start=now - timedelta(days=2), count=3
    )
    ThrottleCount.objects.create(
        key="throttle_user_7", window_start=now - timedelta(minutes=1), count=9
    )

    assert throttle_counts_prune() == 1
    assert list(ThrottleCount.objects.values_list("key", flat=True)) == ["throttle_user_7"]


def test_the_prunings_are_scheduled_every_night():
    scheduled = {
        task.task.name: task.cron for task in app.periodic_registry.periodic_tasks.values()
    }
    assert scheduled["jobs.prune_queue_rows"].endswith("* * *")
    assert scheduled["core.prune_throttle_counts"].endswith("* * *")
    assert scheduled["files.delete_orphans"].endswith("* * *")

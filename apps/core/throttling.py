"""Throttles counted in the database, one statement per request (docs/quality.md, 8).

Every server process counts into the same row (``ThrottleCount``), so two gunicorn workers or two
machines cannot each allow the whole rate. DRF's own throttles keep a list of request times in
Django's cache; with the database cache that is six statements a request, with a COUNT of the
whole cache table among them. Here one upsert adds the request to its key's fixed window and
returns the count so far: a window of the rate's length (a minute for "300/min") starting at a
multiple of it. A burst across a window's edge may reach twice the rate for a moment; the
sliding list of DRF's throttles would not, at six times the cost.

The rates are read from the settings at request time (DRF's classes copy them once at import),
so the tests and an operator (``API_THROTTLE_RATE``) can change them.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from apps.core.models import ThrottleCount

UPSERT = f"""
    INSERT INTO {ThrottleCount._meta.db_table} (key, window_start, count)
    VALUES (%(key)s, to_timestamp(%(window)s), 1)
    ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN {ThrottleCount._meta.db_table}.window_start = EXCLUDED.window_start
                     THEN {ThrottleCount._meta.db_table}.count + 1 ELSE 1 END,
        window_start = EXCLUDED.window_start
    RETURNING count
"""  # noqa: S608 - the model's own table name


class CountedInDatabase:
    """``allow_request`` of DRF's SimpleRateThrottle, counted by one upsert."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = time.time()
        window = now - now % self.duration
        with connection.cursor() as cursor:
            cursor.execute(UPSERT, {"key": key, "window": window})
            count = cursor.fetchone()[0]
        self.waiting = window + self.duration - now
        return count <= self.num_requests

    def wait(self):
        return self.waiting


class AccountRateThrottle(CountedInDatabase, UserRateThrottle):
    """Requests per account (a station's token or a staff session)."""

    def get_rate(self):
        return settings.API_THROTTLE_RATES["account"]


class AnonymousRateThrottle(CountedInDatabase, AnonRateThrottle):
    """Requests without credentials, per address: enough for a login screen, not for guessing."""

    def get_rate(self):
        return settings.API_THROTTLE_RATES["anonymous"]


def throttle_counts_prune(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete the counts of keys not seen for a day (a nightly job, apps/core/tasks.py): a
    count only matters in its own window, and the addresses that asked once would otherwise
    stay for good. Returns how many went."""
    deleted, _ = ThrottleCount.objects.filter(window_start__lt=timezone.now() - older_than).delete()
    return deleted

"""Login lockout in two steps (docs/quality.md, 8): the pair (username, address) soon, the
username alone only after many more failures.

django-axes counts failures per group of ``AXES_LOCKOUT_PARAMETERS`` and locks when the largest
count reaches its one ``AXES_FAILURE_LIMIT``. With one limit, locking by username alone lets
anyone lock anyone out in five tries, and locking by the pair alone lets a guesser with many
addresses try for ever. So the settings name both groups, the pair first, and this handler lets
the username's count lock only from ``LOGIN_USERNAME_FAILURE_LIMIT`` on.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class PairThenUsernameHandler(AxesDatabaseHandler):
    """axes' database handler (counts in the database, shared by every server process), with
    a second, higher limit for the username alone."""

    def get_failures(self, request, credentials=None) -> int:
        """The failures compared with ``AXES_FAILURE_LIMIT``: the pair's, or that limit itself
        once the username alone has failed ``LOGIN_USERNAME_FAILURE_LIMIT`` times."""
        pair, username = (
            attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if username >= settings.LOGIN_USERNAME_FAILURE_LIMIT:
            return max(pair, settings.AXES_FAILURE_LIMIT)
        return pair

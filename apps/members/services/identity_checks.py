"""One limit per account on the ID numbers it may check against the people on file, for the
roles that read numbers masked (docs/identity.md).

A look-up by ID number, and a create or change refused because the number is already on file,
each tell the caller whether a number it made up belongs to a person it can see: a guess at a
masked number, confirmed or ruled out. So every such check by an account without
``members.view_identity`` goes through ``identity_check_charge`` first: it is logged
(``IdentityCheck``) and counted, and past ``CHECKS_PER_HOUR`` distinct numbers in the last
hour it is refused. The count is rows of the log table, so every server process shares it.
"""

import datetime
import math

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from apps.core.identity import mask_id_number, normalize_id_number
from apps.members.models import IdentityCheck

# Distinct numbers an account may check in any hour: a station that types in a new person a
# minute or two, for an hour without a pause. Docs/identity.md counts what it leaves a guesser.
CHECKS_PER_HOUR = 30
WINDOW = datetime.timedelta(hours=1)
IDENTITY_READ_PERM = "members.view_identity"


class TooManyIdentityChecks(Exception):
    """Past the limit: ``wait`` seconds until one of the hour's checks no longer counts."""

    def __init__(self, wait: int):
        super().__init__(wait)
        self.wait = wait


def reads_numbers_masked(user) -> bool:
    return not user.has_perm(IDENTITY_READ_PERM)


def number_key(id_number: str) -> str:
    """The same number gives the same key; the key gives no number back without the server's
    secret (a plain hash of the few million numbers of one region and tail would)."""
    return salted_hmac("members.identity_checks", id_number, algorithm="sha256").hexdigest()


def identity_check_charge(*, by, id_number, through: str) -> None:
    """Log and count ``by``'s check of ``id_number`` (as sent: one that is not a valid number
    is checked against nothing, so it costs nothing); raise ``TooManyIdentityChecks`` over
    the limit. Nothing for a role that reads numbers in full.

    Called outside the transaction of the write that checks the number, so that the row stays
    when that write is refused. The same number again within the hour is logged, not counted.
    """
    if not isinstance(id_number, str) or not id_number or not reads_numbers_masked(by):
        return
    try:
        id_number = normalize_id_number(id_number)
    except ValidationError:
        return
    key = number_key(id_number)
    now = timezone.now()
    counted = IdentityCheck.objects.filter(user=by, at__gt=now - WINDOW, refused=False)
    with transaction.atomic():
        with connection.cursor() as cursor:  # two requests of one account take turns
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"members:identity_checks:{by.pk}"]
            )
        seen = counted.aggregate(
            numbers=Count("number_key", distinct=True), again=Count("pk", filter=Q(number_key=key))
        )
        refused = not seen["again"] and seen["numbers"] >= CHECKS_PER_HOUR
        IdentityCheck.objects.create(
            user=by,
            at=now,
            through=through,
            masked_number=mask_id_number(id_number),
            number_key=key,
            refused=refused,
        )
    if refused:
        raise TooManyIdentityChecks(_wait(counted, now))


def _wait(counted, now) -> int:
    """Seconds until the number checked longest ago leaves the hour."""
    oldest = (
        counted.values("number_key")
        .annotate(last=Max("at"))
        .order_by("last")
        .values_list("last", flat=True)
        .first()
    )
    if oldest is None:
        return 1
    return max(1, math.ceil((oldest + WINDOW - now).total_seconds()))

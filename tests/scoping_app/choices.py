from django.db import models

from apps.core.transitions import Move


class Status(models.TextChoices):
    OPEN = "open", "open"
    ACCEPTED = "accepted", "accepted"
    CLOSED = "closed", "closed"


class Outcome(models.TextChoices):
    MEDIATED = "mediated", "mediated"
    WITHDRAWN = "withdrawn", "withdrawn"


TICKET_MOVES = {
    Status.ACCEPTED: Move(sources=frozenset({Status.OPEN})),
    Status.CLOSED: Move(sources=frozenset({Status.ACCEPTED}), needs=("outcome",)),
    Status.OPEN: Move(sources=frozenset({Status.CLOSED})),  # reopen
}

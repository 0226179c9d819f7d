"""Who made a change and why, on the history row django-simple-history writes for it."""

from django.db.models import Model

from apps.core.actors import history_user

# simple-history's history_change_reason column.
REASON_MAX_LENGTH = 100


def history_note(instance: Model, *, by, reason: str) -> Model:
    """Name ``by`` and ``reason`` on the history row of ``instance``'s next save or delete.

    In a request the middleware names the account; a change made on behalf of
    someone elsewhere (a merge's signal receivers, a command) says it here.
    """
    instance._history_user = history_user(by)  # the system is nobody's account
    if reason:
        instance._change_reason = reason[:REASON_MAX_LENGTH]
    return instance

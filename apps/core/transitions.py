"""Status changes in one place: the admin, the API and imports all call ``transition()``.

A model with statuses declares its table of allowed moves (``transitions``,
written in its app's ``choices.py``) and the name of its status field. One
move says from which statuses it may be made and which fields it needs (an
outcome to close a case, an assignee and a due date to assign a topic).
See docs/api-machinery.md, "Statuses".
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.history import history_note


@dataclass(frozen=True)
class Move:
    """A status a record may move to: from which statuses, the fields the move needs, and
    the fields it may also set without needing them (a topic's evidence when resolved)."""

    sources: frozenset[str]
    needs: tuple[str, ...] = ()
    may: tuple[str, ...] = ()

    @property
    def takes(self) -> tuple[str, ...]:
        """Every field the move sets from the caller: what it needs, then what it may."""
        return (*self.needs, *self.may)


class IllegalMove(Exception):
    """The record's status does not allow this move (the API answers 409)."""

    message = _("This record can't move to that status from where it is now.")


class StaleVersion(Exception):
    """The record changed since the caller read it; ``current`` is the stored record."""

    def __init__(self, current):
        super().__init__("stale version")
        self.current = current


def moves_of(model) -> dict[str, Move]:
    return getattr(model, "transitions", {})


def transition(obj, *, to: str, by, note: str = "", version: int | None = None, now=None, **needs):
    """Move ``obj`` to status ``to`` as ``by``, with ``note`` as the history row's reason.

    Under a row lock: checks the right to change the record, that ``version``
    (when given) is still the stored one, that the table allows the move from
    the stored status and that every field the move needs has a value; then
    sets them, lets the model note what the move means (``moved(to=, now=)`` when it has
    one: the day a topic was assigned), runs ``full_clean`` and saves. ``now`` is the time of
    the move (the current time when not given), so tests and the demo can place it anywhere.
    Returns the saved record.
    """
    model = type(obj)
    move = moves_of(model).get(to)
    if move is None:
        raise ValidationError({"to": [_("Unknown status.")]}, code="unknown_status")
    unexpected = set(needs) - set(move.takes)
    if unexpected:
        raise TypeError(f"this move takes no {sorted(unexpected)}")
    opts = model._meta
    if not by.has_perm(f"{opts.app_label}.change_{opts.model_name}"):
        raise PermissionDenied
    with transaction.atomic():
        current = model._base_manager.select_for_update().get(pk=obj.pk)
        if version is not None and current.version != version:
            raise StaleVersion(current)
        field = model.status_field
        if getattr(current, field) not in move.sources:
            raise IllegalMove
        missing = {
            name: [_("Required for this status.")]
            for name in move.needs
            if needs.get(name) in (None, "")
        }
        if missing:
            raise ValidationError(missing)
        setattr(current, field, to)
        for name, value in needs.items():
            setattr(current, name, value)
        moved = getattr(current, "moved", None)
        if moved is not None:
            moved(to=to, now=now or timezone.now())
        current.full_clean()
        history_note(current, by=by, reason=note or to)
        current.save()
    return current

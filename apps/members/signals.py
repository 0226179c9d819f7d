"""Signals the people app sends, inside its transaction, to the apps whose rows name a person.

The people app announces; each app moves its own rows, in its own services
(docs/merging.md).
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

from apps.organizations.scoping import scope_field

# Sent while two records of one person are merged, before the duplicate is marked deleted.
# Arguments: survivor, duplicate (both locked), by (the acting account). Each receiver points
# its app's rows that name the duplicate at the survivor, with a history row naming ``by``,
# and returns how many rows it moved. Raising ValidationError refuses the whole merge: it is
# sent inside the merge's transaction, so nothing any receiver moved is kept.
person_merged = Signal()

ROWS_OUTSIDE = _(
    "Records of an organization outside %(name)s's point at the other person: "
    "keep the record of the organization above both."
)

_moved: set[tuple[type[Model], str]] = set()


def on_person_merged(mover: Callable[..., int], *, moves: Iterable[tuple[type[Model], str]]):
    """Connect ``mover(*, survivor, duplicate, by) -> int`` to ``person_merged``.

    ``moves`` names the references to a person it moves, as (model, field) pairs;
    tests/members/test_merging.py fails while a foreign key to a person is named by no mover.
    Call it from an ``AppConfig.ready()``; calling it again connects nothing twice.
    """

    def receiver(sender, *, survivor, duplicate, by, **kwargs) -> int:
        return mover(survivor=survivor, duplicate=duplicate, by=by)

    uid = f"{mover.__module__}.{mover.__qualname__}"
    person_merged.connect(receiver, weak=False, dispatch_uid=uid)
    _moved.update(moves)


def moved_references() -> frozenset[tuple[type[Model], str]]:
    """Every (model, field) naming a person that a receiver of ``person_merged`` moves."""
    return frozenset(_moved)


_kept: dict[tuple[type[Model], str], str] = {}


def kept_on_merge(model: type[Model], field: str, *, why: str) -> None:
    """Say that a merge leaves ``model.field`` naming the duplicate, and why: an audit row
    records what happened to the record it names and is never rewritten."""
    _kept[(model, field)] = why


def kept_references() -> frozenset[tuple[type[Model], str]]:
    return frozenset(_kept)


def refuse_rows_outside(rows: QuerySet, survivor) -> None:
    """Refuse the merge if one of ``rows`` (naming the duplicate) lies outside the survivor's
    subtree: naming the survivor, a row of another village would show that village a person
    of a village beside it. Rows of organizations below the survivor's may name her, for a
    record higher in the tree is one they read (``with_ancestors``, docs/merging.md)."""
    where = scope_field(rows.model)
    lookup = f"{where}__path__startswith" if where else "path__startswith"
    if rows.exclude(**{lookup: survivor.organization.path}).exists():
        raise ValidationError(ROWS_OUTSIDE % {"name": survivor.organization.name})

"""Rules that change over time: each change is a new row from the day it takes effect.

A row of an ``EffectiveDatedModel`` is one version of a rule: the rule named
by the model's ``effective_key`` fields (a kind of meeting, a kind of case …)
as it holds from ``effective_from`` until the next row of the same key. What
happened in a period is judged by the rule in force at the period's start, so
changing a rule from a date leaves the periods before it as they were.

A row that has judged a period which has ended is settled: it is never
changed again (``clean`` refuses it), only followed by a new row. Each model
says from which day a change may take effect (``first_open_day``): today for
rules judged day by day, the first of this month for rules judged by month.
"""

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SETTLED = _(
    "This rule has been in force since %(date)s and has judged periods that have ended, so it "
    "stays as it is. To change it, add a rule from a later date."
)
TOO_EARLY = _(
    "A rule can take effect from %(date)s at the earliest: the periods before keep the rules "
    "they were judged by."
)


class Timeline:
    """The rows of a set of keys in date order: ``at(key, day)`` is the one in force that day
    (None before the first), without a query."""

    def __init__(self, rows: Iterable, key_fields: tuple[str, ...]):
        self._key_fields = key_fields
        self._rows: dict[Hashable, list] = defaultdict(list)
        for row in sorted(rows, key=lambda row: row.effective_from):
            self._rows[self.key_of(row)].append(row)
        self._starts = {
            key: [row.effective_from for row in rows] for key, rows in self._rows.items()
        }

    def key_of(self, row) -> Hashable:
        """A row's key: the field's value for a one-field key, else the tuple of values."""
        values = tuple(getattr(row, name) for name in self._key_fields)
        return values[0] if len(values) == 1 else values

    def at(self, key: Hashable, on: date):
        found = bisect_right(self._starts.get(key, []), on)
        return self._rows[key][found - 1] if found else None

    def __iter__(self) -> Iterator:
        """Every row loaded, by key (in the order first seen) and date."""
        for rows in self._rows.values():
            yield from rows


class EffectiveDatedQuerySet(models.QuerySet):
    def in_force(self, on: date | None = None) -> "EffectiveDatedQuerySet":
        """For each key, the row in force on ``on`` (today by default): the latest
        ``effective_from`` on or before it. One query (PostgreSQL's DISTINCT ON)."""
        on = on or timezone.localdate()
        keys = self.model.effective_key
        return (
            self.filter(effective_from__lte=on).order_by(*keys, "-effective_from").distinct(*keys)
        )

    def timeline(self, *, since: date, until: date) -> Timeline:
        """What a report of the periods starting from ``since`` to ``until`` needs, in one query:
        the rows in force on ``since`` and those taking effect after it up to ``until``."""
        rows = self.filter(
            Q(pk__in=self.in_force(since).values("pk"))
            | Q(effective_from__gt=since, effective_from__lte=until)
        )
        return Timeline(rows, self.model.effective_key)


class EffectiveDatedModel(models.Model):
    """One version of a rule, in force from ``effective_from`` until the key's next row.

    Subclasses set ``effective_key`` (the fields naming the rule) and a unique
    constraint on those fields and ``effective_from``.
    """

    effective_from = models.DateField(
        _("in force from"),
        help_text=_("The periods before this day keep the rule they were judged by."),
    )

    effective_key: tuple[str, ...] = ()

    objects = EffectiveDatedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def first_open_day(cls, today: date) -> date:
        """The earliest day a new or changed rule may take effect: rows before it are settled."""
        return today

    def clean(self):
        super().clean()
        opens = self.first_open_day(timezone.localdate())
        if not self._state.adding:
            stored = (
                type(self)
                ._default_manager.filter(pk=self.pk)
                .values_list("effective_from", flat=True)
                .first()
            )
            if stored is not None and stored < opens:
                raise ValidationError(SETTLED, params={"date": stored.isoformat()})
        if self.effective_from is not None and self.effective_from < opens:
            raise ValidationError(
                {"effective_from": ValidationError(TOO_EARLY, params={"date": opens.isoformat()})}
            )

    def is_settled(self, today: date | None = None) -> bool:
        """Whether the row has judged a period that has ended (and so is kept as it is)."""
        return self.effective_from < self.first_open_day(today or timezone.localdate())

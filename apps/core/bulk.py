"""Many new rows at the database's speed: COPY, and their history rows copied by the database.

simple-history's ``bulk_create_with_history`` builds every history row in Python and inserts
both kinds with ``bulk_create``, which prepares every value of every row through its field:
for 100,000 people that was most of an import's time. Here the ids come from the table's
sequence in one query, the rows go in with one COPY, and one INSERT … SELECT copies them into
the history table naming who and when: three statements for any number of rows.
"""

import datetime
import functools
import uuid
from collections.abc import Iterable
from operator import attrgetter

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.utils import timezone

from apps.core.actors import history_user

# Django's own fields that hand these Python values to the database as they are (PostgreSQL
# takes them natively), so a row of such values needs no preparing, field by field.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.DateField,  # and DateTimeField: an aware datetime goes as it is
    models.UUIDField,
)
_PLAIN_VALUES = {str, int, bool, type(None), datetime.date, datetime.datetime, uuid.UUID}
_HISTORY_OWN = {"history_id", "history_date", "history_change_reason", "history_type"}


def insert_with_history(
    model: type[models.Model], records: Iterable, *, by, count: int | None = None
) -> list:
    """Insert ``records`` (new, unsaved instances of ``model``) with one "+" history row each
    by ``by`` (``SYSTEM``: nobody), and give each its id, as ``save()`` would; the list of them.

    ``records`` may be an iterator that makes each record as the one before goes in, ``count``
    of them at most: the database takes each row while the next is made (an import reads and
    checks its rows meanwhile). It may stop short, or raise to roll the rows back.

    Like ``bulk_create``, it calls no ``save()`` and sends no signals; the automatic
    timestamps are set, to one moment for all.
    """
    if count is None:
        records = list(records)
        count = len(records)
        if any(record.pk is not None for record in records):
            raise _has_an_id()
    if not count:
        return []
    now = timezone.now()
    rows = _Rows(model, now)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
        columns = ", ".join(quote(column) for column in rows.columns)
        copying = cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN")
        written = []
        try:
            # wrap_database_errors: a unique value taken is an IntegrityError, as from save().
            with connection.wrap_database_errors, copying as copy:
                for record, pk in zip(records, ids):  # noqa: B905 - records may stop short
                    if record.pk is not None:
                        raise _has_an_id()
                    record.pk = pk
                    written.append(record)
                    copy.write_row(rows.values(record))
        except BaseException:
            for record in written:
                record.pk = None  # not saved after all
            raise
        ids = ids[: len(written)]
        history, tracked = _history_columns(model)
        pk = quote(model._meta.pk.column)
        cursor.execute(
            f"INSERT INTO {quote(history)} ({tracked}, history_date, history_type, "  # noqa: S608 - names from _meta
            f"history_change_reason, history_user_id) "
            f"SELECT {tracked}, %s, '+', NULL, %s FROM {table} "
            f"WHERE {pk} = ANY(%s) ORDER BY {pk}",
            [now, getattr(history_user(by), "pk", None), ids],
        )
    for record in written:
        record._state.adding, record._state.db = False, connection.alias
    return written


def _has_an_id() -> ValueError:
    return ValueError("insert_with_history makes new rows: a record already has an id")


class _Rows:
    """A record's values in its table's column order, as COPY takes them."""

    def __init__(self, model, now):
        fields = model._meta.concrete_fields
        self.columns = [field.column for field in fields]
        self.get = attrgetter(*(field.attname for field in fields))
        self.now = now
        self.stamps = [
            field.attname
            for field in fields
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        ]
        # Other datetimes go as they are only when aware (Django makes a naive one aware).
        self.datetimes = [
            index
            for index, field in enumerate(fields)
            if isinstance(field, models.DateTimeField) and field.attname not in self.stamps
        ]
        self.relations = [field for field in fields if field.is_relation]
        self.plain = [_plain(field) for field in fields]
        self.prepare = [
            functools.partial(field.get_db_prep_save, connection=connection) for field in fields
        ]
        # The plain columns' values, and each other column with how it is prepared (a
        # DecimalField's): a row whose plain values are all of plain types is prepared in
        # those columns only.
        plain_names = [f.attname for f, plain in zip(fields, self.plain, strict=True) if plain]
        # (A name twice at the end: attrgetter of two names or more gives a tuple.)
        self.get_plain = (
            attrgetter(*plain_names, *plain_names[:1]) if plain_names else (lambda record: ())
        )
        self.others = [
            (index, prepare)
            for index, (plain, prepare) in enumerate(zip(self.plain, self.prepare, strict=True))
            if not plain
        ]

    def values(self, record) -> tuple:
        for attname in self.stamps:
            setattr(record, attname, self.now)
        for field in self.relations:  # a related object saved since it was set (bulk_create too)
            if getattr(record, field.attname) is None and field.is_cached(record):
                related = field.get_cached_value(record)
                if related is not None:
                    if related.pk is None:
                        raise ValueError(f"{field.name} of a new row is not saved")
                    setattr(record, field.attname, related.pk)
        values = self.get(record)
        if _plain_types(self.get_plain(record)) and all(
            values[index] is None or values[index].tzinfo for index in self.datetimes
        ):
            if not self.others:
                return values
            row = list(values)
            for index, prepare in self.others:
                row[index] = prepare(row[index])
            return tuple(row)
        return tuple(
            value if plain and _plain_types((value,)) and not _naive(value) else prepare(value)
            for value, plain, prepare in zip(values, self.plain, self.prepare, strict=True)
        )


def _plain_types(values) -> bool:
    """Whether psycopg takes every value as it is: a str subclass (a TextChoices member, as a
    field's default often is) is text. Learns such classes, so the common case is one C-speed
    set comparison."""
    types = set(map(type, values))
    if types <= _PLAIN_VALUES:
        return True
    if all(issubclass(kind, str) for kind in types - _PLAIN_VALUES):
        _PLAIN_VALUES.update(types)
        return True
    return False


def _naive(value) -> bool:
    return isinstance(value, datetime.datetime) and value.tzinfo is None


def _plain(field) -> bool:
    if field.is_relation:
        return field.many_to_one and _plain(field.target_field)
    return isinstance(field, _PLAIN_FIELDS) and type(field).__module__.startswith("django.")


@functools.cache
def _history_columns(model) -> tuple[str, str]:
    """The history table and the columns it copies from the model's (simple-history's own
    columns aside)."""
    historical = model.history.model
    tracked = {field.attname for field in historical.tracked_fields}
    own = {field.name for field in historical._meta.concrete_fields} - {
        field.name for field in historical.tracked_fields
    }
    if own - {"history_user"} != _HISTORY_OWN:
        raise ImproperlyConfigured(f"{historical.__name__} has history columns this cannot fill")
    quote = connection.ops.quote_name
    columns = [field.column for field in model._meta.concrete_fields if field.attname in tracked]
    return historical._meta.db_table, ", ".join(quote(column) for column in columns)

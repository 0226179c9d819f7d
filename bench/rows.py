"""Rows written and removed the fast way: ids from the table's sequence, COPY, and what a
measurement added taken back out so the next run starts from the same table."""

from contextlib import contextmanager

from django.db import connection

from apps.members.models import IdentityCheck, Member

HISTORY = Member.history.model
SKIPPED = {"id", "created_at", "updated_at", "history_id", "history_date"}  # made at write time


def reserve_ids(model, count: int) -> list[int]:
    """``count`` ids from the table's own sequence, so rows can name each other before COPY."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def row_of(model, **values) -> dict:
    """A row of ``model``'s table: ``values`` by column, every other column at its default."""
    row = {}
    for field in model._meta.concrete_fields:
        if field.attname in values:
            row[field.attname] = values[field.attname]
        elif not field.primary_key:  # a primary key not given comes from its sequence
            default = field.get_default()
            row[field.attname] = default() if callable(default) else default
    return row


def copy_rows(model, rows: list[dict]) -> None:
    """COPY ``rows`` (dicts of one shape, from ``row_of``) into ``model``'s table."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = list(rows[0])
    statement = (
        f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    )
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


def _last(column: str, table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max({column}), 0) FROM {table}")  # noqa: S608 - names
        return cursor.fetchone()[0]


def _rows_after(model, column: str, after: int) -> list[tuple]:
    """Every row added after ``after`` (ids and times left out), in one order."""
    names = [f.column for f in model._meta.concrete_fields if f.column not in SKIPPED]
    listed = ", ".join(connection.ops.quote_name(name) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {listed} FROM {model._meta.db_table} "  # noqa: S608 - names from _meta
            f"WHERE {column} > %s ORDER BY {listed}",
            [after],
        )
        return cursor.fetchall()


@contextmanager
def taken_back():
    """Whatever the block adds to the people's tables is removed when it ends, however it ends
    (``Added.rows()`` reads it before)."""
    added = Added()
    try:
        yield added
    finally:
        added.remove()


class Added:
    """What a run added to the people's tables: read, then removed."""

    def __init__(self):
        self.member = _last("id", Member._meta.db_table)
        self.history = _last("history_id", HISTORY._meta.db_table)
        self.checks = _last("id", IdentityCheck._meta.db_table)  # docs/identity.md's log

    def rows(self) -> tuple[list, list]:
        people = _rows_after(Member, "id", self.member)
        return people, _rows_after(HISTORY, "history_id", self.history)

    def remove(self) -> None:
        people, history = Member._meta.db_table, HISTORY._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {history} WHERE history_id > %s", [self.history])  # noqa: S608
            cursor.execute(f"DELETE FROM {people} WHERE id > %s", [self.member])  # noqa: S608
            checks = IdentityCheck._meta.db_table
            cursor.execute(f"DELETE FROM {checks} WHERE id > %s", [self.checks])  # noqa: S608
            if not connection.in_atomic_block:  # the next run finds the table as this one did
                cursor.execute(f"VACUUM {people}, {history}")

"""Rows from the .xlsx sheets staff keep: a dry run lists every bad row; then all rows or none.

An app describes one kind of import with an ``Importer``: its columns, how to read a row on its
own (no queries), how to check all the rows against each other and against what is on file (a
fixed number of queries whatever the number of rows), and the model the rows make.
``Importer.run`` does the rest, the same way for every app:

1. read the first sheet (``apps.core.xlsx``) and find each column by its header;
2. read each row alone, then check all the rows at once, collecting every bad row and why;
3. a dry run stops there with the report; a real run checks and writes in one transaction,
   every row or none, with one history row each by the importer (``bulk_create_with_history``).

A real run may first take an advisory lock (``Importer.lock_key``) that single writes take
shared, so nobody saves a clashing record between the check and the write.
"""

import contextlib
import datetime
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from apps.core.actors import history_user
from apps.core.xlsx import MAX_ROWS, Cell, read_sheet

BATCH_SIZE = 1000  # rows per INSERT (and per progress step while writing)
CHECKING, WRITING = "checking", "writing"
Progress = Callable[[str, int, int], None]  # (CHECKING or WRITING, rows done, rows in all)
DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


class Column(NamedTuple):
    key: str
    header: str  # what staff write, and what messages name
    aliases: set[str]  # other headers accepted


@dataclass
class ImportReport:
    """What an import found: every bad row with its reason, and what it made."""

    rows: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    created: list = field(default_factory=list)


@dataclass
class Row:
    """One row of the sheet: its cells, what is wrong with it, and the record it makes."""

    number: int
    cells: dict[str, Cell]
    headers: dict[str, str]  # each column's key and header, for messages
    problems: list[str] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)  # the columns the problems are about
    record: models.Model | None = None

    def refuse(self, column: str, problem: str) -> None:
        self.problems.append(problem)
        self.refused.add(column)

    def refuse_empty(self, column: str) -> None:
        self.refuse(column, _("%(column)s is empty") % {"column": self.headers[column]})

    def choice(self, column: str, choices, aliases: Mapping[str, str] | None = None) -> str:
        """The choice the cell names (see ``choice_value``); "" when empty or refused."""
        text = self.cells[column].text
        if not text:
            return ""
        value = choice_value(choices, text, aliases)
        if value is None:
            message = _("unknown %(column)s %(value)s")
            self.refuse(column, message % {"column": self.headers[column], "value": text[:50]})
            return ""
        return value

    def date(self, column: str) -> datetime.date | None:
        """A date cell, or a text cell such as 2024-03-31, 2024/3/1 or 2024年3月1日."""
        cell = self.cells[column]
        if isinstance(cell.value, datetime.datetime):
            return cell.value.date()
        if isinstance(cell.value, datetime.date):
            return cell.value
        if not cell.text:
            return None
        match = None if cell.is_number else DATE.fullmatch(cell.text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                pass
        message = _("%(column)s %(value)s is not a date (write it as 2024-03-31)")
        self.refuse(column, message % {"column": self.headers[column], "value": cell.text[:50]})
        return None

    def full_clean(self, record: models.Model, exclude: list[str]) -> None:
        """The model's own rules for the columns not refused yet.

        Foreign keys, unique fields and constraints would each cost a query per row: the
        importer's ``check_rows`` checks those against what is on file, set-wise.
        """
        try:
            record.full_clean(
                exclude=[*exclude, *self.refused], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                if name in self.refused:
                    continue  # clean() speaks of every field; the column's problem is said already
                for message in messages:
                    if name in self.headers:
                        message = _("%(column)s: %(problem)s") % {
                            "column": self.headers[name],
                            "problem": message,
                        }
                    self.refuse(name, message)


def choice_value(choices, text: str, aliases: Mapping[str, str] | None = None) -> str | None:
    """The value of the choice ``text`` names: one of ``aliases`` (lower-case keys), or the
    choice's code or its label in any of the site's languages, in any case. None if none."""
    text = text.strip().lower()
    value = (aliases or {}).get(text)
    return value if value is not None else _choice_names(choices).get(text)


@functools.cache
def _choice_names(choices) -> dict[str, str]:
    names = {}
    for value, label in choices.choices:
        names[value.lower()] = value
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                names[str(label).lower()] = value
    return names


def write_records(model, records: list, *, by, progress: Progress) -> list:
    """Insert ``records`` in batches, with one history row each by ``by``."""
    created = []
    for start in range(0, len(records), BATCH_SIZE):
        batch = records[start : start + BATCH_SIZE]
        created += bulk_create_with_history(
            batch, model, batch_size=BATCH_SIZE, default_user=history_user(by)
        )
        progress(WRITING, len(created), len(records))
    return created


@dataclass(frozen=True)
class Importer:
    """One kind of import: what an app supplies; ``run`` does the rest."""

    model: type[models.Model]
    columns: list[Column]
    # Each row alone, no queries: set row.record, refuse what is wrong.
    read_row: Callable[[Row], None]
    # All rows against each other and what is on file, in a fixed number of queries: add
    # row.problems, finish the records. (rows, by); ``by`` is the importer (``SYSTEM``: a command).
    check_rows: Callable[[list, Any], None]
    done: str  # "%(count)d … were imported."
    row_type: type[Row] = Row
    lock_key: str = ""  # taken before a real run checks: see the module's docstring
    # (records, *, by, progress) → what the report lists as made. None: write_records().
    create: Callable[..., list] | None = None
    conflict: str = ""  # said when a unique value was taken by another write meanwhile

    def run(
        self,
        *,
        data: bytes,
        by,
        dry_run: bool,
        max_rows: int | None = MAX_ROWS,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Check every row of the sheet ``data``; unless ``dry_run``, then add all or none.

        Raises ``SheetError`` if the file as a whole cannot be read.
        """
        progress = progress or _silent
        headers = {column.key: column.header for column in self.columns}
        wanted = {column.key: {column.header, *column.aliases} for column in self.columns}
        rows = [
            self.row_type(number, cells, headers)
            for number, cells in read_sheet(data, wanted, max_rows=max_rows)
        ]
        for index, row in enumerate(rows, start=1):
            self.read_row(row)
            progress(CHECKING, index, len(rows))
        # A dry run writes nothing, so it needs no transaction (nor its savepoint's queries).
        writing = contextlib.nullcontext() if dry_run else transaction.atomic()
        try:
            with writing:
                if self.lock_key and not dry_run:
                    _lock_out_single_writes(self.lock_key)
                self.check_rows(rows, by)
                report = ImportReport(rows=len(rows), errors=_errors(rows))
                if not report.errors and not dry_run:
                    records = [row.record for row in rows]
                    create = self.create or functools.partial(write_records, self.model)
                    report.created = create(records, by=by, progress=progress)
        except IntegrityError:
            if not self.conflict:
                raise
            return ImportReport(rows=len(rows), errors=[(0, str(self.conflict))])
        return report


def _errors(rows: list[Row]) -> list[tuple[int, str]]:
    return [(row.number, "；".join(str(p) for p in row.problems)) for row in rows if row.problems]


def _lock_out_single_writes(key: str) -> None:
    """Wait for single writes that hold ``key`` shared to commit; hold off new ones till we do."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def _silent(stage: str, done: int, total: int) -> None:
    pass

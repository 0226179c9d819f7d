"""Rows from the .xlsx sheets staff keep: a dry run lists every bad row; then all rows or none.

An app describes one kind of import with an ``Importer``: its columns, how to read a row on its
own (no queries), how to check all the rows against each other and against what is on file (a
fixed number of queries whatever the number of rows), and the model the rows make.
``Importer.run`` does the rest, the same way for every app:

1. read the first sheet (``apps.core.xlsx``) and find each column by its header;
2. read each row alone and check all the rows against each other and what is on file,
   collecting every bad row and why (``Importer``: after reading them all, or row by row);
3. a dry run stops there with the report; a real run checks and writes in one transaction,
   every row or none, with one history row each by the importer (``apps.core.bulk``). Checked
   row by row, each row goes into the COPY as soon as it is checked, while the database takes
   the rows before it (docs/quality.md, on imports).

Single writes and a real import must not both save a clashing record (the same person twice).
A single write holds an advisory lock (``Importer.lock_key``) shared until it commits. The
import takes it alone only once its rows are written: that waits for the single writes under
way and holds off new ones; it then checks again, set-wise, what they may have saved since its
first check (``Importer.recheck``), rolls everything back if anything clashes, and commits. So
a single write waits for at most one query and a commit, not for the whole import, and the
clashing records never both commit: a single write that committed before the lock is seen by
the recheck, one after it sees the import's rows.
"""

import collections
import contextlib
import datetime
import functools
import gc
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import signals
from django.db.models.base import ModelState
from django.utils import translation
from django.utils.translation import gettext as _

from apps.core.bulk import insert_with_history
from apps.core.xlsx import MAX_ROWS, Cell, read_sheet

BATCH_SIZE = 5000  # rows per COPY (and per progress step while writing)
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
    # (field, type, value) that passed the field's own checks, shared by the rows of a run
    passed: set = field(default_factory=set, repr=False)

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
        """The model's own rules for the columns not refused yet: each field's checks, then
        ``clean()``, as ``Model.full_clean`` runs them.

        Foreign keys, unique fields and constraints would each cost a query per row: the
        importer's ``check_rows`` (or ``look_up``) checks those against what is on file,
        set-wise. A value a
        field has passed before in this run is not checked by that field again (most columns
        repeat a few values); ``clean()`` always runs.
        """
        refused, passed = self.refused, self.passed
        errors: dict[str, list] = {}
        fields, values_of = _checked_fields(type(record), tuple(exclude))
        for (model_field, name, own), value in zip(fields, values_of(record), strict=True):
            if name in refused:
                continue
            key = (name, value.__class__, value) if own else None
            try:
                if key in passed:
                    continue
            except TypeError:  # not hashable: checked every time
                key = None
            if not (model_field.blank and value in model_field.empty_values):
                try:
                    cleaned = model_field.clean(value, record)
                except ValidationError as exc:
                    errors[name] = exc.error_list
                    continue
                setattr(record, model_field.attname, cleaned)
                if cleaned is not value:
                    continue  # taken otherwise than given: not remembered
            if key is not None:
                passed.add(key)
        try:
            record.clean()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for name, messages in ValidationError(errors).message_dict.items() if errors else ():
            if name in self.refused:
                continue  # clean() speaks of every field; the column's problem is said already
            for message in messages:
                if name in self.headers:
                    message = _("%(column)s: %(problem)s") % {
                        "column": self.headers[name],
                        "problem": message,
                    }
                self.refuse(name, message)


@functools.cache
def _checked_fields(model, exclude: tuple[str, ...]) -> tuple[tuple, Callable]:
    """The model's fields but ``exclude``, each with its name and whether its checks look at
    the value alone (a relation's look up its row, so are never remembered), and a getter of
    their values (always a tuple)."""
    fields = [field for field in model._meta.concrete_fields if field.name not in exclude]
    get = attrgetter(*(model_field.attname for model_field in fields))
    return (
        tuple(
            (model_field, model_field.name, not model_field.is_relation) for model_field in fields
        ),
        get if len(fields) > 1 else lambda record: (get(record),),
    )


def new_record(model: type[models.Model], **values) -> models.Model:
    """``model(**values)`` in a fraction of the time (an import makes one per row): the fields
    not given their defaults. Values by attname (``organization_id``); a related object is set
    afterwards.

    What ``Model.__init__`` does with a value for every field, without its per-field work: a
    fresh state and each value in the instance's ``__dict__`` (where its attribute keeps it).
    Only while no receiver listens to the model's ``pre_init``/``post_init``; else the model's
    own ``__init__``.
    """
    constants, made = _defaults(model)
    if unknown := values.keys() - constants.keys():
        raise TypeError(f"{model.__name__} has no field {sorted(unknown)}")
    fields = {
        **constants,
        **{attname: default() for attname, default in made if attname not in values},
        **values,
    }
    if _listened(signals.pre_init, model) or _listened(signals.post_init, model):
        return model(**fields)
    record = model.__new__(model)
    record.__dict__.update(fields, _state=ModelState())
    return record


def _listened(signal, model) -> bool:
    return bool(signal.receivers) and signal.has_listeners(model)


@functools.cache
def _defaults(model) -> tuple[dict[str, object], list[tuple[str, Callable[[], object]]]]:
    """Every field's default by attname (a callable's once, as a placeholder), and the fields
    whose default is a callable, called for each record."""
    constants, made = {}, []
    for model_field in model._meta.concrete_fields:
        if model_field.has_default() and callable(model_field.default):
            made.append((model_field.attname, model_field.default))
            constants[model_field.attname] = None
        else:
            constants[model_field.attname] = model_field.get_default()
    return constants, made


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


def write_records(
    model, records: Iterable, *, by, progress: Progress, count: int | None = None
) -> list:
    """Insert ``records`` with one history row each by ``by`` (``apps.core.bulk``), in one COPY,
    saying every ``BATCH_SIZE`` rows how many went in. ``records`` may be an iterator that
    makes ``count`` records as they go in (``insert_with_history``)."""
    if count is None:
        records = list(records)
        count = len(records)
    return insert_with_history(model, _counted(records, count, progress), by=by, count=count)


def _counted(records: Iterable, count: int, progress: Progress) -> Iterator:
    for done, record in enumerate(records, start=1):
        yield record
        if done % BATCH_SIZE == 0 or done == count:
            progress(WRITING, done, count)  # the record is in the COPY by now


@dataclass(frozen=True)
class Importer:
    """One kind of import: what an app supplies; ``run`` does the rest.

    The rows are checked against each other and what is on file in one of two ways:

    - ``check_rows``: every row read first, then all of them at once; or
    - ``look_up`` then ``check_row``: what the rows are checked against is looked up first,
      from their cells alone; then each row is read, checked against that and the rows before
      it, and written while the next ones are read (one COPY: the database inserts and indexes
      the rows as the import reads and checks the next, docs/quality.md on imports). A bad row
      ends the writing; every row is still read and checked, and the transaction rolled back.
    """

    model: type[models.Model]
    columns: list[Column]
    # Each row alone, no queries: set row.record, refuse what is wrong.
    read_row: Callable[[Row], None]
    done: str  # "%(count)d … were imported."
    # All rows against each other and what is on file, in a fixed number of queries: add
    # row.problems, finish the records. (rows, by); ``by`` is the importer (``SYSTEM``: a command).
    check_rows: Callable[[list, Any], None] | None = None
    # Or: (rows, by) → what each row is checked against, in a fixed number of queries that read
    # the rows' cells only (no row is read yet); then (row, that) for each row in turn, after
    # read_row, no queries: add row.problems, finish the record.
    look_up: Callable[[list, Any], Any] | None = None
    check_row: Callable[[Row, Any], None] | None = None
    row_type: type[Row] = Row
    # The lock single writes hold shared, and (rows, by) → row.problems for what they may have
    # saved since the rows were checked, set-wise: see the module's docstring.
    lock_key: str = ""
    recheck: Callable[[list, Any], None] | None = None
    # Run in the import's transaction just before its first write (no arguments): e.g. to tell
    # the table's triggers that the recheck will do their work once, for every row at once.
    before_write: Callable[[], None] | None = None
    # (records, *, by, progress) → what the report lists as made. None: write_records().
    # Only with check_rows (look_up's rows are written as they are read).
    create: Callable[..., list] | None = None
    conflict: str = ""  # said when a unique value was taken by another write meanwhile

    def __post_init__(self):
        if bool(self.lock_key) != (self.recheck is not None):
            raise ImproperlyConfigured("An importer with a lock_key rechecks under it.")
        streaming = self.look_up is not None and self.check_row is not None
        if streaming == (self.check_rows is not None) or (streaming and self.create):
            raise ImproperlyConfigured(
                "An importer checks its rows with check_rows, or with look_up and check_row "
                "(and then writes them itself)."
            )

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
        with _without_cycle_collection():
            passed: set = set()
            rows = [
                self.row_type(number, cells, headers, passed=passed)
                for number, cells in read_sheet(data, wanted, max_rows=max_rows)
            ]
            return self._check_and_write(rows, by=by, dry_run=dry_run, progress=progress)

    def _check_and_write(self, rows: list[Row], *, by, dry_run: bool, progress) -> ImportReport:
        # A dry run writes nothing, so it needs no transaction (nor its savepoint's queries).
        writing = contextlib.nullcontext() if dry_run else transaction.atomic()
        report = ImportReport(rows=len(rows))
        try:
            with writing:
                records = self._records(rows, by, progress)
                if dry_run:
                    collections.deque(records, maxlen=0)  # every row read and checked
                    return report
                create = self.create or functools.partial(
                    write_records, self.model, count=len(rows)
                )
                if self.before_write is not None:
                    self.before_write()
                with _constraints_checked_as_written():
                    report.created = create(records, by=by, progress=progress)
                    collections.deque(records, maxlen=0)  # the rows after a bad one
                if self.lock_key:
                    _lock_out_single_writes(self.lock_key)  # held until the commit
                    self.recheck(rows, by)
                    if clashes := _errors(rows):
                        raise _Clash(clashes)  # rolls the rows back
                return report
        except _Clash as clash:
            return ImportReport(rows=len(rows), errors=clash.errors)
        except IntegrityError:
            if not self.conflict:
                raise
            return ImportReport(rows=len(rows), errors=[(0, str(self.conflict))])

    def _records(self, rows: list[Row], by, progress) -> Iterable:
        """The rows' records, every row read and checked, raising ``_Clash`` if any is bad.
        With ``look_up``, an iterator that reads and checks each row as the one before it is
        written; it makes no records past a bad row, and raises once it has read them all."""
        if self.check_rows is not None:
            for index, row in enumerate(rows, start=1):
                self.read_row(row)
                progress(CHECKING, index, len(rows))
            self.check_rows(rows, by)
            if errors := _errors(rows):
                raise _Clash(errors)
            return [row.record for row in rows]
        return self._read_and_check(rows, self.look_up(rows, by), progress)

    def _read_and_check(self, rows: list[Row], found, progress) -> Iterator:
        good = True
        for index, row in enumerate(rows, start=1):
            self.read_row(row)
            self.check_row(row, found)
            progress(CHECKING, index, len(rows))
            good = good and not row.problems
            if good:
                yield row.record
        if errors := _errors(rows):
            raise _Clash(errors)


@contextlib.contextmanager
def _constraints_checked_as_written():
    """Django makes foreign keys deferred to the commit: the commit of 100,000 rows then spent
    half a second checking them, holding the lock single writes wait for. Checked as the rows
    go in, the commit is the commit alone."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class _Clash(Exception):
    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(errors)
        self.errors = errors


@contextlib.contextmanager
def _without_cycle_collection():
    """An import makes millions of objects that live until it ends, none of them garbage: the
    collector of reference cycles would walk them over and over while they are made (a third
    of the time of reading a large sheet). It runs again once the import is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _errors(rows: list[Row]) -> list[tuple[int, str]]:
    return [(row.number, "；".join(str(p) for p in row.problems)) for row in rows if row.problems]


def _lock_out_single_writes(key: str) -> None:
    """Wait for the single writes that hold ``key`` shared to commit; hold off new ones until
    this transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def _silent(stage: str, done: int, total: int) -> None:
    pass

"""Measure the people import against its floors, in one run (issue 9: imports at database speed).

    DJANGO_DEBUG=1 DATABASE_URL=postgres://… python scripts/measure_imports.py [ROWS ...]

Needs a migrated database with the demo tree (``manage.py load_demo``); it commits the rows it
imports and then removes them again, history and all. For each size (20,000 and 100,000 rows by
default) it makes an .xlsx with openpyxl's write-only mode and reports:

- reading: openpyxl alone (read-only, values only), then ``apps.core.xlsx.read_sheet``;
- the import from the file's bytes to committed rows (``people_import``), rows per second, and
  how long it held the lock single writes wait for;
- its writing part (``write_records``: every row with its history row) against the floor:
  COPY of the same rows, then COPY of their history rows, in one transaction.

Figures vary with the machine's load: run it on a quiet machine, more than once.
"""

import argparse
import datetime
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "federation.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402

from apps.core import imports as core_imports  # noqa: E402
from apps.core.actors import SYSTEM  # noqa: E402
from apps.core.identity import check_character  # noqa: E402
from apps.core.xlsx import read_sheet  # noqa: E402
from apps.demo.members import MOBILE_PREFIXES, OCCUPATIONS  # noqa: E402
from apps.demo.names import GIVEN, PLACE_STEMS, SURNAMES  # noqa: E402
from apps.members import imports as member_imports  # noqa: E402
from apps.members.models import Member  # noqa: E402
from apps.organizations.models import Organization  # noqa: E402

HEADER = [column.header for column in member_imports.PEOPLE_COLUMNS]
REGION = "650102"  # not the demo district's, so no number clashes with the people on file
POLITICAL = ["群众"] * 6 + ["中共党员"] * 3 + ["共青团员"]
EDUCATION = ["初中", "高中", "大专", "本科", "小学"]


def sheet(rows: int, codes: list[str], seed: int = 9) -> bytes:
    """An .xlsx of ``rows`` people as staff keep them: names repeat, numbers do not."""
    rng = random.Random(seed)  # noqa: S311 - made-up people, not secrets
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet()
    worksheet.append(HEADER)
    for n in range(rows):
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=n // 250)
        first17 = f"{REGION}{born:%Y%m%d}{(n % 250) * 2:03d}"  # an even digit: a woman
        worksheet.append(
            [
                rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                "女",
                "汉族",
                first17 + check_character(first17),
                f"{rng.choice(MOBILE_PREFIXES)}{n:08d}",
                rng.choice(POLITICAL),
                rng.choice(EDUCATION),
                rng.choice(OCCUPATIONS),
                f"{rng.choice(PLACE_STEMS)}路{rng.randint(1, 300)}号",
                rng.choice(codes),
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def openpyxl_alone(data: bytes) -> int:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return rows - 1


def same(condition: bool, message: str) -> None:
    """Each figure first asserts it measured the same answer as its floor."""
    if not condition:
        raise SystemExit(message)


def timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


class Probe:
    """Times the writing part and the lock, by wrapping the pipeline's own functions."""

    def __init__(self):
        self.write = self.locked_at = self.released_at = 0.0
        self._write, self._lock = core_imports.write_records, core_imports._lock_out_single_writes

    def __enter__(self):
        def write_records(*args, **kwargs):
            created, self.write = timed(lambda: self._write(*args, **kwargs))
            return created

        def lock(key):
            self._lock(key)
            self.locked_at = time.perf_counter()
            transaction.on_commit(lambda: setattr(self, "released_at", time.perf_counter()))

        core_imports.write_records, core_imports._lock_out_single_writes = write_records, lock
        return self

    def __exit__(self, *exc):
        core_imports.write_records, core_imports._lock_out_single_writes = self._write, self._lock


def copy_floor(ids: list[int]) -> float:
    """COPY the imported rows and their history rows back in after removing them: the time
    the database alone needs to take the same rows."""
    member, history = Member._meta.db_table, Member.history.model._meta.db_table
    dumps = {}
    with connection.cursor() as cursor:
        for table in (member, history):
            buffer = io.BytesIO()
            query = f"COPY (SELECT * FROM {table} WHERE id = ANY(%s)) TO STDOUT"  # noqa: S608
            with cursor.cursor.copy(query, [ids]) as copy:
                for block in copy:
                    buffer.write(block)
            dumps[table] = buffer.getvalue()
    remove(ids)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in (member, history):
            with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                copy.write(dumps[table])
    return time.perf_counter() - started


def remove(ids: list[int]) -> None:
    """Delete the rows again, and vacuum: dead rows left behind would slow the next run."""
    history = Member.history.model._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {history} WHERE id = ANY(%s)", [ids])  # noqa: S608
        cursor.execute(f"DELETE FROM {Member._meta.db_table} WHERE id = ANY(%s)", [ids])  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Member._meta.db_table}, {history}")


def measure(rows: int, codes: list[str]) -> None:
    data, made = timed(lambda: sheet(rows, codes))
    print(f"\n{rows:,} rows: the .xlsx is {len(data) / 2**20:.1f} MB (made in {made:.1f} s)")
    counted, alone = timed(lambda: openpyxl_alone(data))
    wanted = {c.key: {c.header, *c.aliases} for c in member_imports.PEOPLE.columns}
    read, ours = timed(lambda: read_sheet(data, wanted, max_rows=None))
    same(counted == len(read) == rows, "openpyxl and read_sheet read other rows")
    print(f"  reading: openpyxl alone {rows / alone:,.0f} rows/s; read_sheet {rows / ours:,.0f}")
    with Probe() as probe:
        report, total = timed(
            lambda: member_imports.people_import(data=data, by=SYSTEM, dry_run=False, max_rows=None)
        )
        held = probe.released_at - probe.locked_at
    same(report.errors == [] and len(report.created) == rows, f"not imported: {report.errors[:3]}")
    ids = [person.pk for person in report.created]
    print(f"  import, file to committed rows: {total:.2f} s, {rows / total:,.0f} rows/s")
    print(f"  it held the lock single writes wait for {held * 1000:.0f} ms (recheck, commit)")
    floor = copy_floor(ids)
    same(Member.objects.filter(pk__in=ids).count() == rows, "the floor took other rows")
    print(
        f"  writing {probe.write:.2f} s; COPY + history {floor:.2f} s: "
        f"{probe.write / floor:.1f}x the floor"
    )
    remove(ids)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="*", type=int, default=[20_000, 100_000])
    args = parser.parse_args()
    places = Organization.objects.filter(kind__in=["village", "committee"])
    codes = list(places.values_list("code", flat=True))
    if not codes:
        raise SystemExit("No villages: run `manage.py load_demo` on this database first.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        print(cursor.fetchone()[0].split(" on ")[0], "·", datetime.date.today())
    for rows in args.rows:
        measure(rows, codes)


if __name__ == "__main__":
    main()

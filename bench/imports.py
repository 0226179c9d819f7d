"""3: a people import, file to committed rows, against COPY of the same rows and their history.

The sheet is made here: ``rows`` people over the open villages, with their numbers as staff
type them (a local mobile number, labels in Chinese), through ``apps.members.imports.PEOPLE``
as the district's administrator, all rows at once (no row limit, as the command runs it).
The floors write the rows as the import stores them (E.164 phones, birth dates read from the
ID numbers) with COPY into ``members_member``, with and without one history row each into
``members_historicalmember``, in one transaction. The check: the import's committed rows and
history rows equal the COPY's, column by column (ids and times aside). Every run is committed,
then removed, so each starts from the same table.
"""

from io import BytesIO
from random import Random
from statistics import median
from time import perf_counter

from django.db import connection, transaction
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from apps.members.choices import Education, Ethnicity, Gender, PoliticalStatus
from apps.members.imports import PEOPLE
from apps.members.models import Member
from apps.organizations.choices import Kind
from apps.organizations.models import Organization
from bench.generate import IdNumbers, person_values
from bench.rows import HISTORY, copy_rows, reserve_ids, row_of, taken_back
from bench.timing import Figure, ms, rate, same_answer, timed

SEED = 20260310
REGION = "330297"  # the sheet's own: none of its ID numbers is on file
ROWS_PER_SECOND = 10_000  # from file to committed rows
WRITE_LIMIT = 5.0  # the writing part within 5× COPY plus history


def sheet_people(rng: Random, count: int) -> list[dict]:
    """``count`` people as the import should store them, each with its organization's code."""
    villages = list(Organization.objects.filter(kind=Kind.VILLAGE, closed_on=None).order_by("pk"))
    numbers, pinyin, people = IdNumbers(REGION), {}, []
    for village in rng.choices(villages, k=count):
        person = person_values(rng, numbers, pinyin)
        if not person["id_number"]:
            person["birth_date"] = None  # the sheet has no birth date column
        person.update(
            organization_id=village.pk,
            code=village.code,
            ethnicity=Ethnicity.HAN,
            address=f"{village.name.removesuffix('妇联')}{rng.randint(1, 300)}号",
        )
        people.append(person)
    return people


def _cells(person: dict) -> dict:
    """What staff type for ``person``, by column key."""
    with translation.override("zh-hans"):
        label = {
            "gender": str(Gender(person["gender"]).label),
            "ethnicity": str(Ethnicity(person["ethnicity"]).label),
            "political_status": str(PoliticalStatus(person["political_status"]).label),
            "education": str(Education(person["education"]).label),
        }
    return {
        **label,
        "name": person["name"],
        "id_number": person["id_number"],
        "phone": person["phone"].removeprefix("+86"),
        "occupation": person["occupation"],
        "address": person["address"],
        "organization": person["code"],
    }


def xlsx(people: list[dict]) -> bytes:
    """The sheet staff would upload: the importer's own headers, every cell text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([column.header for column in PEOPLE.columns])
    for person in people:
        cells = _cells(person)
        sheet.append([cells.get(column.key) or None for column in PEOPLE.columns])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_with_openpyxl(data: bytes) -> int:
    """Every row's values, read as the importer's reader does (read-only, values only)."""
    workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    try:
        return sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True)) - 1
    finally:
        workbook.close()


class FirstWrite:
    """An execute wrapper noting when the import began to write: its first INSERT, or the ids
    it reserves for a COPY (the COPY itself goes past Django's cursor, apps/core/bulk.py)."""

    at: float | None = None

    def __call__(self, execute, sql, params, many, context):
        if self.at is None and (
            sql.lstrip().upper().startswith("INSERT") or "nextval(pg_get_serial_sequence" in sql
        ):
            self.at = perf_counter()
        return execute(sql, params, many, context)


def copy_people(people: list[dict], *, by, history: bool) -> None:
    """The floor: the rows as the import stores them, with COPY, in one transaction."""
    stored = [{k: v for k, v in person.items() if k != "code"} for person in people]
    columns = {field.attname for field in HISTORY._meta.concrete_fields}
    with transaction.atomic():
        now = timezone.now()
        ids = reserve_ids(Member, len(stored))
        rows = [
            row_of(Member, id=pk, created_at=now, updated_at=now, **person)
            for pk, person in zip(ids, stored, strict=True)
        ]
        copy_rows(Member, rows)
        if history:
            copy_rows(
                HISTORY,
                [
                    row_of(
                        HISTORY,
                        **{name: value for name, value in row.items() if name in columns},
                        history_date=now,
                        history_type="+",
                        history_user_id=by.pk,
                        history_change_reason=None,
                    )
                    for row in rows
                ],
            )


def _import(data: bytes, *, by, rows: int) -> tuple[float, float]:
    """Import the sheet: (seconds from file to committed rows, of which writing)."""
    marker = FirstWrite()
    with connection.execute_wrapper(marker):
        started = perf_counter()
        report = PEOPLE.run(data=data, by=by, dry_run=False, max_rows=None)
        finished = perf_counter()
    if report.errors or len(report.created) != rows:
        raise RuntimeError(f"the import refused its sheet: {report.errors[:3]}")
    return finished - started, finished - (marker.at or started)


def import_people(accounts, *, rows: int, reps: int) -> list[Figure]:
    """3: the import's rows/s and its writing part against COPY (with and without history)."""
    by = accounts.district
    people = sheet_people(Random(SEED), rows)  # noqa: S311 - made-up people
    data = xlsx(people)
    whole, writing, with_history, alone = [], [], [], []
    for rep in range(reps):
        with taken_back() as added:
            times = _import(data, by=by, rows=rows)
            imported = added.rows()
        whole.append(times[0])
        writing.append(times[1])
        with taken_back() as added:
            with_history.append(timed(lambda: copy_people(people, by=by, history=True)))
            copied = added.rows()
        if rep == 0:
            same_answer("import against COPY", imported, copied)
        with taken_back():
            alone.append(timed(lambda: copy_people(people, by=by, history=False)))
    reading = median(timed(lambda: read_with_openpyxl(data)) for _ in range(reps))
    whole_time, write_time = median(whole), median(writing)
    copy_time, alone_time = median(with_history), median(alone)
    floor = f"{ms(copy_time)} ({rate(rows, copy_time)}): COPY of the rows and their history"
    return [
        Figure(
            "3",
            f"people import of {rows:,} rows, file to committed rows",
            f"{ms(whole_time)} ({rate(rows, whole_time)})",
            floor,
            whole_time / copy_time,
            f"≥ {ROWS_PER_SECOND:,} rows/s",
            rows / whole_time >= ROWS_PER_SECOND,
            f"against COPY of the people rows alone ({ms(alone_time)}): "
            f"{whole_time / alone_time:.1f}×",
        ),
        Figure(
            "3",
            "people import, the writing part (first write to commit)",
            ms(write_time),
            floor,
            write_time / copy_time,
            f"≤ {WRITE_LIMIT:g}×",
            write_time / copy_time <= WRITE_LIMIT,
        ),
        Figure(
            "3",
            f"reading the .xlsx alone with openpyxl ({rows:,} rows)",
            f"{ms(reading)} ({rate(rows, reading)})",
        ),
    ]

"""People and appointments from the .xlsx sheets staff keep: a dry run lists every bad row, then
all or none.

Each import reads the sheet, checks every row on its own (no queries), then checks the rows
against each other and against what is on file with a fixed number of queries whatever the
number of rows: the organization codes and the ID numbers of the file are looked up once,
within the importer's subtree. Only there: a code outside it reads as one that does not
exist, and an ID number held only outside it is free, as in ``services.check_id_number_free``
(refusing it would tell the importer another village has that person).

A real import checks again and writes in one transaction, holding the lock that single writes
take shared (``services.ID_NUMBER_WRITES``, ``services.SINGLE_HOLDER_WRITES``), so nobody
saves the same person or a second chair between the check and the write. Rows are written with
``bulk_create_with_history``: one history row each, by the importer.
"""

import datetime
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from apps.core.identity import id_number_gender, normalize_id_number
from apps.core.xlsx import MAX_ROWS, Cell, read_sheet
from apps.members import services
from apps.members.choices import (
    SINGLE_HOLDER_ROLES,
    AppointmentRole,
    Education,
    Ethnicity,
    Gender,
    PoliticalStatus,
)
from apps.members.models import Appointment, Member
from apps.organizations.models import Organization, pinyin_key
from apps.organizations.scoping import scoped

BATCH_SIZE = 1000  # rows per INSERT (and per progress step while writing)

# Each column: its key, the header staff write (and messages name), other headers accepted.
ORGANIZATION = (
    "organization",
    "组织代码",
    {"organization", "organization_code", "organization code"},
)
PEOPLE_COLUMNS = [
    ("name", "姓名", {"name"}),
    ("gender", "性别", {"gender"}),
    ("ethnicity", "民族", {"ethnicity"}),
    ("id_number", "身份证号", {"id_number", "身份证号码", "公民身份号码"}),
    ("phone", "手机号", {"phone", "手机号码", "手机"}),
    ("political_status", "政治面貌", {"political_status"}),
    ("education", "文化程度", {"education", "学历"}),
    ("occupation", "职业", {"occupation"}),
    ("address", "住址", {"address", "地址"}),
    ORGANIZATION,
]
APPOINTMENT_COLUMNS = [
    ("id_number", "身份证号", {"id_number", "身份证号码", "公民身份号码"}),
    ("name", "姓名", {"name"}),
    ORGANIZATION,
    ("role", "职务", {"role"}),
    ("started_on", "任期开始", {"started_on", "term starts"}),
    ("ended_on", "任期结束", {"ended_on", "term ends"}),
]
HEADERS = {key: header for key, header, _aliases in [*PEOPLE_COLUMNS, *APPOINTMENT_COLUMNS]}

# What sheets commonly write besides the choices' own labels.
ALIASES = {
    PoliticalStatus: {
        "党员": PoliticalStatus.PARTY_MEMBER,
        "预备党员": PoliticalStatus.PROBATIONARY_MEMBER,
        "团员": PoliticalStatus.LEAGUE_MEMBER,
        "民主党派": PoliticalStatus.DEMOCRATIC_PARTY,
        "无党派": PoliticalStatus.NON_PARTY,
    },
    Education: {
        "小学": Education.PRIMARY,
        "高中": Education.SENIOR_HIGH,
        "中专": Education.SENIOR_HIGH,
        "本科": Education.BACHELOR,
        "硕士": Education.MASTER,
        "博士": Education.DOCTORATE,
    },
}
DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")

CHECKING, WRITING = "checking", "writing"
Progress = Callable[[str, int, int], None]  # (CHECKING or WRITING, rows done, rows in all)


@dataclass
class ImportReport:
    """What an import found: every bad row with its reason, and the records it made."""

    rows: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    created: list[models.Model] = field(default_factory=list)


@dataclass
class _Row:
    number: int
    cells: dict[str, Cell]
    problems: list[str] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)  # the columns the problems are about
    record: models.Model | None = None
    id_number: str = ""

    def refuse(self, column: str, problem: str) -> None:
        self.problems.append(problem)
        self.refused.add(column)


def people_import(
    *,
    data: bytes,
    by,
    dry_run: bool,
    max_rows: int | None = MAX_ROWS,
    progress: Progress | None = None,
) -> ImportReport:
    """Add people from a sheet (姓名, 性别, 民族, 身份证号, 手机号, 政治面貌, 文化程度, 职业,
    住址, 组织代码): all or none.

    ``by`` is the importer (None: a command, which sees the whole tree). Choices are given by
    their Chinese label or English code; ID numbers and phones are stored normalized; a
    gender left empty is read from the ID number.
    """
    rows = _read(data, PEOPLE_COLUMNS, max_rows)
    people = Checks(_read_person, _check_people, Member, services.ID_NUMBER_WRITES)
    return _run(rows, people, by=by, dry_run=dry_run, progress=progress)


def appointments_import(
    *,
    data: bytes,
    by,
    dry_run: bool,
    max_rows: int | None = MAX_ROWS,
    progress: Progress | None = None,
) -> ImportReport:
    """Add appointments from a sheet (身份证号 or 姓名, 组织代码, 职务, 任期开始, 任期结束):
    all or none.

    The person is found by ID number among the people ``by`` can see, or by name when the
    ID number is empty (and the name is that of one person only). An organization has one
    chair (and one branch secretary) at a time.
    """
    rows = _read(data, APPOINTMENT_COLUMNS, max_rows)
    terms = Checks(
        _read_appointment, _check_appointments, Appointment, services.SINGLE_HOLDER_WRITES
    )
    return _run(rows, terms, by=by, dry_run=dry_run, progress=progress)


@dataclass(frozen=True)
class Checks:
    """What one kind of import does: read a row alone, check all rows, write which model,
    holding which lock (alone, so no single save slips in between the check and the write)."""

    read_row: Callable
    check_rows: Callable
    model: type
    lock_key: str


def _run(rows, checks: Checks, *, by, dry_run, progress) -> ImportReport:
    """Each row on its own (no queries), then all rows against the database; all or none."""
    progress = progress or _silent
    for index, row in enumerate(rows, start=1):
        checks.read_row(row)
        progress(CHECKING, index, len(rows))
    with transaction.atomic():
        if not dry_run:
            _lock_out_single_writes(checks.lock_key)
        checks.check_rows(rows, by)
        report = _report(rows)
        if not report.errors and not dry_run:
            report.created = _create(checks.model, [row.record for row in rows], by, progress)
    return report


# Reading: each row on its own, no queries.


def _read(data, columns, max_rows) -> list[_Row]:
    wanted = {key: {header, *aliases} for key, header, aliases in columns}
    return [_Row(number, cells) for number, cells in read_sheet(data, wanted, max_rows=max_rows)]


def _read_person(row: _Row) -> None:
    cells = row.cells
    name = cells["name"].text
    if not name:
        row.refuse("name", _empty("name"))
    row.id_number = _id_number(row)
    gender = _choice(row, Gender, "gender")
    if not cells["gender"].text:
        if row.id_number:
            gender = id_number_gender(row.id_number)
        elif not cells["id_number"].text:
            row.refuse("gender", _empty("gender"))
    if not cells["organization"].text:
        row.refuse("organization", _empty("organization"))
    person = Member(
        name=name,
        name_pinyin=pinyin_key(name),  # save() sets it, bulk_create does not
        gender=gender,
        ethnicity=_choice(row, Ethnicity, "ethnicity") or Ethnicity.HAN,
        id_number=row.id_number,
        phone=cells["phone"].text,  # clean() normalizes it
        political_status=_choice(row, PoliticalStatus, "political_status"),
        education=_choice(row, Education, "education"),
        occupation=cells["occupation"].text,
        address=cells["address"].text,
    )
    _full_clean(row, person, exclude=["organization"])  # the phone, agreement with the ID …
    row.record = person


def _read_appointment(row: _Row) -> None:
    cells = row.cells
    if cells["id_number"].text:
        row.id_number = _id_number(row)
    elif not cells["name"].text:
        row.refuse("name", _("give the ID number or the name of the person"))
    if not cells["organization"].text:
        row.refuse("organization", _empty("organization"))
    role = _choice(row, AppointmentRole, "role")
    if not cells["role"].text:
        row.refuse("role", _empty("role"))
    started_on = _date(row, "started_on")
    if started_on is None and not cells["started_on"].text:
        row.refuse("started_on", _empty("started_on"))
    ended_on = _date(row, "ended_on")
    if started_on and ended_on and ended_on < started_on:
        row.refuse("ended_on", _("A term cannot end before it starts."))
    appointment = Appointment(role=role, started_on=started_on, ended_on=ended_on)
    _full_clean(row, appointment, exclude=["member", "organization"])
    row.record = appointment


def _id_number(row: _Row) -> str:
    cell = row.cells["id_number"]
    if not cell.text:
        return ""
    if cell.is_number:
        # Excel keeps 15 significant digits of a number: the rest is gone, whatever it shows.
        message = _(
            "the ID number is in a number cell, which loses its last digits: format the "
            "%(column)s column as text and type the numbers again"
        )
        row.refuse("id_number", message % {"column": HEADERS["id_number"]})
        return ""
    try:
        return normalize_id_number(cell.text)
    except ValidationError as exc:
        for message in exc.messages:  # they never repeat the number
            row.refuse("id_number", message)
        return ""


def _choice(row: _Row, choices, key: str) -> str:
    text = row.cells[key].text
    if not text:
        return ""
    value = _choice_names(choices).get(text.lower())
    if value is None:
        message = _("unknown %(column)s %(value)s")
        row.refuse(key, message % {"column": HEADERS[key], "value": text[:50]})
        return ""
    return value


@functools.cache
def _choice_names(choices) -> dict[str, str]:
    """Every name a choice goes by: its code, its label in each language, common aliases."""
    names = {}
    for value, label in choices.choices:
        names[value.lower()] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                names[str(label).lower()] = value
        if choices is Ethnicity:
            with translation.override("zh-hans"):
                names.setdefault(str(label).removesuffix("族"), value)  # 汉 for 汉族
    names.update({alias: str(value) for alias, value in ALIASES.get(choices, {}).items()})
    return names


def _date(row: _Row, key: str) -> datetime.date | None:
    cell = row.cells[key]
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
    row.refuse(key, message % {"column": HEADERS[key], "value": cell.text[:50]})
    return None


def _full_clean(row: _Row, record: models.Model, exclude: list[str]) -> None:
    """The model's own rules for the columns not refused yet.

    Foreign keys, unique fields and constraints would each cost a query per row: the checks
    against what is on file are the set-wise ones below.
    """
    try:
        record.full_clean(
            exclude=[*exclude, *row.refused], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            if name in row.refused:
                continue  # clean() speaks of every field; the column's problem is said already
            for message in messages:
                if name in HEADERS:
                    message = _("%(column)s: %(problem)s") % {
                        "column": HEADERS[name],
                        "problem": message,
                    }
                row.refuse(name, message)


def _empty(key: str) -> str:
    return _("%(column)s is empty") % {"column": HEADERS[key]}


# Checking against each other and what is on file: a fixed number of queries.


def _organizations(rows: list[_Row], by) -> dict[str, Organization]:
    codes = {row.cells["organization"].text for row in rows} - {""}
    found = Organization.objects.filter(code__in=codes)
    if by is not None:
        found = scoped(found, by)
    return {organization.code: organization for organization in found}


def _people(by):
    people = Member.objects.filter(deleted_at__isnull=True)
    return scoped(people, by) if by is not None else people


def _with_id_numbers(people, numbers):
    # The exclude() matches the index's condition, so PostgreSQL uses it for a long IN list.
    return people.exclude(id_number="").filter(id_number__in=numbers)


def _unknown_code(code: str) -> str:
    # The same words for a code outside the subtree: it does not exist for the importer.
    return _("organization code %(code)s does not exist") % {"code": code}


def _check_people(rows: list[_Row], by) -> None:
    organizations = _organizations(rows, by)
    numbers = {row.id_number for row in rows} - {""}
    taken = set(_with_id_numbers(_people(by), numbers).values_list("id_number", flat=True))
    first_row: dict[str, int] = {}
    for row in rows:
        code = row.cells["organization"].text
        if code and code not in organizations:
            row.problems.append(_unknown_code(code))
        elif code:
            row.record.organization = organizations[code]
        if row.id_number in first_row:
            row.problems.append(
                _("the ID number is already on row %(row)d") % {"row": first_row[row.id_number]}
            )
        elif row.id_number in taken:
            row.problems.append(str(services.ID_NUMBER_TAKEN))
        if row.id_number:
            first_row.setdefault(row.id_number, row.number)


def _check_appointments(rows: list[_Row], by) -> None:
    organizations = _organizations(rows, by)
    numbers = {row.id_number for row in rows} - {""}
    names = {row.cells["name"].text for row in rows if not row.cells["id_number"].text} - {""}
    by_number: dict[str, Member] = {}
    by_name: dict[str, list[Member]] = {}
    for person in _with_id_numbers(_people(by), numbers).only("id", "name", "id_number"):
        by_number[person.id_number] = person
    if names:  # names have no index: ask only when some row names its person that way
        for person in _people(by).filter(name__in=names).only("id", "name"):
            by_name.setdefault(person.name, []).append(person)
    terms = _terms_on_file(organizations.values(), [*by_number.values(), *_flat(by_name)])
    first_row: dict[tuple, int] = {}
    for row in rows:
        appointment: Appointment = row.record
        code = row.cells["organization"].text
        if code and code not in organizations:
            row.problems.append(_unknown_code(code))
        elif code:
            appointment.organization = organizations[code]
        person = _person(row, by_number, by_name)
        if person is not None:
            appointment.member = person
        if row.problems:
            continue
        key = (person.pk, appointment.organization_id, appointment.role, appointment.started_on)
        if key in first_row:
            row.problems.append(
                _("the same appointment is already on row %(row)d") % {"row": first_row[key]}
            )
            continue
        first_row[key] = row.number
        if key in terms["same_start"]:
            row.problems.append(_("this appointment is already on file"))
            continue
        if appointment.role in SINGLE_HOLDER_ROLES:
            post = (appointment.organization_id, appointment.role)
            for start, end, number in terms["posts"].get(post, []):
                if _overlap(start, end, appointment.started_on, appointment.ended_on):
                    row.problems.append(_second_holder(number))
                    break
            terms["posts"].setdefault(post, []).append(
                (appointment.started_on, appointment.ended_on, row.number)
            )


def _person(row: _Row, by_number, by_name) -> Member | None:
    cells = row.cells
    name = cells["name"].text
    if cells["id_number"].text:
        if not row.id_number:
            return None  # already reported
        person = by_number.get(row.id_number)
        if person is None:
            row.problems.append(_("no person on file has this ID number"))
        elif name and name != person.name:
            row.problems.append(
                _("the person with this ID number is named %(name)s") % {"name": person.name}
            )
        return person
    if not name:
        return None
    found = by_name.get(name, [])
    if not found:
        row.problems.append(_("no person on file is named %(name)s") % {"name": name})
    elif len(found) > 1:
        row.problems.append(
            _("%(count)d people on file are named %(name)s: give the ID number")
            % {"count": len(found), "name": name}
        )
    else:
        return found[0]
    return None


def _terms_on_file(organizations, people) -> dict:
    """The terms on file the rows may repeat or overlap: one query."""
    on_file = Appointment.objects.filter(deleted_at__isnull=True).filter(
        Q(organization__in=list(organizations), role__in=SINGLE_HOLDER_ROLES)
        | Q(member__in=[person.pk for person in people])
    )
    terms = {"same_start": set(), "posts": {}}
    for member, organization, role, start, end in on_file.values_list(
        "member_id", "organization_id", "role", "started_on", "ended_on"
    ):
        terms["same_start"].add((member, organization, role, start))
        if role in SINGLE_HOLDER_ROLES:
            terms["posts"].setdefault((organization, role), []).append((start, end, None))
    return terms


def _overlap(start_a, end_a, start_b, end_b) -> bool:
    return (end_b is None or start_a <= end_b) and (end_a is None or start_b <= end_a)


def _second_holder(number: int | None) -> str:
    if number is None:
        return _("The organization already has someone in this role for part of this term.")
    return _(
        "row %(row)d gives the organization someone in this role for part of this term too"
    ) % {"row": number}


def _flat(groups: dict[str, list[Member]]) -> list[Member]:
    return [person for people in groups.values() for person in people]


# Writing.


def _report(rows: list[_Row]) -> ImportReport:
    errors = [(row.number, "；".join(str(p) for p in row.problems)) for row in rows if row.problems]
    return ImportReport(rows=len(rows), errors=errors)


def _lock_out_single_writes(key: str) -> None:
    """Wait for single writes that hold ``key`` shared to commit; hold off new ones till we do."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def _create(model, records: list, by, progress: Progress) -> list:
    created = []
    for start in range(0, len(records), BATCH_SIZE):
        batch = records[start : start + BATCH_SIZE]
        created += bulk_create_with_history(batch, model, batch_size=BATCH_SIZE, default_user=by)
        progress(WRITING, len(created), len(records))
    return created


def _silent(stage: str, done: int, total: int) -> None:
    pass

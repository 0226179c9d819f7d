"""People and appointments from the .xlsx sheets staff keep, on the pipeline of
apps/core/imports.py: a dry run lists every bad row, then all or none.

Each row is read on its own (no queries); then the organization codes and the ID numbers of the
file are looked up once, within the importer's subtree. Only there: a code outside it reads as
one that does not exist, and an ID number held only outside it is free, as in
``services.check_id_number_free`` (refusing it would tell the importer another village has that
person).

A real import writes its rows, then takes alone the lock single writes hold shared
(``services.ID_NUMBER_WRITES``, ``services.SINGLE_HOLDER_WRITES``) and checks again what they
may have saved meanwhile — the same person, a second chair — set-wise, in one query: see
apps/core/imports.py.
"""

import functools
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.identity import id_number_gender, normalize_id_number, tidy_id_number
from apps.core.imports import Column, Importer, ImportReport, Row, new_record
from apps.members import merging
from apps.members.choices import (
    SINGLE_HOLDER_ROLES,
    AppointmentRole,
    Education,
    Ethnicity,
    Gender,
    PoliticalStatus,
)
from apps.members.models import Appointment, Member
from apps.members.services import people as services
from apps.organizations.imports import ORGANIZATION, organizations_by_code, place
from apps.organizations.models import pinyin_key
from apps.organizations.scoping import scoped

ID_NUMBER = Column("id_number", "身份证号", {"id_number", "身份证号码", "公民身份号码"})
NAME = Column("name", "姓名", {"name"})
PEOPLE_COLUMNS = [
    NAME,
    Column("gender", "性别", {"gender"}),
    Column("ethnicity", "民族", {"ethnicity"}),
    ID_NUMBER,
    Column("phone", "手机号", {"phone", "手机号码", "手机"}),
    Column("political_status", "政治面貌", {"political_status"}),
    Column("education", "文化程度", {"education", "学历"}),
    Column("occupation", "职业", {"occupation"}),
    Column("address", "住址", {"address", "地址"}),
    ORGANIZATION,
]
APPOINTMENT_COLUMNS = [
    ID_NUMBER,
    NAME,
    ORGANIZATION,
    Column("role", "职务", {"role"}),
    Column("started_on", "任期开始", {"started_on", "term starts"}),
    Column("ended_on", "任期结束", {"ended_on", "term ends"}),
]

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


@functools.cache
def _ethnicity_aliases() -> dict[str, str]:
    """汉 for 汉族: each ethnicity without its suffix."""
    with translation.override("zh-hans"):
        return {str(label).removesuffix("族"): value for value, label in Ethnicity.choices}


def _choice(row: Row, choices, key: str) -> str:
    aliases = _ethnicity_aliases() if choices is Ethnicity else ALIASES.get(choices)
    return row.choice(key, choices, aliases)


@dataclass
class _Row(Row):
    id_number: str = ""  # normalized; "" when empty or refused


def _read_person(row: _Row) -> None:
    cells = row.cells
    name = cells["name"].text
    if not name:
        row.refuse_empty("name")
    row.id_number = _id_number(row)
    gender = _choice(row, Gender, "gender")
    if not cells["gender"].text:
        if row.id_number:
            gender = id_number_gender(row.id_number)
        elif not cells["id_number"].text:
            row.refuse_empty("gender")
    if not cells["organization"].text:
        row.refuse_empty("organization")
    person = new_record(
        Member,
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
    # The model's rules: the phone, the agreement with the ID number … The organization is
    # placed set-wise, the pinyin is ours, the ID number's form was checked just above.
    row.full_clean(person, exclude=["organization", "name_pinyin", "id_number"])
    row.record = person


def _read_appointment(row: _Row) -> None:
    cells = row.cells
    if cells["id_number"].text:
        row.id_number = _id_number(row)
    elif not cells["name"].text:
        row.refuse("name", _("give the ID number or the name of the person"))
    if not cells["organization"].text:
        row.refuse_empty("organization")
    role = _choice(row, AppointmentRole, "role")
    if not cells["role"].text:
        row.refuse_empty("role")
    started_on = row.date("started_on")
    if started_on is None and not cells["started_on"].text:
        row.refuse_empty("started_on")
    ended_on = row.date("ended_on")
    if started_on and ended_on and ended_on < started_on:
        row.refuse("ended_on", _("A term cannot end before it starts."))
    appointment = new_record(Appointment, role=role, started_on=started_on, ended_on=ended_on)
    row.full_clean(appointment, exclude=["member", "organization"])
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
        row.refuse("id_number", message % {"column": row.headers["id_number"]})
        return ""
    try:
        return normalize_id_number(cell.text)
    except ValidationError as exc:
        for message in exc.messages:  # they never repeat the number
            row.refuse("id_number", message)
        return ""


# Checking against each other and what is on file: a fixed number of queries.


def _people(by):
    return scoped(Member.objects.alive(), by)


def _with_id_numbers(people, numbers):
    # The exclude() matches the index's condition, so PostgreSQL uses it for a long list.
    return people.exclude(id_number="").filter(id_number__any=list(numbers)).order_by()


@dataclass
class _PeopleFound:
    """What the rows of a people import are checked against, and the rows checked so far."""

    organizations: dict
    taken: set[str]  # the file's ID numbers held by someone in the importer's subtree
    first_row: dict[str, int] = field(default_factory=dict)  # ID number → its first row


def _look_up_people(rows: list[_Row], by) -> _PeopleFound:
    """From the cells alone (no row read yet): the organizations the codes name and the ID
    numbers on file (one a row then refuses is asked about for nothing: none on file is bad)."""
    organizations = organizations_by_code(rows, by)
    numbers = {tidy_id_number(row.cells["id_number"].text) for row in rows} - {""}
    taken = set(_with_id_numbers(_people(by), numbers).values_list("id_number", flat=True))
    return _PeopleFound(organizations, taken)


def _check_person(row: _Row, found: _PeopleFound) -> None:
    place(row, found.organizations)
    if row.id_number in found.first_row:
        row.problems.append(
            _("the ID number is already on row %(row)d") % {"row": found.first_row[row.id_number]}
        )
    elif row.id_number in found.taken:
        row.problems.append(str(services.ID_NUMBER_TAKEN))
    if row.id_number:
        found.first_row.setdefault(row.id_number, row.number)


def _recheck_people(rows: list[_Row], by) -> None:
    """Under the lock, once the rows are written: an ID number now held twice in the subtree
    was saved by a single write since ``_check_people`` (which let no number in twice)."""
    numbers = {row.id_number for row in rows} - {""}
    held_twice = set(
        _with_id_numbers(_people(by), numbers)
        .order_by()
        .values("id_number")
        .annotate(held=Count("id"))
        .filter(held__gt=1)
        .values_list("id_number", flat=True)
    )
    for row in rows:
        if row.id_number in held_twice:
            row.problems.append(str(services.ID_NUMBER_TAKEN))
    merging.record_candidates([row.record.pk for row in rows])  # dups branch: docs/merging.md


def _check_appointments(rows: list[_Row], by) -> None:
    organizations = organizations_by_code(rows, by)
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
        place(row, organizations)
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


def _recheck_appointments(rows: list[_Row], by) -> None:
    """Under the lock, once the rows are written: a term of a single holder's role that now
    overlaps another on file, saved by a single write since ``_check_appointments``."""
    posts = {
        (row.record.organization_id, row.record.role)
        for row in rows
        if row.record.role in SINGLE_HOLDER_ROLES
    }
    if not posts:
        return
    terms = defaultdict(list)
    for pk, organization, role, start, end in (
        Appointment.objects.alive()
        .filter(
            organization__in={organization for organization, _role in posts},
            role__in=SINGLE_HOLDER_ROLES,
        )
        .values_list("pk", "organization_id", "role", "started_on", "ended_on")
    ):
        terms[organization, role].append((pk, start, end))
    for row in rows:
        mine: Appointment = row.record
        for pk, start, end in terms.get((mine.organization_id, mine.role), []):
            if pk != mine.pk and _overlap(start, end, mine.started_on, mine.ended_on):
                row.problems.append(_second_holder(None))
                break


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
    on_file = Appointment.objects.alive().filter(
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


PEOPLE = Importer(
    model=Member,
    columns=PEOPLE_COLUMNS,
    read_row=_read_person,
    look_up=_look_up_people,
    check_row=_check_person,
    done=gettext_lazy("%(count)d people were imported."),
    row_type=_Row,
    lock_key=services.ID_NUMBER_WRITES,
    recheck=_recheck_people,  # records the rows' pairs, which the COPY's trigger leaves to it
    before_write=merging.pairs_recorded_later,
)
APPOINTMENTS = Importer(
    model=Appointment,
    columns=APPOINTMENT_COLUMNS,
    read_row=_read_appointment,
    check_rows=_check_appointments,
    done=gettext_lazy("%(count)d appointments were imported."),
    row_type=_Row,
    lock_key=services.SINGLE_HOLDER_WRITES,
    recheck=_recheck_appointments,
)

# Their names as kinds of job (apps/jobs/kinds.py, registered in apps/members/apps.py).
PEOPLE_JOB, APPOINTMENTS_JOB = "members.people_import", "members.appointments_import"


def people_import(*, data: bytes, by, dry_run: bool, **options) -> ImportReport:
    """Add people from a sheet (姓名, 性别, 民族, 身份证号, 手机号, 政治面貌, 文化程度, 职业,
    住址, 组织代码): all or none. ``options``: ``max_rows``, ``progress`` (``Importer.run``).

    ``by`` is the importer (``SYSTEM`` for a command: the whole tree). Choices are given by
    their Chinese label or English code; ID numbers and phones are stored normalized; a
    gender left empty is read from the ID number.
    """
    return PEOPLE.run(data=data, by=by, dry_run=dry_run, **options)


def appointments_import(*, data: bytes, by, dry_run: bool, **options) -> ImportReport:
    """Add appointments from a sheet (身份证号 or 姓名, 组织代码, 职务, 任期开始, 任期结束):
    all or none. ``options``: ``max_rows``, ``progress`` (``Importer.run``).

    The person is found by ID number among the people ``by`` can see, or by name when the
    ID number is empty (and the name is that of one person only). An organization has one
    chair (and one branch secretary) at a time.
    """
    return APPOINTMENTS.run(data=data, by=by, dry_run=dry_run, **options)

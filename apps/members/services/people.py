"""Writing people: every create and change goes through here (the API, the admin, imports)."""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.history import history_note
from apps.core.models import CLIENT_KEY_FIELDS, checked_by_the_database
from apps.files.services import attachments_move
from apps.members import merging
from apps.members.choices import SINGLE_HOLDER_ROLES
from apps.members.models import Appointment, Member
from apps.members.signals import refuse_rows_outside
from apps.organizations.scoping import scoped

EDITABLE_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "phone",
    "political_status",
    "education",
    "occupation",
    "address",
)
ID_NUMBER_TAKEN = _("A person with this ID number is already on file.")
BIRTH_DATE_FROM_ID_NUMBER = _(
    "The birth date is read from the ID number on file: correct the ID number instead."
)
# Advisory lock keys every single write holds shared and an import of many rows takes alone once
# its rows are written, for one query and its commit (apps/core/imports.py): one lock instead of
# thousands (PostgreSQL's lock table holds some 6,400 in all by default).
ID_NUMBER_WRITES = "members:id_number_writes"
SINGLE_HOLDER_WRITES = "members:single_holder_writes"
SHARED_THEN_OWN_LOCK = (
    "SELECT pg_advisory_xact_lock_shared(hashtext(%s)), pg_advisory_xact_lock(hashtext(%s))"
)


def check_id_number_free(member: Member, *, by) -> None:
    """An ID number may be on file once among the people ``by`` can see (all, for ``SYSTEM``).

    Only there: refusing a number held in another village would tell the
    caller that village has that person. Such duplicates are for district
    staff to find and merge.
    """
    existing = _holder_of_id_number(member, by=by)
    if existing is not None:
        raise _taken(existing)


def _holder_of_id_number(member: Member, *, by, locked: bool = False) -> Member | None:
    """Another person ``by`` can see with ``member``'s ID number, after taking the locks
    (``locked``: ``_lock_keys`` took them)."""
    if not member.id_number:
        return None
    if not locked:
        with connection.cursor() as cursor:  # until commit: two saves of one number take turns
            cursor.execute(SHARED_THEN_OWN_LOCK, [ID_NUMBER_WRITES, member.id_number])
    others = scoped(Member.objects.alive().filter(id_number=member.id_number), by)
    return others.exclude(pk=member.pk).order_by("pk").first()


def _taken(existing: Member) -> ValidationError:
    taken = ValidationError(ID_NUMBER_TAKEN, code="taken", params={"existing": existing})
    return ValidationError({"id_number": [taken]})


# Each key of a person (merging.KEY_FIELDS) locked alone, in one order, after the lock imports
# take alone: two saves of one key take turns, so the second's insert finds the first's row and
# records the pair (docs/merging.md); an import records its rows' pairs again once it holds that
# lock (apps/core/imports.py), so a single save committed meanwhile is paired with them too.
_KEY_LOCKS = (
    "SELECT pg_advisory_xact_lock_shared(hashtext(%s)), ("
    " SELECT count(pg_advisory_xact_lock(key)) FROM ("
    "  SELECT DISTINCT hashtext(key) AS key FROM unnest(%s::text[]) AS key ORDER BY 1) AS keys)"
)


def _lock_keys(member: Member) -> None:
    # An ID number's lock is the number itself, as check_id_number_free takes it.
    keys = [
        key[1] if key[0] == "id" else ":".join(map(str, key)) for key in merging.keys_of(member)
    ]
    with connection.cursor() as cursor:  # until commit
        cursor.execute(_KEY_LOCKS, [ID_NUMBER_WRITES, keys])


def _save(member: Member, *, by, **kwargs) -> Member:
    member.full_clean(exclude=checked_by_the_database(member))
    fields = kwargs.get("update_fields")
    keys_changed = fields is None or bool(merging.KEY_FIELDS & set(fields))
    # No savepoint of its own (two of an API create's statements): in a caller's transaction
    # the locks last until it ends anyway. So that nothing but a database error (which dooms
    # the caller's transaction regardless) leaves through it, the refusal is raised after.
    with transaction.atomic(savepoint=False):
        if keys_changed:
            _lock_keys(member)
        existing = _holder_of_id_number(member, by=by, locked=keys_changed)
        if existing is None:
            history_note(member, by=by, reason="")
            member.save(**kwargs)  # its pairs recorded by the database (docs/merging.md)
    if existing is not None:
        raise _taken(existing)
    return member


def member_create(*, by, organization, **fields) -> Member:
    """Add a person as ``by`` (an account, or ``SYSTEM`` for a command: the whole tree); the API
    gives the client's key too (``CLIENT_KEY_FIELDS``)."""
    unknown = set(fields) - {*EDITABLE_FIELDS, *CLIENT_KEY_FIELDS}
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    return _save(Member(organization=organization, **fields), by=by)


def member_update(*, by, member: Member, **fields) -> Member:
    """Change the given fields only; the organization, version and keys are not among them."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if "birth_date" in fields and "id_number" not in fields and member.id_number:
        # Whatever the date, the same refusal: "does not agree" for all but one date would
        # tell a role that reads numbers masked their hidden digits (docs/identity.md).
        raise ValidationError({"birth_date": [BIRTH_DATE_FROM_ID_NUMBER]})
    if fields.get("id_number") and "birth_date" not in fields:
        member.birth_date = None  # read again from the new number
    for name, value in fields.items():
        setattr(member, name, value)
    changed = {*fields, "updated_at"}
    if "id_number" in fields:
        changed.add("birth_date")  # may be read from the ID number
    return _save(member, by=by, update_fields=changed)


def member_delete(*, by, member: Member) -> Member:
    """Mark the person deleted: gone from lists, still there for history and for syncing clients."""
    return member.mark_deleted(by=by)  # her pairs forgotten by the database


APPOINTMENT_EDITABLE_FIELDS = ("role", "started_on", "ended_on", "note")


def check_single_holder(appointment: Appointment) -> None:
    """A chair (or branch secretary) at a time: terms of one such role may not overlap."""
    if appointment.role not in SINGLE_HOLDER_ROLES or appointment.deleted_at is not None:
        return
    with connection.cursor() as cursor:  # until commit: two saves for one post take turns
        key = f"appointment:{appointment.organization_id}:{appointment.role}"
        cursor.execute(SHARED_THEN_OWN_LOCK, [SINGLE_HOLDER_WRITES, key])
    overlapping = (
        Appointment.objects.alive()
        .filter(organization_id=appointment.organization_id, role=appointment.role)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=appointment.started_on))
    )
    if appointment.ended_on is not None:
        overlapping = overlapping.filter(started_on__lte=appointment.ended_on)
    if overlapping.exclude(pk=appointment.pk).exists():
        raise ValidationError(
            {
                "role": [
                    _("The organization already has someone in this role for part of this term.")
                ]
            }
        )


def _save_appointment(appointment: Appointment, *, by, **kwargs) -> Appointment:
    appointment.full_clean(exclude=checked_by_the_database(appointment), validate_constraints=False)
    with transaction.atomic():
        check_single_holder(appointment)
        history_note(appointment, by=by, reason="")
        appointment.save(**kwargs)
    return appointment


def appointment_create(*, by, member: Member, organization, role: str, started_on, **fields):
    """Appoint a person to a role in an organization from ``started_on`` (the API gives the
    client's key too)."""
    unknown = set(fields) - {*APPOINTMENT_EDITABLE_FIELDS, *CLIENT_KEY_FIELDS}
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    appointment = Appointment(
        member=member, organization=organization, role=role, started_on=started_on, **fields
    )
    return _save_appointment(appointment, by=by)


def appointment_update(*, by, appointment: Appointment, **fields) -> Appointment:
    """Change the term or role; the person and the organization stay."""
    unknown = set(fields) - set(APPOINTMENT_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(appointment, name, value)
    return _save_appointment(appointment, by=by, update_fields={*fields, "updated_at"})


def appointment_delete(*, by, appointment: Appointment) -> Appointment:
    """Mark the appointment deleted (entered by mistake); an ended term is ended, not deleted."""
    return appointment.mark_deleted(by=by)


# Receivers of ``person_merged`` (apps/members/signals.py, connected in apps.py): each moves the
# people app's own rows that name the duplicate. Every such row moves, whoever can see it, so
# they are not scoped; ``refuse_rows_outside`` is what keeps a row from naming an outsider.


@transaction.atomic
def appointments_move(*, survivor: Member, duplicate: Member, by) -> int:
    """The duplicate's appointments (deleted ones too) become the survivor's."""
    rows = Appointment.objects.filter(member=duplicate)
    refuse_rows_outside(rows, survivor)
    moved = 0
    for appointment in rows.select_for_update().order_by("pk"):
        # Judged by refuse_rows_outside, not by the appointment's own clean(): a merge may keep
        # the record of the organization above both (docs/merging.md), as for meetings.
        appointment.member = survivor
        appointment.validate_constraints()
        history_note(appointment, by=by, reason=merged_reason(survivor, duplicate))
        appointment.save(update_fields={"member", "updated_at"})
        moved += 1
    return moved


@transaction.atomic
def merged_members_move(*, survivor: Member, duplicate: Member, by) -> int:
    """Records merged into the duplicate earlier now name the survivor: no chain of merges
    ends at a deleted record."""
    rows = Member.objects.select_for_update().filter(merged_into=duplicate).order_by("pk")
    moved = 0
    for earlier in rows:  # only the link changes, on a deleted record: nothing to validate
        earlier.merged_into = survivor
        history_note(earlier, by=by, reason=merged_reason(survivor, duplicate))
        earlier.save(update_fields=["merged_into", "updated_at"])
        moved += 1
    return moved


def member_attachments_move(*, survivor: Member, duplicate: Member, by) -> int:
    """The duplicate's files follow the survivor (the files app moves them)."""
    return attachments_move(from_record=duplicate, to_record=survivor, by=by)


def merged_reason(survivor: Member, duplicate: Member) -> str:
    """The history row's reason for a row moved by a merge."""
    return f"person #{duplicate.pk} merged into #{survivor.pk}"

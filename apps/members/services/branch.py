"""Writing the party branch's meetings (三会一课), their attendance and the required frequencies:
the API and the admin share these rules (the demo bulk-creates rows it makes valid)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.history import history_note
from apps.core.models import CLIENT_KEY_FIELDS, checked_by_the_database
from apps.members.choices import AttendanceStatus
from apps.members.models import BranchAttendance, BranchMeeting, MeetingRequirement, Member
from apps.members.services.people import merged_reason
from apps.members.signals import refuse_rows_outside

MEETING_EDITABLE_FIELDS = ("kind", "held_on", "topic", "chair", "recorder", "minutes")
ATTENDANCE_FIELDS = ("status", "reason")
LISTED_TWICE = _("%(person)s is listed twice.")
ENTRY_PROBLEM = _("%(person)s: %(problem)s")


def _check_fields(fields: Mapping, editable=MEETING_EDITABLE_FIELDS) -> None:
    unknown = set(fields) - set(editable)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")


def branch_meeting_create(*, by, organization, kind: str, held_on, topic: str, **fields):
    """Record a meeting held by ``organization``'s party branch (the API gives the client's
    key too)."""
    _check_fields(fields, editable=(*MEETING_EDITABLE_FIELDS, *CLIENT_KEY_FIELDS))
    meeting = BranchMeeting(
        organization=organization, kind=kind, held_on=held_on, topic=topic, **fields
    )
    meeting.full_clean(exclude=checked_by_the_database(meeting))
    history_note(meeting, by=by, reason="")
    meeting.save()
    return meeting


def branch_meeting_update(*, by, meeting: BranchMeeting, **fields) -> BranchMeeting:
    """Change the given fields; the organization is set once."""
    _check_fields(fields)
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.full_clean(exclude=checked_by_the_database(meeting))
    history_note(meeting, by=by, reason="")
    meeting.save(update_fields={*fields, "updated_at"})
    return meeting


def branch_meeting_delete(*, by, meeting: BranchMeeting) -> BranchMeeting:
    """Mark the meeting deleted (entered by mistake): gone from lists and from compliance."""
    return meeting.mark_deleted(by=by)


@dataclass
class AttendanceChanges:
    """What ``branch_attendance_set`` did (the admin's change message reads it)."""

    added: list[BranchAttendance] = field(default_factory=list)
    changed: list[tuple[BranchAttendance, list[str]]] = field(default_factory=list)
    removed: list[BranchAttendance] = field(default_factory=list)


def branch_attendance_set(
    *, by, meeting: BranchMeeting, entries: Iterable[Mapping]
) -> AttendanceChanges:
    """Make ``entries`` ({"member", "status", "reason"}) the meeting's whole attendance.

    Every entry is checked before anything is written: a person of another
    organization's subtree, a leave without a reason or a person listed twice
    refuses the whole list, naming each problem. Rows already there are kept
    (and changed if their status or reason changed); people no longer listed
    are marked deleted.
    """
    entries = list(entries)
    people = Member.objects.select_related("organization").in_bulk(
        [_pk(entry["member"]) for entry in entries]
    )
    with transaction.atomic():
        # Two saves of one meeting's attendance take turns (there may be no row yet to lock).
        BranchMeeting.objects.select_for_update().filter(pk=meeting.pk).values_list("pk").get()
        existing = {
            row.member_id: row for row in BranchAttendance.objects.alive().filter(meeting=meeting)
        }
        rows, problems, seen = [], [], set()
        for entry in entries:
            person = people.get(_pk(entry["member"]))
            if person is None:
                raise ValidationError({"attendance": [_("Unknown person.")]})
            if person.pk in seen:
                problems.append(LISTED_TWICE % {"person": person})
                continue
            seen.add(person.pk)
            row = existing.get(person.pk) or BranchAttendance(meeting=meeting, member=person)
            row.meeting, row.member = meeting, person  # loaded once, for the subtree check
            changed = [
                name
                for name in ATTENDANCE_FIELDS
                if getattr(row, name) != entry.get(name, _default(name))
            ]
            for name in ATTENDANCE_FIELDS:
                setattr(row, name, entry.get(name, _default(name)))
            try:
                row.full_clean(exclude=["meeting"], validate_constraints=False)
            except ValidationError as exc:
                problems.extend(
                    ENTRY_PROBLEM % {"person": person, "problem": message}
                    for message in exc.messages
                )
            rows.append((row, changed))
        if problems:
            raise ValidationError({"attendance": problems})
        changes = AttendanceChanges()
        for row, changed in rows:
            history_note(row, by=by, reason="")
            if row.pk is None:
                row.save()
                changes.added.append(row)
            elif changed:
                row.save(update_fields=[*changed, "updated_at"])
                changes.changed.append((row, changed))
        for member_id, row in existing.items():
            if member_id not in seen:
                row.mark_deleted(by=by)
                changes.removed.append(row)
    return changes


def _pk(member) -> int:
    return member.pk if isinstance(member, Member) else int(member)


def _default(name: str):
    return BranchAttendance._meta.get_field(name).get_default()


# Receivers of ``person_merged`` (apps/members/signals.py; see services.py). A meeting whose
# chair, recorder or attendance changed is saved too: clients read attendance inside its
# meeting, and learn of a change by the meeting's ``updated_at``. The meeting's own rule (its
# people are of its subtree) is for picking people; a merge is judged by refuse_rows_outside,
# which lets a record higher in the tree take the rows (docs/merging.md), so the rows are
# checked against their constraints, not their clean().

# present > leave > absent: two rows of one meeting become one with the stronger status.
STATUS_STRENGTH = {
    AttendanceStatus.PRESENT: 2,
    AttendanceStatus.LEAVE: 1,
    AttendanceStatus.ABSENT: 0,
}


@transaction.atomic
def branch_meetings_move(*, survivor: Member, duplicate: Member, by) -> int:
    """Meetings chaired or recorded by the duplicate (deleted ones too) name the survivor."""
    meetings = BranchMeeting.objects.filter(Q(chair=duplicate) | Q(recorder=duplicate))
    refuse_rows_outside(meetings, survivor)
    moved = 0
    for meeting in meetings.select_for_update().order_by("pk"):
        for name in ("chair", "recorder"):
            if getattr(meeting, f"{name}_id") == duplicate.pk:
                setattr(meeting, name, survivor)
                moved += 1
        _meeting_touched(meeting, survivor=survivor, duplicate=duplicate, by=by)
    return moved


@transaction.atomic
def branch_attendance_move(*, survivor: Member, duplicate: Member, by) -> int:
    """The duplicate's attendance becomes the survivor's; where both were listed at one meeting
    the survivor's row keeps the stronger status (and its reason), and the duplicate's row is
    marked deleted, with a history row saying so: merging never loses a status nor a row."""
    rows = BranchAttendance.objects.alive().filter(member=duplicate)
    refuse_rows_outside(rows, survivor)
    rows = list(rows.select_for_update().order_by("pk"))
    theirs = {
        row.meeting_id: row
        for row in BranchAttendance.objects.select_for_update()
        .alive()
        .filter(member=survivor, meeting_id__in=[row.meeting_id for row in rows])
        .order_by("pk")
    }
    reason = merged_reason(survivor, duplicate)
    for row in rows:
        kept = theirs.get(row.meeting_id)
        if kept is None:
            row.member = survivor
            _attendance_save(row, ["member"], by=by, reason=reason)
            continue
        if STATUS_STRENGTH[row.status] > STATUS_STRENGTH[kept.status]:
            kept.status, kept.reason = row.status, row.reason
            _attendance_save(kept, ["status", "reason"], by=by, reason=reason)
        row.mark_deleted(by=by, reason=f"{reason}: folded into #{kept.pk}")
    for meeting in BranchMeeting.objects.select_for_update().filter(
        pk__in=sorted({row.meeting_id for row in rows})
    ):
        _meeting_touched(meeting, survivor=survivor, duplicate=duplicate, by=by)
    return len(rows)


def _attendance_save(row: BranchAttendance, changed: list[str], *, by, reason: str) -> None:
    row.validate_constraints()
    history_note(row, by=by, reason=reason)
    row.save(update_fields=[*changed, "updated_at"])


def _meeting_touched(meeting: BranchMeeting, *, survivor: Member, duplicate: Member, by) -> None:
    meeting.validate_constraints()
    history_note(meeting, by=by, reason=merged_reason(survivor, duplicate))
    meeting.save(update_fields=["chair", "recorder", "updated_at"])


@transaction.atomic
def meeting_requirement_add(
    *, kind: str, period: str, minimum: int, effective_from
) -> MeetingRequirement:
    """Require ``kind`` ``minimum`` times a ``period`` from ``effective_from`` on (the first of
    this month or later): how a frequency changes; the earlier rule goes on judging the periods
    before it."""
    requirement = MeetingRequirement(
        kind=kind, period=period, minimum=minimum, effective_from=effective_from
    )
    requirement.full_clean()
    requirement.save()
    return requirement


REQUIREMENT_FIELDS = ("period", "minimum", "effective_from")


@transaction.atomic
def meeting_requirement_update(*, requirement: MeetingRequirement, **fields) -> MeetingRequirement:
    """Correct a rule that has judged no period that has ended yet (one from this month or later);
    a settled rule is refused (``apps/core/effective.py``). The kind is set once."""
    _check_fields(fields, REQUIREMENT_FIELDS)
    for name, value in fields.items():
        setattr(requirement, name, value)
    requirement.full_clean()
    requirement.save(update_fields={*fields, "updated_at"})
    return requirement

"""Writing councils, their members, meetings (with attendance) and topics: the API and the admin
write through these; the Excel imports (``apps.councils.imports``) and the demo check their
rows by the same models' rules and write them in bulk (docs/councils.md).

Every service is keyword-only, atomic and cleans before it saves (docs/architecture.md). A
meeting's and a topic's organization is its council's, set here. A topic's status moves only
through ``topic_transition`` (``apps.core.transitions``), which takes the time of the move as
``now`` so tests and the demo can place it anywhere.
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.history import history_note
from apps.core.models import CLIENT_KEY_FIELDS, checked_by_the_database
from apps.core.transitions import transition
from apps.councils.models import (
    NOT_A_MEMBER,
    Council,
    CouncilMember,
    Meeting,
    MeetingAttendance,
    Topic,
)
from apps.members.models import Member
from apps.members.services.people import merged_reason
from apps.members.signals import refuse_rows_outside

COUNCIL_FIELDS = ("name", "established_on", "dissolved_on", "themes")
MEMBER_FIELDS = ("person", "role", "term_start", "term_end")
MEETING_FIELDS = (
    "held_on",
    "mode",
    "channel",
    "place",
    "chair",
    "recorder",
    "minutes",
    "guests_count",
)
# What a topic's own edits change; the status and what its moves set go through transitions.
TOPIC_FIELDS = (
    "meeting",
    "raised_via",
    "raised_by",
    "raised_on",
    "title",
    "description",
    "category",
    "evidence",
    "feedback",
)
NO_COUNCIL = _("Choose the council.")


def _check_fields(fields: Mapping, editable) -> None:
    unknown = set(fields) - set(editable)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")


def _save_new(record, *, by):
    record.full_clean(exclude=checked_by_the_database(record))
    history_note(record, by=by, reason="")
    record.save()
    return record


def _save_changed(record, *, by, fields: Mapping):
    for name, value in fields.items():
        setattr(record, name, value)
    record.full_clean(exclude=checked_by_the_database(record))
    history_note(record, by=by, reason="")
    record.save(update_fields={*fields, "updated_at"})
    return record


# --- Councils and their members --------------------------------------------------------------


def council_create(*, by, organization, **fields) -> Council:
    """Set up a council of ``organization`` (the API gives the client's key too)."""
    _check_fields(fields, (*COUNCIL_FIELDS, *CLIENT_KEY_FIELDS))
    return _save_new(Council(organization=organization, **fields), by=by)


def council_update(*, by, council: Council, **fields) -> Council:
    """Change a council; dissolving it is giving ``dissolved_on``: its history stays."""
    _check_fields(fields, COUNCIL_FIELDS)
    return _save_changed(council, by=by, fields=fields)


def council_delete(*, by, council: Council) -> Council:
    """Mark a council deleted (entered by mistake); a council that ended is dissolved."""
    return council.mark_deleted(by=by)


@transaction.atomic
def council_member_add(*, by, council: Council, **fields) -> CouncilMember:
    """A person of the council's organization (or below) joins it in a role for a term."""
    _check_fields(fields, (*MEMBER_FIELDS, *CLIENT_KEY_FIELDS))
    if council is None:
        raise ValidationError({"council": [NO_COUNCIL]})
    member = CouncilMember(organization=council.organization, council=council, **fields)
    return _save_new(member, by=by)


def council_member_update(*, by, member: CouncilMember, **fields) -> CouncilMember:
    """Change the person's role or term (a term is ended by its end date)."""
    _check_fields(fields, MEMBER_FIELDS)
    return _save_changed(member, by=by, fields=fields)


def council_member_delete(*, by, member: CouncilMember) -> CouncilMember:
    return member.mark_deleted(by=by)


# --- Meetings and their attendance -----------------------------------------------------------


def attendance_check(meeting: Meeting, people: list[Member]) -> None:
    """Everyone present must be a member of the council (any role) on the day of the meeting:
    invited guests are counted in ``guests_count``, not listed."""
    ids = {person.pk for person in people}
    serving = set(
        CouncilMember.objects.alive()
        .filter(council_id=meeting.council_id, person_id__in=ids, term_start__lte=meeting.held_on)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=meeting.held_on))
        .values_list("person_id", flat=True)
    )
    strangers = [person for person in people if person.pk not in serving]
    if strangers:
        names = "、".join(str(person) for person in strangers)
        raise ValidationError({"attendance": [f"{NOT_A_MEMBER}（{names}）"]})


def meeting_attendance_set(*, by, meeting: Meeting, people: Iterable[Member]) -> Meeting:
    """The members present at ``meeting`` become exactly ``people``: rows of those no longer
    listed go (their history keeps them), the new ones are added."""
    people = list({person.pk: person for person in people}.values())
    attendance_check(meeting, people)
    with transaction.atomic():
        wanted = {person.pk for person in people}
        rows = list(MeetingAttendance.objects.select_for_update().filter(meeting=meeting))
        for row in rows:
            if row.person_id not in wanted:
                history_note(row, by=by, reason="")
                row.delete()
        present = {row.person_id for row in rows}
        for person in people:
            if person.pk not in present:
                row = MeetingAttendance(meeting=meeting, person=person)
                history_note(row, by=by, reason="")
                row.save()
    return meeting


@transaction.atomic
def meeting_create(*, by, council: Council, attendance=None, **fields) -> Meeting:
    """Record a meeting ``council`` held, with the members present. All or nothing: a
    non-member among them leaves no meeting."""
    _check_fields(fields, (*MEETING_FIELDS, *CLIENT_KEY_FIELDS))
    if council is None:
        raise ValidationError({"council": [NO_COUNCIL]})
    meeting = _save_new(
        Meeting(organization=council.organization, council=council, **fields), by=by
    )
    if attendance:
        meeting_attendance_set(by=by, meeting=meeting, people=attendance)
    return meeting


@transaction.atomic
def meeting_update(*, by, meeting: Meeting, attendance=None, **fields) -> Meeting:
    """Change a meeting; ``attendance`` (when given) replaces the list of members present."""
    _check_fields(fields, MEETING_FIELDS)
    meeting = _save_changed(meeting, by=by, fields=fields)
    if attendance is not None:
        meeting_attendance_set(by=by, meeting=meeting, people=attendance)
    elif "held_on" in fields:  # the members listed must still serve on the new day
        people = [row.person for row in meeting.attendance.select_related("person")]
        attendance_check(meeting, people)
    return meeting


def meeting_delete(*, by, meeting: Meeting) -> Meeting:
    return meeting.mark_deleted(by=by)


# --- Topics ----------------------------------------------------------------------------------


def topic_create(*, by, council: Council, **fields) -> Topic:
    """Record a topic raised at a meeting of ``council`` or through its online hall: it starts
    as raised; everything after moves through ``topic_transition``."""
    _check_fields(fields, (*TOPIC_FIELDS, *CLIENT_KEY_FIELDS))
    if council is None:
        raise ValidationError({"council": [NO_COUNCIL]})
    return _save_new(Topic(organization=council.organization, council=council, **fields), by=by)


def topic_update(*, by, topic: Topic, **fields) -> Topic:
    _check_fields(fields, TOPIC_FIELDS)
    return _save_changed(topic, by=by, fields=fields)


def topic_delete(*, by, topic: Topic) -> Topic:
    return topic.mark_deleted(by=by)


def topic_transition(
    *, by, topic: Topic, to: str, note: str = "", version=None, now=None, **needs
) -> Topic:
    """A status move through the transitions table, at ``now`` (the current time if not
    given): the API's and the admin's doors call ``transition()`` the same way."""
    return transition(topic, to=to, by=by, note=note, version=version, now=now, **needs)


# --- Merging two records of one person (docs/merging.md) -------------------------------------


@transaction.atomic
def council_people_move(*, survivor: Member, duplicate: Member, by) -> int:
    """What names the duplicate here (memberships, chairs and recorders, attendance, topics
    raised; deleted ones too) names the survivor, a history row each. Where both were present at
    one meeting, the duplicate's row goes: the survivor's says she was there."""
    reason = merged_reason(survivor, duplicate)
    moved = 0
    for model, names in (
        (CouncilMember, ("person",)),
        (Meeting, ("chair", "recorder")),
        (Topic, ("raised_by",)),
    ):
        query = Q()
        for name in names:
            query |= Q(**{name: duplicate})
        rows = model.objects.filter(query)
        refuse_rows_outside(rows, survivor)
        for row in rows.select_for_update().order_by("pk"):
            changed = [name for name in names if getattr(row, f"{name}_id") == duplicate.pk]
            for name in changed:
                setattr(row, name, survivor)
            history_note(row, by=by, reason=reason)
            row.save(update_fields={*changed, "updated_at"})
            moved += len(changed)
    rows = MeetingAttendance.objects.filter(person=duplicate)
    refuse_rows_outside(rows, survivor)
    for row in rows.select_for_update().order_by("pk"):
        history_note(row, by=by, reason=reason)
        if MeetingAttendance.objects.filter(meeting_id=row.meeting_id, person=survivor).exists():
            row.delete()
        else:
            row.person = survivor
            row.save(update_fields=["person", "updated_at"])
        moved += 1
    return moved

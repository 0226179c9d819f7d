"""insert_with_history (apps/core/bulk.py): new rows by COPY, their history rows copied by the
database, as simple-history's own would be."""

import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from apps.core.actors import SYSTEM
from apps.core.bulk import insert_with_history
from apps.members.models import BranchAttendance, BranchMeeting, Member
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

SAME = ["gender", "organization_id", "version", "deleted_at", "history_type", "history_user"]


def people(tree, *names):
    return [
        Member(organization=tree.village_a1, name=name, name_pinyin=name, gender="female")
        for name in names
    ]


def test_the_rows_and_their_history_are_those_simple_history_writes(tree, user_in):
    staff = user_in(tree.street_a, "staff")
    ours = insert_with_history(Member, people(tree, "甲", "乙"), by=staff)
    theirs = bulk_create_with_history(people(tree, "丙", "丁"), Member, default_user=staff)

    def history(rows, names):
        entries = Member.history.filter(id__in=[row.pk for row in rows]).order_by("id")
        return [[getattr(entry, name) for name in names] for entry in entries]

    assert [row.pk for row in ours] == sorted(row.pk for row in ours)
    assert [(row.name, row._state.adding) for row in ours] == [("甲", False), ("乙", False)]
    assert history(ours, SAME) == history(theirs, SAME)
    assert history(ours, ["id", "name", "history_change_reason"]) == [
        [ours[0].pk, "甲", None],
        [ours[1].pk, "乙", None],
    ]
    stored = Member.objects.get(pk=ours[0].pk)
    assert stored.created_at == stored.updated_at == ours[0].created_at
    assert abs(stored.created_at - timezone.now()) < datetime.timedelta(minutes=1)


def test_the_system_is_nobody_in_history(tree):
    (person,) = insert_with_history(Member, people(tree, "甲"), by=SYSTEM)

    assert Member.history.get(id=person.pk).history_user is None


def test_a_related_row_saved_after_it_was_set_is_named_by_its_id(tree):
    """As bulk_create: attendance made with an unsaved meeting, the meeting saved in between."""
    someone = make_member(tree.village_a1)
    meeting = BranchMeeting(
        organization=tree.village_a1,
        kind="general_meeting",
        held_on=datetime.date(2024, 3, 1),
        topic="学习",
    )
    attendance = BranchAttendance(meeting=meeting, member=someone, status="present")
    meeting.save()

    insert_with_history(BranchAttendance, [attendance], by=SYSTEM)

    assert BranchAttendance.objects.get().meeting == meeting
    assert BranchAttendance.history.get().meeting_id == meeting.pk


def test_a_taken_unique_value_is_an_integrity_error_and_nothing_keeps_an_id(tree):
    first = make_member(tree.village_a1)
    Member.objects.filter(pk=first.pk).update(client_id="8b9c5a52-0000-4000-8000-000000000001")
    clashing = people(tree, "甲", "乙")
    clashing[1].client_id = "8b9c5a52-0000-4000-8000-000000000001"

    with pytest.raises(IntegrityError):
        insert_with_history(Member, clashing, by=SYSTEM)

    assert [row.pk for row in clashing] == [None, None]


def test_a_row_that_has_an_id_is_refused(tree):
    with pytest.raises(ValueError, match="already has an id"):
        insert_with_history(Member, [make_member(tree.village_a1)], by=SYSTEM)

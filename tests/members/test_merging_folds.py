"""Merging what is there twice: two attendance rows of one meeting, a group of records."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.actors import SYSTEM
from apps.files.models import Attachment
from apps.files.services import attachment_create
from apps.members import merging
from apps.members.models import Appointment, BranchAttendance, BranchMeeting, Member
from apps.members.services import branch as branch_services
from apps.members.services import people as services
from apps.organizations.roles import Role
from tests.factories.members import make_member
from tests.files.samples import PDF

pytestmark = pytest.mark.django_db

BORN = datetime.date(1972, 8, 15)


@pytest.mark.parametrize(
    ("survivors", "duplicates", "kept"),
    [
        (("present", ""), ("absent", ""), ("present", "")),
        (("absent", ""), ("present", ""), ("present", "")),
        (("absent", ""), ("leave", "病假"), ("leave", "病假")),
        (("leave", "出差"), ("absent", ""), ("leave", "出差")),
        (("leave", "出差"), ("present", ""), ("present", "")),
        (("leave", "出差"), ("leave", "病假"), ("leave", "出差")),  # a tie: the survivor's row
    ],
)
def test_two_rows_of_one_meeting_become_one_with_the_stronger_status(
    tree, user_in, survivors, duplicates, kept
):
    staff = user_in(tree.street_a, Role.STAFF)
    survivor = make_member(tree.village_a1, name="孙梅", id_number="", phone="13700008888")
    duplicate = make_member(tree.village_a1, name="孙梅", id_number="", phone="13700008888")
    meeting = branch_services.branch_meeting_create(
        by=SYSTEM, organization=tree.village_a1, kind="group", held_on=BORN, topic="党小组会"
    )
    entries = [
        {"member": person, "status": status, "reason": reason}
        for person, (status, reason) in ((survivor, survivors), (duplicate, duplicates))
    ]
    theirs, mine = branch_services.branch_attendance_set(
        by=SYSTEM, meeting=meeting, entries=entries
    ).added
    meeting.refresh_from_db()

    merging.member_merge(survivor=survivor, duplicate=duplicate, by=staff)

    row = BranchAttendance.objects.alive().get(meeting=meeting)
    assert (row.pk, row.member, row.status, row.reason) == (theirs.pk, survivor, *kept)
    folded = BranchAttendance.objects.get(pk=mine.pk)  # marked deleted, never removed
    assert (folded.is_deleted, folded.member, folded.status, folded.reason) == (
        True,
        duplicate,
        *duplicates,
    )
    gone = BranchAttendance.history.filter(id=mine.pk).latest()
    assert (gone.history_type, gone.history_user) == ("~", staff)
    assert gone.history_change_reason == (
        f"person #{duplicate.pk} merged into #{survivor.pk}: folded into #{theirs.pk}"
    )
    assert BranchMeeting.objects.get(pk=meeting.pk).updated_at > meeting.updated_at  # synced


def test_a_group_merge_is_all_or_nothing(tree, user_in, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff = user_in(tree.street_a, Role.STAFF)
    survivor = make_member(tree.village_a1, name="周芳", phone="13700008888")
    first = make_member(tree.village_a1, name="周芳", id_number="", phone="13700008888")
    # Another ID number: another person, for all the phone they share.
    other = make_member(tree.village_a1, name="周芳", phone="13700008888")
    appointment = services.appointment_create(
        by=SYSTEM, member=first, organization=tree.village_a1, role="volunteer", started_on=BORN
    )
    attachment = attachment_create(
        record=first, uploaded_file=SimpleUploadedFile("scan.pdf", PDF), by=staff
    )
    history = Member.history.count()

    with pytest.raises(ValidationError, match=r"两个人|two people"):
        merging.member_merge_group(survivor=survivor, duplicates=[first, other], by=staff)

    # The first merge went through before the second was refused: it is undone too.
    assert Member.objects.filter(deleted_at__isnull=True).count() == 3
    assert Appointment.objects.get().member == first
    assert Attachment.objects.get(pk=attachment.pk).object_id == first.pk
    assert Member.history.count() == history
    assert appointment.history.count() == 1


def test_the_duplicates_page_merges_a_group_all_or_nothing(tree, user_in, browser_as):
    staff = user_in(tree.district, Role.STAFF)
    keep = make_member(
        tree.village_a1, name="吴丽", id_number="", birth_date=None, phone="13700005555"
    )
    group = [keep, *(make_member(tree.village_a2, name="吴丽", phone="13700005555") for _ in "ab")]
    client = browser_as(staff)
    form = {"member": [person.pk for person in group], "survivor": keep.pk}

    refused = client.post("/admin/members/member/duplicates/", form, follow=True)

    assert [str(m) for m in refused.context["messages"]] == [
        "这两条记录的身份证号码不同，是两个人。"
    ]
    assert Member.objects.filter(deleted_at__isnull=True).count() == 3

    services.member_update(by=SYSTEM, member=group[2], id_number="")
    client.post("/admin/members/member/duplicates/", form)

    assert Member.objects.filter(deleted_at__isnull=True).get() == keep
    assert {person.merged_into_id for person in Member.objects.exclude(pk=keep.pk)} == {keep.pk}

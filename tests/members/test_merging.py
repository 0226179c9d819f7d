"""Duplicates: found within the user's subtree, merged by signal across every relation, in the
history, a group all or nothing."""

import datetime

import pytest
from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.actors import SYSTEM
from apps.councils import services as council_services
from apps.councils.models import Council, CouncilMember, MeetingAttendance, Topic, TopicCategory
from apps.councils.models import Meeting as CouncilMeeting
from apps.events.models import EventParticipant
from apps.files.models import Attachment
from apps.files.services import attachment_create
from apps.members import merging
from apps.members.models import (
    Appointment,
    BranchAttendance,
    BranchMeeting,
    DuplicateCandidate,
    Member,
)
from apps.members.services import branch as branch_services
from apps.members.services import people as services
from apps.members.signals import kept_references, moved_references
from apps.organizations.roles import Role
from apps.rights.models import StationStaff
from apps.rights.services import stations as station_services
from tests.factories.events import make_participant
from tests.factories.identity import make_id_number
from tests.factories.members import make_member
from tests.files.samples import PDF

pytestmark = pytest.mark.django_db

BORN = datetime.date(1972, 8, 15)
ID_NUMBER = make_id_number(BORN, "female", sequence=88)


def names(groups):
    return sorted(sorted(person.name for person in group) for group in groups)


def test_likely_duplicates_by_id_number_or_name_with_phone_or_birth_date(tree, user_in):
    staff = user_in(tree.district, Role.STAFF)
    # The same ID number entered by two villages that could not see each other's.
    make_member(tree.village_a1, name="何秀珍", id_number=ID_NUMBER, birth_date=None)
    make_member(
        tree.village_b1,
        name="何秀贞",
        id_number=ID_NUMBER,
        birth_date=None,
        by=user_in(tree.village_b1, Role.STAFF),
    )
    make_member(tree.village_a1, name="罗丽", id_number="", phone="13700001111")
    make_member(tree.village_a2, name="罗丽", id_number="", phone="13700001111")
    make_member(tree.village_a1, name="唐敏", id_number="", phone="", birth_date=BORN)
    make_member(tree.village_a2, name="唐敏", id_number="", phone="", birth_date=BORN)
    make_member(
        tree.village_a1, name="唐敏", id_number="", phone="", birth_date=BORN.replace(year=1990)
    )
    make_member(tree.village_a1, name="宋佳", phone="13700002222")
    make_member(tree.village_a2, name="宋佳慧", phone="13700002222")  # another name: no match

    assert names(merging.likely_duplicates(by=staff)) == [
        ["何秀珍", "何秀贞"],
        ["唐敏", "唐敏"],
        ["罗丽", "罗丽"],
    ]
    # A street sees only the pairs inside it.
    street = user_in(tree.street_a, Role.STAFF)
    assert names(merging.likely_duplicates(by=street)) == [["唐敏", "唐敏"], ["罗丽", "罗丽"]]


def test_finding_duplicates_is_a_fixed_number_of_queries(
    tree, user_in, django_assert_max_num_queries
):
    staff = user_in(tree.district, Role.STAFF)
    for n in range(30):
        make_member(tree.village_a1, name=f"重名{n}", id_number="", phone=f"1370000{n:04d}")
        make_member(tree.village_a2, name=f"重名{n}", id_number="", phone=f"1370000{n:04d}")

    with django_assert_max_num_queries(6):
        assert len(merging.likely_duplicates(by=staff)) == 30


def references_to_person():
    """Every (model, field) that can name a person: foreign keys to Member, hidden ones
    (``related_name="+"``) too, and generic links; simple-history's copies left out."""
    found = set()
    for model in apps.get_models():
        if model.__name__.startswith("Historical") or model is DuplicateCandidate:
            continue  # the merge deletes the duplicate's pairs itself (docs/merging.md)
        for field in model._meta.get_fields(include_hidden=True):
            if isinstance(field, GenericForeignKey) or (
                field.concrete and field.is_relation and field.related_model is Member
            ):
                found.add((model, field.name))
    return found


def _merged_earlier(person, tree, staff):
    """A record merged into ``person`` before: its ``merged_into`` names her."""
    earlier = make_member(tree.village_a2, name=person.name, id_number="", phone=person.phone)
    merging.member_merge(survivor=person, duplicate=earlier, by=staff)
    earlier.refresh_from_db()
    return earlier


def _council_of(person):
    """Her organization's council (one for all the makers), set up on the day she was born."""
    council = Council.objects.filter(organization=person.organization).first()
    return council or council_services.council_create(
        by=SYSTEM, organization=person.organization, name="妇女议事会", established_on=BORN
    )


# One maker per reference to a person: the test fails when a new one appears.
RELATION_MAKERS = {
    (Appointment, "member"): lambda person, tree, staff: services.appointment_create(
        by=SYSTEM,
        member=person,
        organization=person.organization,
        role="volunteer",
        started_on=BORN,
    ),
    (Member, "merged_into"): _merged_earlier,
    (Attachment, "record"): lambda person, tree, staff: attachment_create(
        record=person, uploaded_file=SimpleUploadedFile("scan.pdf", PDF), by=staff
    ),
    # 三会一课 (a meeting of the street, whose subtree holds both records).
    (BranchMeeting, "chair"): lambda person, tree, staff: branch_services.branch_meeting_create(
        by=SYSTEM,
        organization=tree.street_a,
        kind="committee",
        held_on=BORN,
        topic="支委会",
        chair=person,
    ),
    (BranchMeeting, "recorder"): lambda person, tree, staff: branch_services.branch_meeting_create(
        by=SYSTEM,
        organization=tree.street_a,
        kind="lecture",
        held_on=BORN,
        topic="党课",
        recorder=person,
    ),
    (BranchAttendance, "member"): lambda person, tree, staff: branch_services.branch_attendance_set(
        by=SYSTEM,
        meeting=branch_services.branch_meeting_create(
            by=SYSTEM, organization=tree.street_a, kind="group", held_on=BORN, topic="党小组会"
        ),
        entries=[{"member": person}],
    ).added[0],
    # A mediator at her village's station (apps/rights).
    (StationStaff, "member"): lambda person, tree, staff: station_services.station_staff_add(
        by=SYSTEM,
        station=station_services.station_create(
            by=SYSTEM,
            organization=person.organization,
            kind="station",
            name="维权服务站",
            opened_on=BORN,
        ),
        member=person,
        role="mediator",
        started_on=BORN,
    ),
    # A council of her village (apps/councils): a membership first, then the meeting she
    # attended as that member, a meeting she chaired, one she recorded, a topic she raised.
    (CouncilMember, "person"): lambda person, tree, staff: council_services.council_member_add(
        by=SYSTEM, council=_council_of(person), person=person, term_start=BORN
    ),
    (MeetingAttendance, "person"): lambda person, tree, staff: MeetingAttendance.objects.get(
        person=person,
        meeting=council_services.meeting_create(
            by=SYSTEM,
            council=CouncilMember.objects.get(person=person).council,
            held_on=BORN,
            place="村委会",
            attendance=[person],
        ),
    ),
    (CouncilMeeting, "chair"): lambda person, tree, staff: council_services.meeting_create(
        by=SYSTEM, council=_council_of(person), held_on=BORN, place="村委会", chair=person
    ),
    (CouncilMeeting, "recorder"): lambda person, tree, staff: council_services.meeting_create(
        by=SYSTEM, council=_council_of(person), held_on=BORN, place="村委会", recorder=person
    ),
    (Topic, "raised_by"): lambda person, tree, staff: council_services.topic_create(
        by=SYSTEM,
        council=_council_of(person),
        raised_via="online_hall",
        raised_by=person,
        raised_on=BORN,
        title="路灯不亮",
        category=TopicCategory.objects.get_or_create(code="village_affairs")[0],
    ),
    # A trainee on the list of her village's training (apps/events).
    (EventParticipant, "member"): lambda person, tree, staff: make_participant(
        person.organization, member=person
    ),
}


def test_every_reference_to_a_person_is_moved_by_a_receiver_of_person_merged():
    # A new foreign key to Member needs a mover connected with on_person_merged, in its own
    # app's ready() (docs/merging.md), and a maker above.
    assert references_to_person() == set(moved_references()) | set(kept_references())
    assert not set(moved_references()) & set(kept_references())
    assert set(RELATION_MAKERS) == set(moved_references())


def test_a_merge_moves_every_relation_and_is_in_the_history(tree, user_in, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff = user_in(tree.district, Role.STAFF)
    # The street's record survives: every row naming the village's record lies below it.
    survivor = make_member(
        tree.street_a, name="何秀珍", id_number=ID_NUMBER, birth_date=None, phone=""
    )
    duplicate = make_member(
        tree.village_a2,
        name="何秀珍",
        id_number="",
        phone="13700003333",
        birth_date=BORN,  # the same name and birth date: likely her
        address="甲二社区8号",
    )
    rows = {key: make(duplicate, tree, staff) for key, make in RELATION_MAKERS.items()}
    counts = {model: model._base_manager.count() for model, _ in RELATION_MAKERS}
    moved_reason = f"person #{duplicate.pk} merged into #{survivor.pk}"
    reasons = {(Attachment, "record"): f"moved from #{duplicate.pk} to #{survivor.pk}"}

    merging.member_merge(survivor=survivor, duplicate=duplicate, by=staff)

    for (model, field), row in rows.items():
        stored = model._base_manager.get(pk=row.pk)
        assert getattr(stored, field).pk == survivor.pk, (model, field)
        assert stored.updated_at > row.updated_at, (model, field)
        latest = stored.history.latest()
        assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
            "~",
            staff,
            reasons.get((model, field), moved_reason),
        ), (model, field)
    # Nothing was deleted: every row is still there.
    assert {model: model._base_manager.count() for model, _ in RELATION_MAKERS} == counts
    assert Attachment.objects.get().organization == tree.street_a  # read by its new record's rules
    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert duplicate.deleted_at is not None and duplicate.merged_into == survivor
    assert (survivor.phone, survivor.address) == ("+8613700003333", "甲二社区8号")  # blanks filled
    assert survivor.id_number == ID_NUMBER
    dropped, kept = duplicate.history.latest(), survivor.history.latest()
    assert (dropped.history_user, dropped.history_change_reason) == (
        staff,
        f"merged into #{survivor.pk}",
    )
    assert (kept.history_user, kept.history_change_reason) == (
        staff,
        f"merged #{duplicate.pk} into this record ({len(RELATION_MAKERS)} moved)",
    )


def test_two_different_id_numbers_are_two_people(tree, user_in):
    staff = user_in(tree.district, Role.STAFF)
    one = make_member(tree.village_a1, name="同名")
    other = make_member(tree.village_a2, name="同名")

    with pytest.raises(ValidationError, match=r"两个人|two people"):
        merging.member_merge(survivor=one, duplicate=other, by=staff)

    assert Member.objects.filter(deleted_at__isnull=True).count() == 2


def test_a_merge_reaches_no_one_outside_the_users_subtree(tree, user_in):
    street = user_in(tree.street_a, Role.STAFF)
    mine = make_member(tree.village_a1, name="同名", id_number="", phone="13700008888")
    theirs = make_member(tree.village_b1, name="同名", id_number="", phone="13700008888")

    with pytest.raises(ValidationError, match=r"不在|not on file"):
        merging.member_merge(survivor=mine, duplicate=theirs, by=street)

    theirs.refresh_from_db()
    assert theirs.deleted_at is None


def test_staff_merge_in_the_admin_and_history_says_who(tree, user_in, browser_as):
    staff = user_in(tree.district, Role.STAFF)
    keep = make_member(tree.village_a1, name="罗丽", id_number="", phone="13700001111")
    drop = make_member(tree.village_a2, name="罗丽", id_number="", phone="13700001111")
    client = browser_as(staff)

    listing = client.get("/admin/members/member/").content.decode()
    assert "/admin/members/member/duplicates/" in listing  # the way there, for staff
    page = client.get("/admin/members/member/duplicates/")
    assert page.status_code == 200 and page.content.decode().count("罗丽") >= 2

    done = client.post(
        "/admin/members/member/duplicates/", {"member": [keep.pk, drop.pk], "survivor": keep.pk}
    )

    assert done.status_code == 302
    drop.refresh_from_db()
    assert drop.merged_into == keep
    assert drop.history.latest().history_user == staff


def test_a_case_worker_may_not_merge(tree, user_in, browser_as):
    client = browser_as(user_in(tree.district, Role.CASE_WORKER))

    assert client.get("/admin/members/member/duplicates/").status_code == 403
    assert "/duplicates/" not in client.get("/admin/members/member/").content.decode()


def test_the_admin_form_offers_the_person_already_on_file(tree, user_in, browser_as):
    on_file = make_member(tree.village_a1, name="何秀珍", id_number=ID_NUMBER, birth_date=None)

    page = browser_as(user_in(tree.street_a, Role.STAFF)).post(
        "/admin/members/member/add/",
        {
            "organization": tree.village_a2.pk,
            "name": "何秀珍",
            "gender": "female",
            "ethnicity": "han",
            "id_number": ID_NUMBER,
            "appointments-TOTAL_FORMS": "0",
            "appointments-INITIAL_FORMS": "0",
        },
    )

    assert page.status_code == 200
    assert f"/admin/members/member/{on_file.pk}/change/" in page.content.decode()
    assert Member.objects.count() == 1


def test_a_merge_that_would_show_a_village_someone_from_outside_it_is_refused(
    tree, user_in, settings, tmp_path
):
    """A1's meeting chaired by A1's record must not end up naming A2's person."""
    settings.MEDIA_ROOT = tmp_path
    street = user_in(tree.street_a, Role.STAFF)
    duplicate = make_member(tree.village_a1, name="张三", id_number="", phone="13700008888")
    survivor = make_member(tree.village_a2, name="张三", id_number="", phone="13700008888")
    meeting = branch_services.branch_meeting_create(
        by=SYSTEM,
        organization=tree.village_a1,
        kind="committee",
        held_on=BORN,
        topic="支委会",
        chair=duplicate,
    )
    upload = SimpleUploadedFile("scan.pdf", PDF)
    attachment = attachment_create(record=duplicate, uploaded_file=upload, by=street)

    with pytest.raises(ValidationError, match=r"共同上级|above both"):
        merging.member_merge(survivor=survivor, duplicate=duplicate, by=street)

    meeting.refresh_from_db()
    assert meeting.chair == duplicate
    # The meetings' receiver refused: what another receiver had moved is undone with it.
    attachment.refresh_from_db()
    assert (attachment.object_id, attachment.history.count()) == (duplicate.pk, 1)
    # The other way round (keep the record whose village holds the rows) is fine.
    merging.member_merge(survivor=duplicate, duplicate=survivor, by=street)


def test_a_merge_moves_the_duplicates_attachments(tree, user_in, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff = user_in(tree.street_a, Role.STAFF)
    duplicate = make_member(tree.village_a1, name="李四", id_number="", phone="13700008888")
    survivor = make_member(tree.village_a1, name="李四", id_number="", phone="13700008888")
    upload = SimpleUploadedFile("scan.pdf", PDF)
    attachment = attachment_create(record=duplicate, uploaded_file=upload, by=staff)

    merging.member_merge(survivor=survivor, duplicate=duplicate, by=staff)

    attachment.refresh_from_db()
    assert (attachment.object_id, attachment.record) == (survivor.pk, survivor)
    moved = attachment.history.latest()
    assert (moved.history_user, moved.history_change_reason) == (
        staff,
        f"moved from #{duplicate.pk} to #{survivor.pk}",
    )


def test_a_merge_that_would_leave_the_id_number_disagreeing_is_refused(tree, user_in):
    staff = user_in(tree.street_a, Role.STAFF)
    survivor = make_member(
        tree.village_a1, name="赵六", id_number="", phone="13700004444", birth_date=BORN
    )
    duplicate = make_member(
        tree.village_a2, name="赵六", phone="13700004444", birth_date=BORN.replace(year=1980)
    )

    with pytest.raises(ValidationError):
        merging.member_merge(survivor=survivor, duplicate=duplicate, by=staff)

    survivor.refresh_from_db()
    assert survivor.id_number == "" and Member.objects.filter(deleted_at__isnull=True).count() == 2


def test_merging_twice_leaves_every_merged_record_pointing_at_a_live_one(tree, user_in):
    staff = user_in(tree.street_a, Role.STAFF)
    a, b, c = (
        make_member(tree.village_a1, name="王五", id_number="", phone="13700008888")
        for _ in range(3)
    )

    merging.member_merge(survivor=b, duplicate=a, by=staff)
    merging.member_merge(survivor=c, duplicate=b, by=staff)

    a.refresh_from_db()
    assert a.merged_into == c


@pytest.mark.parametrize(
    "form", [{"member": ["x", ""], "survivor": "y"}, {"member": ["1"], "survivor": ""}, {}]
)
def test_nonsense_posted_to_the_duplicates_page_is_a_message_not_a_500(
    tree, user_in, browser_as, form
):
    page = browser_as(user_in(tree.district, Role.STAFF)).post(
        "/admin/members/member/duplicates/", form
    )

    assert page.status_code == 302

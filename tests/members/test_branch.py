"""三会一课: party branch meetings, their attendance, and compliance with the required frequency."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from apps.accounts.models import User
from apps.core.actors import SYSTEM
from apps.members.admin import branch as admin_branch
from apps.members.models import BranchAttendance, BranchMeeting, MeetingRequirement
from apps.members.models.branch import LEAVE_NEEDS_A_REASON, NOT_IN_THE_SUBTREE
from apps.members.selectors import branch as branch_selectors
from apps.members.services import branch as branch_services
from apps.members.services import people as services
from apps.organizations.choices import Kind
from apps.organizations.models import Organization
from apps.organizations.roles import Role
from tests.factories.members import make_member
from tests.factories.organizations import make_org

pytestmark = pytest.mark.django_db

D = datetime.date
URL = "/api/v1/branch-meetings/"
CHANGELIST = "/admin/members/branchmeeting/"
COMPLIANCE = "/admin/members/branchmeeting/compliance/"


def meet(organization, kind, held_on, topic="学习党的二十大精神", **fields):
    return branch_services.branch_meeting_create(
        by=SYSTEM, organization=organization, kind=kind, held_on=held_on, topic=topic, **fields
    )


def text(message, **params) -> str:
    """A message as users read it (Chinese by default): the tests hold before and after the
    project's translations of the new messages are merged."""
    with translation.override("zh-hans"):
        return str(message) % params if params else str(message)


def problem(person: str, message) -> str:
    return text(branch_services.ENTRY_PROBLEM, person=person, problem=text(message))


def gaps_of(report) -> set[tuple[str, str, int]]:
    """{(kind, "month"/"quarter", number)} of the report's gaps."""
    return {
        (cell.kind, row.period.length, row.period.number)
        for row in report.rows
        for cell in row.cells
        if cell is not None and cell.gap
    }


@pytest.fixture
def street_staff(tree, user_in):
    return user_in(tree.street_a, Role.STAFF)


@pytest.fixture
def year_2023(tree):
    """village_a1 in 2023, counted by hand: committee meetings every month but March and
    August, group meetings every month (two in May), general meetings in Q1, Q2 and Q4,
    a lecture every quarter, one themed day; and meetings that must not count."""
    village = tree.village_a1
    for month in range(1, 13):
        if month not in (3, 8):
            meet(village, "committee", D(2023, month, 10))
        meet(village, "group", D(2023, month, 20))
    meet(village, "group", D(2023, 5, 28))
    for month in (2, 5, 11):
        meet(village, "general_meeting", D(2023, month, 3))
    for month in (1, 6, 9, 12):
        meet(village, "lecture", D(2023, month, 25))
    meet(village, "themed_day", D(2023, 7, 1))
    # Not counted: deleted, another village's, other years.
    branch_services.branch_meeting_delete(
        by=SYSTEM, meeting=meet(village, "committee", D(2023, 3, 15))
    )
    meet(tree.village_a2, "committee", D(2023, 8, 8))
    meet(village, "general_meeting", D(2022, 8, 1))
    meet(village, "committee", D(2024, 3, 1))
    return village


# --- Compliance ----------------------------------------------------------------------------


def test_the_four_rules_are_seeded_as_data_in_force_since_before_any_meeting():
    rules = MeetingRequirement.objects.values_list("kind", "period", "minimum", "effective_from")

    assert sorted(rules) == [
        ("committee", "month", 1, D(2000, 1, 1)),
        ("general_meeting", "quarter", 1, D(2000, 1, 1)),
        ("group", "month", 1, D(2000, 1, 1)),
        ("lecture", "quarter", 1, D(2000, 1, 1)),
    ]


def test_a_past_year_has_exactly_the_gaps_counted_by_hand(tree, street_staff, year_2023):
    report = branch_selectors.branch_compliance(
        user=street_staff, organization=year_2023, year=2023
    )

    assert gaps_of(report) == {
        ("committee", "month", 3),
        ("committee", "month", 8),
        ("general_meeting", "quarter", 3),
    }
    assert report.gaps == 3
    may = next(
        row for row in report.rows if row.period.length == "month" and row.period.number == 5
    )
    group = next(cell for cell in may.cells if cell and cell.kind == "group")
    themed = next(cell for cell in may.cells if cell and cell.kind == "themed_day")
    assert (group.held, group.required, group.gap) == (2, 1, False)
    assert (themed.held, themed.required, themed.gap) == (0, None, False)  # no rule: never a gap
    assert [(row.period.length, row.period.number) for row in report.rows][:5] == [
        ("month", 1),
        ("month", 2),
        ("month", 3),
        ("quarter", 1),
        ("month", 4),
    ]
    assert len(report.rows) == 16


def test_the_current_year_counts_only_the_periods_up_to_today(tree, street_staff):
    meet(tree.village_a1, "committee", D(2023, 1, 5))
    meet(tree.village_a1, "group", D(2023, 1, 6))

    report = branch_selectors.branch_compliance(
        user=street_staff, organization=tree.village_a1, year=2023, today=D(2023, 5, 15)
    )

    assert [(row.period.length, row.period.number) for row in report.rows] == [
        ("month", 1),
        ("month", 2),
        ("month", 3),
        ("quarter", 1),
        ("month", 4),
        ("month", 5),
        ("quarter", 2),
    ]
    # February to April for the monthly two, the first quarter for the quarterly two; May and
    # the second quarter are still running: not gaps yet.
    assert gaps_of(report) == {
        *((kind, "month", n) for kind in ("committee", "group") for n in (2, 3, 4)),
        ("general_meeting", "quarter", 1),
        ("lecture", "quarter", 1),
    }
    running = [cell for row in report.rows[-2:] for cell in row.cells if cell]
    assert all(cell.in_progress and not cell.gap for cell in running)


def test_a_year_that_has_not_begun_has_no_periods(tree, street_staff):
    report = branch_selectors.branch_compliance(
        user=street_staff, organization=tree.village_a1, year=2024, today=D(2023, 12, 31)
    )

    assert (report.rows, report.gaps) == ([], 0)


def test_changing_the_requirements_changes_the_result_not_the_code(tree, street_staff, year_2023):
    def gaps():
        report = branch_selectors.branch_compliance(
            user=street_staff, organization=year_2023, year=2023
        )
        return gaps_of(report)

    # Committee meetings: twice a quarter is met everywhere (Q1: Jan, Feb; Q3: Jul, Sep).
    MeetingRequirement.objects.filter(kind="committee").update(period="quarter", minimum=2)
    assert gaps() == {("general_meeting", "quarter", 3)}

    # Group meetings twice a month: only May had two.
    MeetingRequirement.objects.filter(kind="group").update(minimum=2)
    assert gaps() == {("general_meeting", "quarter", 3)} | {
        ("group", "month", n) for n in range(1, 13) if n != 5
    }

    # A themed party day every month: a new rule, and a kind without one (0) is never a gap.
    MeetingRequirement.objects.create(
        kind="themed_day", period="month", minimum=1, effective_from=D(2000, 1, 1)
    )
    MeetingRequirement.objects.filter(kind__in=["group", "general_meeting"]).update(minimum=0)
    assert gaps() == {("themed_day", "month", n) for n in range(1, 13) if n != 7}


def test_a_frequency_changed_from_a_date_judges_only_the_periods_from_that_date(
    tree, street_staff, year_2023
):
    def report():
        return branch_selectors.branch_compliance(
            user=street_staff, organization=year_2023, year=2023
        )

    before = report()
    # As if added in 2023: committee meetings three a quarter from July, group meetings two a
    # month from October.
    MeetingRequirement.objects.create(
        kind="committee", period="quarter", minimum=3, effective_from=D(2023, 7, 1)
    )
    MeetingRequirement.objects.create(
        kind="group", period="month", minimum=2, effective_from=D(2023, 10, 1)
    )
    after = report()

    first_half = [row for row in after.rows if row.period.start < D(2023, 7, 1)]
    assert len(first_half) == 8  # six months, two quarters
    assert first_half == before.rows[:8]  # the same cells: held, required, gap
    assert gaps_of(before) == {
        ("committee", "month", 3),
        ("committee", "month", 8),
        ("general_meeting", "quarter", 3),
    }
    assert gaps_of(after) == {
        ("committee", "month", 3),  # before July: as it was
        ("committee", "quarter", 3),  # July and September: two of three
        ("general_meeting", "quarter", 3),
        ("group", "month", 10),
        ("group", "month", 11),
        ("group", "month", 12),
    }
    committee = branch_selectors.KINDS.index("committee")
    by_period = {(row.period.length, row.period.number): row.cells for row in after.rows}
    assert by_period[("month", 8)][committee] is None  # counted by quarter from July
    assert by_period[("quarter", 3)][committee] == branch_selectors.Cell(
        "committee", held=2, required=3, in_progress=False
    )
    assert by_period[("quarter", 4)][committee].held == 3
    assert (before.gaps, after.gaps) == (3, 6)


def test_the_overview_counts_gaps_by_the_rule_of_each_period(tree, street_staff, year_2023):
    MeetingRequirement.objects.create(
        kind="committee", period="month", minimum=0, effective_from=D(2023, 8, 1)
    )

    overview = branch_selectors.branch_compliance_overview(user=street_staff, year=2023)
    report = branch_selectors.branch_compliance(
        user=street_staff, organization=year_2023, year=2023
    )

    # Committee meetings are not required from August: village_a1's gap in March stays, the one
    # in August goes; village_a2 (one committee meeting, in August) keeps January to July:
    # 12 group months + 4 + 4 quarters + 7, where it had 31.
    assert [(row.organization, row.gaps) for row in overview] == [
        (tree.village_a2, 27),
        (tree.village_a1, 2),
    ]
    assert gaps_of(report) == {("committee", "month", 3), ("general_meeting", "quarter", 3)}


def test_periods_before_the_organization_opened_are_not_judged(tree, street_staff):
    village = make_org(tree.street_a, Kind.VILLAGE, "新设社区妇联", opened_on=D(2023, 10, 10))

    report = branch_selectors.branch_compliance(user=street_staff, organization=village, year=2023)

    assert gaps_of(report) == {
        ("committee", "month", 11),
        ("committee", "month", 12),
        ("group", "month", 11),
        ("group", "month", 12),
    }


def test_an_organization_outside_the_subtree_does_not_exist(tree, street_staff):
    with pytest.raises(Organization.DoesNotExist):
        branch_selectors.branch_compliance(
            user=street_staff, organization=tree.village_b1, year=2023
        )


def test_the_overview_lists_the_subtrees_branches_worst_first(tree, street_staff, year_2023):
    secretary = make_member(tree.village_a2, name="支书")
    services.appointment_create(
        by=SYSTEM,
        member=secretary,
        organization=tree.village_a2,
        role="branch_secretary",
        started_on=D(2020, 1, 1),
    )
    for month in range(1, 13):  # the street's own branch: every rule kept
        meet(tree.street_a, "committee", D(2023, month, 2))
        meet(tree.street_a, "group", D(2023, month, 3))
        if month % 3 == 0:
            meet(tree.street_a, "general_meeting", D(2023, month, 4))
            meet(tree.street_a, "lecture", D(2023, month, 5))
    meet(tree.village_b1, "committee", D(2023, 1, 1))  # another street's

    overview = branch_selectors.branch_compliance_overview(user=street_staff, year=2023)

    assert [(row.organization, row.gaps) for row in overview] == [
        # village_a2: a secretary and one committee meeting (August): every other month and
        # quarter is a gap, 12 + 12 + 4 + 4 - 1.
        (tree.village_a2, 31),
        (tree.village_a1, 3),
        (tree.street_a, 0),
    ]
    assert [row.held for row in overview] == [1, 12 + 10 + 1 + 3 + 4 + 1, 32]


def test_the_overview_takes_a_fixed_number_of_queries(tree, street_staff):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            branch_selectors.branch_compliance_overview(user=street_staff, year=2023)
        return len(captured)

    street_staff.organization  # noqa: B018 - loaded once, as a request does
    meet(tree.village_a1, "committee", D(2023, 1, 1))
    few = queries()
    for n in range(8):
        village = make_org(tree.street_a, Kind.VILLAGE, f"加村{n}妇联")
        for month in (1, 4, 7):
            meet(village, "lecture", D(2023, month, 1))

    assert queries() == few == 3


# --- Attendance -----------------------------------------------------------------------------


def test_attendance_is_set_as_a_whole_list(tree):
    meeting = meet(tree.village_a1, "lecture", D(2023, 6, 1))
    first, second, third = (make_member(tree.village_a1, name=n) for n in ("甲", "乙", "丙"))
    branch_services.branch_attendance_set(
        by=SYSTEM,
        meeting=meeting,
        entries=[{"member": first}, {"member": second, "status": "absent"}],
    )

    changes = branch_services.branch_attendance_set(
        by=SYSTEM,
        meeting=meeting,
        entries=[
            {"member": second, "status": "leave", "reason": "身体不适"},
            {"member": third.pk, "status": "present"},
        ],
    )

    rows = meeting.attendance.alive().order_by("member__name_pinyin")
    assert [(row.member.name, row.status, row.reason) for row in rows] == [
        ("丙", "present", ""),
        ("乙", "leave", "身体不适"),
    ]
    taken_off = meeting.attendance.get(member=first)  # marked deleted, never removed
    assert taken_off.is_deleted
    assert [row.member for row in changes.added] == [third]
    assert [(row.member, fields) for row, fields in changes.changed] == [
        (second, ["status", "reason"])
    ]
    assert [row.member for row in changes.removed] == [first]


def test_leave_without_a_reason_is_refused(tree):
    meeting = meet(tree.village_a1, "lecture", D(2023, 6, 1))
    person = make_member(tree.village_a1, name="王芳")

    with pytest.raises(ValidationError) as refused:
        branch_services.branch_attendance_set(
            by=SYSTEM,
            meeting=meeting,
            entries=[{"member": person, "status": "leave", "reason": "  "}],
        )

    assert refused.value.message_dict == {"attendance": [problem("王芳", LEAVE_NEEDS_A_REASON)]}
    assert not BranchAttendance.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        BranchAttendance.objects.create(meeting=meeting, member=person, status="leave")


def test_a_person_outside_the_meetings_subtree_is_refused(tree):
    meeting = meet(tree.village_a1, "committee", D(2023, 6, 1))
    mine = make_member(tree.village_a1, name="本村人")
    sibling = make_member(tree.village_a2, name="邻村人")

    with pytest.raises(ValidationError) as refused:
        branch_services.branch_attendance_set(
            by=SYSTEM, meeting=meeting, entries=[{"member": mine}, {"member": sibling}]
        )

    assert refused.value.message_dict == {"attendance": [problem("邻村人", NOT_IN_THE_SUBTREE)]}
    assert not BranchAttendance.objects.exists()


def test_a_street_meeting_may_have_people_of_its_villages(tree):
    meeting = meet(tree.street_a, "committee", D(2023, 6, 1))
    people = [make_member(tree.village_a1), make_member(tree.village_a2)]

    branch_services.branch_attendance_set(
        by=SYSTEM, meeting=meeting, entries=[{"member": person} for person in people]
    )

    assert meeting.attendance.count() == 2


def test_the_same_person_twice_is_refused(tree):
    meeting = meet(tree.village_a1, "committee", D(2023, 6, 1))
    person = make_member(tree.village_a1, name="王芳")

    with pytest.raises(ValidationError) as refused:
        branch_services.branch_attendance_set(
            by=SYSTEM,
            meeting=meeting,
            entries=[{"member": person}, {"member": person, "status": "absent"}],
        )

    assert refused.value.message_dict == {
        "attendance": [text(branch_services.LISTED_TWICE, person="王芳")]
    }
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        BranchAttendance.objects.bulk_create(
            [BranchAttendance(meeting=meeting, member=person) for _ in range(2)]
        )


def test_a_chair_outside_the_subtree_and_a_meeting_in_the_future_are_refused(tree):
    outsider = make_member(tree.village_b1)

    with pytest.raises(ValidationError) as refused:
        meet(
            tree.village_a1,
            "lecture",
            timezone.localdate() + datetime.timedelta(days=1),
            chair=outsider,
        )

    assert set(refused.value.message_dict) == {"held_on", "chair"}


# --- The API --------------------------------------------------------------------------------


def body(**fields):
    return {
        "client_id": str(uuid.uuid4()),
        "kind": "lecture",
        "held_on": "2023-06-30",
        "topic": "书记讲党课",
        **fields,
    }


def test_staff_record_a_meeting_and_read_it_back_with_its_attendance(tree, user_in, api_as):
    client = api_as(user_in(tree.street_a, Role.STAFF))
    chair = make_member(tree.village_a1, name="李书记")

    created = client.post(URL, body(organization=tree.village_a1.pk, chair=chair.pk), format="json")
    assert created.status_code == 201, created.content
    meeting = BranchMeeting.objects.get()
    branch_services.branch_attendance_set(
        by=SYSTEM,
        meeting=meeting,
        entries=[{"member": chair}, {"member": make_member(tree.village_a1)}],
    )

    row = client.get(f"{URL}{meeting.pk}/").json()
    assert row["organization"] == {"id": tree.village_a1.pk, "name": tree.village_a1.name}
    assert row["chair"] == {"id": chair.pk, "name": "李书记"}
    assert row["recorder"] is None
    assert (row["kind"], row["held_on"], row["version"]) == ("lecture", "2023-06-30", 1)
    assert {"member": {"id": chair.pk, "name": "李书记"}, "status": "present", "reason": ""} in (
        row["attendance"]
    )


def test_a_station_reads_its_meetings_but_does_not_write_them(tree, user_in, api_as):
    meeting = meet(tree.village_a1, "committee", D(2023, 6, 1))
    station = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    listed = station.get(URL)
    created = station.post(URL, body(), format="json")
    changed = station.patch(f"{URL}{meeting.pk}/", {"topic": "改", "version": 1}, format="json")

    assert [row["id"] for row in listed.json()["results"]] == [meeting.pk]
    assert (created.status_code, changed.status_code) == (403, 403)


def test_a_chair_of_another_village_or_a_future_day_is_a_400(tree, user_in, api_as):
    client = api_as(user_in(tree.street_a, Role.STAFF))
    sibling = make_member(tree.village_a2)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    chair = client.post(URL, body(organization=tree.village_a1.pk, chair=sibling.pk), format="json")
    future = client.post(
        URL, body(organization=tree.village_a1.pk, held_on=tomorrow), format="json"
    )

    assert (chair.status_code, future.status_code) == (400, 400)
    assert list(chair.json()) == ["chair"] and list(future.json()) == ["held_on"]
    assert not BranchMeeting.objects.exists()


def test_a_patch_needs_the_version_and_the_organization_stays(tree, user_in, api_as):
    client = api_as(user_in(tree.street_a, Role.STAFF))
    meeting = meet(tree.village_a1, "committee", D(2023, 6, 1))

    missing = client.patch(f"{URL}{meeting.pk}/", {"topic": "新议题"}, format="json")
    patched = client.patch(
        f"{URL}{meeting.pk}/",
        {"topic": "新议题", "version": 1, "organization": tree.village_a2.pk},
        format="json",
    )

    assert (missing.status_code, patched.status_code) == (428, 200)
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.organization, meeting.version) == (
        "新议题",
        tree.village_a1,
        2,
    )


def test_the_list_filters_by_subtree_kind_and_day(tree, user_in, api_as):
    client = api_as(user_in(tree.district, Role.STAFF))
    a1 = meet(tree.village_a1, "committee", D(2023, 6, 1))
    a2 = meet(tree.village_a2, "lecture", D(2023, 6, 30))
    b1 = meet(tree.village_b1, "committee", D(2023, 7, 1))

    def ids(**params):
        return {row["id"] for row in client.get(URL, params).json()["results"]}

    assert ids() == {a1.pk, a2.pk, b1.pk}
    assert ids(organization=tree.street_a.pk) == {a1.pk, a2.pk}
    assert ids(kind="committee") == {a1.pk, b1.pk}
    assert ids(date_after="2023-06-30", date_before="2023-07-01") == {a2.pk, b1.pk}


def test_the_list_is_a_constant_number_of_queries(tree, user_in, api_as):
    client = api_as(user_in(tree.street_a, Role.STAFF))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"page_size": 1}).status_code == 200  # counted: rows > a page
        return len(captured)

    def add_meetings(n):
        for i in range(n):
            people = [make_member(tree.village_a1, name=f"人{i}{j}") for j in range(3)]
            meeting = meet(tree.village_a1, "group", D(2023, 1 + i % 12, 1), chair=people[0])
            branch_services.branch_attendance_set(
                by=SYSTEM, meeting=meeting, entries=[{"member": person} for person in people]
            )

    add_meetings(2)
    few = queries()
    add_meetings(10)

    # token with the user's organization, throttle, count, page, attendance, attendance's people
    assert queries() == few == 6


# --- The admin ------------------------------------------------------------------------------


def inline(*rows, initial=0):
    data = {
        "attendance-TOTAL_FORMS": str(len(rows)),
        "attendance-INITIAL_FORMS": str(initial),
        "attendance-MIN_NUM_FORMS": "0",
        "attendance-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"attendance-{i}-{name}": value for name, value in row.items()})
    return data


def add_form(organization, *rows, **fields):
    return {
        "organization": organization.pk,
        "kind": "committee",
        "held_on": "2023-06-01",
        "topic": "研究书记项目",
        "chair": "",
        "recorder": "",
        "minutes": "",
        **fields,
        **inline(*rows),
    }


def test_the_changelist_shows_the_subtree_only(tree, street_staff, browser_as):
    meet(tree.village_a1, "committee", D(2023, 6, 1), topic="甲一支委会")
    meet(tree.village_b1, "committee", D(2023, 6, 1), topic="乙一支委会")

    page = browser_as(street_staff).get(CHANGELIST)

    body = page.content.decode()
    assert page.status_code == 200
    assert "甲一支委会" in body and "乙一支委会" not in body
    assert COMPLIANCE in body  # the object-tools button


def test_a_meeting_is_added_with_its_attendance_in_one_form(tree, street_staff, browser_as):
    chair, leave = make_member(tree.village_a1, name="书记"), make_member(tree.village_a1)
    client = browser_as(street_staff)
    assert client.get(f"{CHANGELIST}add/").status_code == 200

    page = client.post(
        f"{CHANGELIST}add/",
        add_form(
            tree.village_a1,
            {"member": chair.pk, "status": "present", "reason": ""},
            {"member": leave.pk, "status": "leave", "reason": "外出务工"},
            chair=chair.pk,
        ),
    )

    assert page.status_code == 302, page.content.decode()
    meeting = BranchMeeting.objects.get()
    assert (meeting.organization, meeting.chair) == (tree.village_a1, chair)
    assert sorted(meeting.attendance.values_list("status", "reason")) == [
        ("leave", "外出务工"),
        ("present", ""),
    ]
    assert meeting.history.count() == 1
    assert BranchAttendance.history.count() == 2


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"status": "leave", "reason": ""}], LEAVE_NEEDS_A_REASON),
        ([{"status": "present", "reason": ""}] * 2, admin_branch.SAME_PERSON_TWICE),
        ([{"status": "present", "reason": "", "sibling": True}], NOT_IN_THE_SUBTREE),
    ],
    ids=["leave without a reason", "the same person twice", "a person of another village"],
)
def test_a_bad_attendance_row_is_a_form_error_and_nothing_is_saved(
    tree, street_staff, browser_as, rows, message
):
    mine, sibling = make_member(tree.village_a1), make_member(tree.village_a2)
    rows = [
        {
            "member": (sibling if row.get("sibling") else mine).pk,
            "status": row["status"],
            "reason": row["reason"],
        }
        for row in rows
    ]

    page = browser_as(street_staff).post(f"{CHANGELIST}add/", add_form(tree.village_a1, *rows))

    assert page.status_code == 200
    assert text(message) in page.content.decode()
    assert not BranchMeeting.objects.exists()


def test_editing_the_attendance_keeps_removes_and_adds_rows(tree, street_staff, browser_as):
    meeting = meet(tree.village_a1, "committee", D(2023, 6, 1))
    kept, dropped, added = (make_member(tree.village_a1, name=n) for n in ("留", "删", "加"))
    branch_services.branch_attendance_set(
        by=SYSTEM, meeting=meeting, entries=[{"member": kept}, {"member": dropped}]
    )
    rows = {row.member_id: row for row in meeting.attendance.all()}
    form = {
        "kind": "committee",
        "held_on": "2023-06-01",
        "topic": "研究书记项目",
        "chair": "",
        "recorder": "",
        "minutes": "会议记录",
        **inline(
            {"id": rows[kept.pk].pk, "meeting": meeting.pk, "member": kept.pk, "status": "absent"},
            {
                "id": rows[dropped.pk].pk,
                "meeting": meeting.pk,
                "member": dropped.pk,
                "status": "present",
                "DELETE": "on",
            },
            {"member": added.pk, "status": "present", "reason": ""},
            initial=2,
        ),
    }

    page = browser_as(street_staff).post(f"{CHANGELIST}{meeting.pk}/change/", form)

    assert page.status_code == 302, page.content.decode()
    assert sorted(meeting.attendance.alive().values_list("member__name", "status")) == sorted(
        [("留", "absent"), ("加", "present")]
    )
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.version) == ("会议记录", 2)


@pytest.mark.parametrize("attendees", [2, 20])
def test_a_meetings_page_takes_the_same_queries_for_20_attendees_as_for_2(
    tree, street_staff, browser_as, django_assert_num_queries, attendees
):
    meeting = meet(tree.village_a1, "group", D(2023, 6, 1))
    people = [make_member(tree.village_a1, name=f"党员{n:02d}") for n in range(attendees)]
    branch_services.branch_attendance_set(
        by=SYSTEM, meeting=meeting, entries=[{"member": person} for person in people]
    )
    client = browser_as(street_staff)
    url = f"{CHANGELIST}{meeting.pk}/change/"
    client.get(url)  # the session is loaded and saved once

    # session, account, its organization, the meeting, its attendance with the people, the
    # people chosen in the autocompletes, the meeting's organization (shown read-only), its files
    with django_assert_num_queries(8):
        page = client.get(url)

    body = page.content.decode()
    assert page.status_code == 200
    chosen = [f'<option value="{person.pk}" selected>{person.name}</option>' for person in people]
    assert [option in body for option in chosen] == [True] * attendees


def test_autocompletes_offer_the_subtrees_people_only(tree, street_staff, browser_as):
    make_member(tree.village_a1, name="甲方人")
    make_member(tree.village_b1, name="乙方人")
    client = browser_as(street_staff)

    for model_name, field_name in [("branchmeeting", "chair"), ("branchattendance", "member")]:
        answer = client.get(
            "/admin/autocomplete/",
            {"app_label": "members", "model_name": model_name, "field_name": field_name},
        )
        assert answer.status_code == 200
        assert [row["text"] for row in answer.json()["results"]] == ["甲方人"]


def test_deleting_in_the_admin_marks_the_meeting_deleted(tree, street_staff, browser_as):
    meeting = meet(tree.village_a1, "committee", D(2023, 6, 1))

    page = browser_as(street_staff).post(f"{CHANGELIST}{meeting.pk}/delete/", {"post": "yes"})

    assert page.status_code == 302
    meeting.refresh_from_db()
    assert meeting.deleted_at is not None


def test_the_compliance_page_shows_the_subtree_and_one_branchs_table(
    tree, street_staff, browser_as, year_2023
):
    meet(tree.village_b1, "committee", D(2023, 1, 1))
    client = browser_as(street_staff)

    overview = client.get(COMPLIANCE, {"year": 2023})
    detail = client.get(COMPLIANCE, {"year": 2023, "organization": tree.village_a1.pk})
    foreign = client.get(COMPLIANCE, {"year": 2023, "organization": tree.village_b1.pk})

    body = overview.content.decode()
    assert overview.status_code == 200
    assert "甲一社区妇联" in body
    assert "乙一村妇联" not in body and "乙镇妇联" not in body  # neither listed nor offered
    assert "测试区妇联" not in body
    table = detail.content.decode()
    assert 'id="compliance-report"' in table
    assert table.count('class="gap"') == 3
    assert foreign.status_code == 200
    assert 'id="compliance-report"' not in foreign.content.decode()  # a form error instead


def test_the_compliance_page_takes_the_same_queries_for_more_organizations(
    tree, street_staff, browser_as
):
    client = browser_as(street_staff)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(COMPLIANCE, {"year": 2023, "organization": tree.village_a1.pk})
            assert page.status_code == 200
        return len(captured)

    meet(tree.village_a1, "committee", D(2023, 1, 1))
    queries()  # the session is loaded and saved once
    few = queries()
    for n in range(10):
        village = make_org(tree.street_a, Kind.VILLAGE, f"加村{n}妇联")
        meet(village, "lecture", D(2023, 2, 1))
        meet(village, "committee", D(2023, 3, 1))

    assert queries() == few


# --- The demo -------------------------------------------------------------------------------


def test_the_demo_has_branches_with_and_without_gaps_and_a_second_run_adds_nothing():
    call_command("load_demo", verbosity=0)
    meetings, attendance = BranchMeeting.objects.count(), BranchAttendance.objects.count()

    call_command("load_demo", verbosity=0)

    assert (BranchMeeting.objects.count(), BranchAttendance.objects.count()) == (
        meetings,
        attendance,
    )
    admin = User.objects.get(username="qu_admin")
    last_year = timezone.localdate().year - 1
    overview = branch_selectors.branch_compliance_overview(user=admin, year=last_year)
    behind = [row for row in overview if row.gaps]
    assert len(overview) == 1 + 15 + 40  # the district, every street, 40 villages
    assert 0.1 * len(overview) <= len(behind) <= 0.3 * len(overview)
    assert {row.organization.kind for row in overview} == {Kind.DISTRICT, Kind.STREET, Kind.VILLAGE}
    assert not BranchAttendance.objects.filter(status="leave", reason="").exists()
    assert BranchAttendance.objects.filter(status="absent").exists()
    for meeting in BranchMeeting.objects.order_by("pk")[::100]:
        meeting.full_clean()  # chairs and recorders of the branch's own subtree, days past
        assert 5 <= meeting.attendance.count() <= 15


def test_minutes_and_photos_attach_in_the_admin_as_in_the_api(
    tree, street_staff, browser_as, settings, tmp_path
):
    """A meeting's page takes its minutes' scans and photos (cleaned as the API cleans them) and
    lists them, each a link to the API's scoped download; a refused file is a message on the
    form, and nothing is saved."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.files.models import Attachment
    from tests.files.samples import EXE, PDF, photo

    settings.MEDIA_ROOT = tmp_path
    client = browser_as(street_staff)
    files = [
        SimpleUploadedFile("会议照片.jpg", photo(), "image/jpeg"),
        SimpleUploadedFile("记录.pdf", PDF, "application/pdf"),
    ]

    added = client.post(
        f"{CHANGELIST}add/", {**add_form(tree.village_a1), "new_files": files}, follow=True
    )

    meeting = BranchMeeting.objects.get(topic="研究书记项目")
    stored = list(Attachment.objects.order_by("pk"))
    assert added.status_code == 200
    assert [(a.original_name, a.mime, a.object_id) for a in stored] == [
        ("会议照片.jpg", "image/jpeg", meeting.pk),
        ("记录.pdf", "application/pdf", meeting.pk),
    ]
    assert b"GPS" not in stored[0].file.read()  # re-encoded without the location
    page = client.get(f"{CHANGELIST}{meeting.pk}/change/").content.decode()
    link = f"/api/v1/branch-meetings/{meeting.pk}/attachments/{stored[1].pk}/"
    assert link in page and "记录.pdf" in page
    assert b"".join(client.get(link).streaming_content) == PDF  # the session, through the API

    refused = client.post(
        f"{CHANGELIST}add/",
        {
            **add_form(tree.village_a1, topic="第二次"),
            "new_files": [SimpleUploadedFile("a.jpg", EXE)],
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    assert not BranchMeeting.objects.filter(topic="第二次").exists()
    assert Attachment.objects.count() == 2

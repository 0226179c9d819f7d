"""The demo district: realistic, the same every run, and idempotent.

load_demo takes ~10 s, so the module loads it once (the `demo` fixture) and every test reads
that district. Each test still runs in its own transaction inside the fixture's, so the one
that loads the demo a second time leaves the district as it found it.
"""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection, models, transaction

from apps.accounts.models import User
from apps.councils.choices import MeetingMode, MemberRole, RaisedVia, ResultKind, TopicStatus
from apps.councils.models import Council, CouncilMember, Meeting, MeetingAttendance, Topic
from apps.councils.selectors import councils_inactive, topic_overdue
from apps.events.choices import FundSource
from apps.events.models import Campaign, Event, EventCategory, Fund, LineOfWork
from apps.members import merging
from apps.members.models import Appointment, Member
from apps.members.services import people as services
from apps.organizations.choices import Kind, TitleStatus
from apps.organizations.models import Organization, Position, Title
from apps.organizations.roles import Role
from apps.rights.choices import CaseStatus, Outcome
from apps.rights.models import (
    Case,
    CaseCategory,
    CaseCounter,
    CaseParty,
    FollowUp,
    Station,
    StationStaff,
)
from apps.rights.selectors.stations import coverage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]

LEGAL_CENTER = "云溪区妇女儿童法律服务中心"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo district, loaded once into the empty test database and rolled back at the end.

    Module-scoped, so it is set up before each test's own transaction, which then nests as a
    savepoint in this one: a test's writes go at its end, the district at the module's.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        assert not Organization.objects.exists()  # the district alone, as on a fresh install
        call_command("load_demo", verbosity=0)
        # Check the deferred foreign keys now, as a commit would: else every test's teardown
        # checks them all again (its savepoint's rollback puts them back as unchecked).
        connection.check_constraints()
        yield
        transaction.set_rollback(True)


def snapshot():
    return {
        "organizations": list(
            Organization.objects.order_by("code").values_list("code", "name", "path", "closed_on")
        ),
        "positions": list(
            Position.objects.order_by("organization__code", "kind__code").values_list(
                "organization__code", "kind__code", "name", "opened_on"
            )
        ),
        "titles": sorted(
            Title.objects.values_list("organization__code", "kind__code", "level", "year", "status")
        ),
        "members": list(Member.objects.order_by("pk").values_list("id_number", "phone", "name")),
        "accounts": list(
            User.objects.order_by("username").values_list("username", "password", "role")
        ),
        "stations": list(
            Station.objects.order_by("pk").values_list(
                "organization__code", "kind", "name", "opened_on", "closed_on", "phone"
            )
        ),
        "staff": list(
            StationStaff.objects.order_by("pk").values_list(
                "station_id", "member_id", "role", "started_on", "ended_on"
            )
        ),
        "campaigns": list(
            Campaign.objects.order_by("pk").values_list("organization_id", "title", "starts_on")
        ),
        "events": list(
            Event.objects.order_by("pk").values_list(
                "organization_id", "category_id", "campaign_id", "starts_at", "spent"
            )
        ),
        "funds": list(Fund.objects.order_by("pk").values_list("source", "amount", "received_on")),
        "cases": list(
            Case.objects.order_by("pk").values_list(
                "number", "station_id", "received_at", "status", "outcome", "risk"
            )
        ),
        "parties": CaseParty.objects.count(),
        "followups": FollowUp.objects.count(),
        "counters": list(CaseCounter.objects.order_by("year").values_list("year", "last")),
        "councils": list(
            Council.objects.order_by("pk").values_list(
                "organization_id", "name", "established_on", "dissolved_on"
            )
        ),
        "council_members": CouncilMember.objects.count(),
        "meetings": list(
            Meeting.objects.order_by("pk").values_list("council_id", "held_on", "mode")
        ),
        "attendance": MeetingAttendance.objects.count(),
        "topics": list(
            Topic.objects.order_by("pk").values_list("council_id", "raised_on", "status", "due_on")
        ),
    }


def test_load_demo_builds_the_district_and_a_second_run_changes_nothing():
    first = snapshot()  # after the fixture's run

    call_command("load_demo", verbosity=0)

    assert snapshot() == first
    assert Organization.objects.filter(kind=Kind.STREET).count() == 15
    assert 280 <= Organization.objects.filter(kind=Kind.VILLAGE).count() <= 330
    assert Organization.objects.filter(kind=Kind.COMMITTEE).exists()
    assert Organization.objects.filter(closed_on__isnull=False).count() == 1
    assert {status for *_, status in first["titles"]} == set(TitleStatus.values)


def test_the_demo_people_are_valid_and_spread_over_the_villages():
    people = list(Member.objects.all())
    assert 2000 <= len(people) <= 4000
    for member in people:
        member.full_clean()  # valid ID numbers agreeing with birth date and gender; E.164 phones
    villages = [v.pk for v in Organization.objects.filter(kind=Kind.VILLAGE) if v.is_open]
    center = Organization.objects.get(name=LEGAL_CENTER)  # its case worker and lawyer
    assert set(villages) | {center.pk} == {member.organization_id for member in people}
    # Some were entered twice by neighbouring villages, for staff to find and merge.
    assert len(merging.likely_duplicates(by=User.objects.get(username="qu_staff"))) >= 8


def test_the_demo_villages_have_a_current_leadership_and_chairs_never_overlap():
    current_chairs = Appointment.objects.current().filter(role="chair")
    villages = Organization.objects.filter(kind=Kind.VILLAGE, closed_on__isnull=True)
    assert current_chairs.filter(organization__kind=Kind.VILLAGE).count() == villages.count()
    assert current_chairs.values("organization").distinct().count() == current_chairs.count()
    assert Appointment.objects.past().filter(role="chair").exists()  # some chairs changed
    for appointment in Appointment.objects.filter(role="chair"):
        services.check_single_holder(appointment)  # no two chairs' terms overlap


def test_the_demo_has_every_role_and_station_operators_in_two_streets():
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    operators = User.objects.filter(role=Role.STATION_OPERATOR).select_related("organization")
    assert len({operator.organization.street_id for operator in operators}) >= 2
    assert all(operator.organization.kind == Kind.VILLAGE for operator in operators)


def test_villages_sort_by_pinyin_within_their_street():
    street = Organization.objects.filter(kind=Kind.STREET).order_by("path").first()

    villages = list(Organization.objects.filter(parent=street, kind=Kind.VILLAGE).order_by("path"))

    keys = [village.name_pinyin for village in villages]
    assert keys == sorted(keys)
    assert all(village.name.endswith("妇联") for village in villages)


def test_every_level_has_its_leadership_and_no_term_starts_in_the_future():
    """The district, every street and committee has a current chair and vice-chairs; no
    appointment of the demo starts after today (a workbench would show it as current)."""
    from django.utils import timezone

    current = Appointment.objects.current()
    upper = Organization.objects.filter(
        kind__in=[Kind.DISTRICT, Kind.STREET, Kind.COMMITTEE], closed_on__isnull=True
    )
    for organization in upper:
        roles = list(current.filter(organization=organization).values_list("role", flat=True))
        assert roles.count("chair") == 1, organization
        assert roles.count("vice_chair") >= 1, organization
    assert not Appointment.objects.filter(started_on__gt=timezone.localdate()).exists()


def test_the_legal_service_center_is_a_committee_with_its_station_and_case_worker():
    from apps.core.actors import SYSTEM

    center = Organization.objects.get(name=LEGAL_CENTER)
    station = Station.objects.get(kind="legal_center")
    worker = User.objects.get(username="fazhi_weiquan")

    assert (center.kind, center.parent.kind) == (Kind.COMMITTEE, Kind.DISTRICT)
    assert station.organization == center
    assert set(station.staff.values_list("role", flat=True)) == {"case_worker", "lawyer"}
    assert (worker.role, worker.organization) == (Role.CASE_WORKER, center)
    assert coverage(user=worker).villages == 0  # its subtree is the center: no village
    assert coverage(user=SYSTEM, organization=center).villages == 0


def test_coverage_grows_through_the_first_year_until_every_village_has_a_station():
    from django.utils import timezone

    from apps.core.actors import SYSTEM

    year = timezone.localdate().year - 2
    months = [
        coverage(user=SYSTEM, on=datetime.date(year, month, 28)).share for month in range(1, 13)
    ]
    end = coverage(user=SYSTEM, on=datetime.date(year, 12, 31))

    assert 0 < months[0] < 0.2  # early months show gaps
    assert months == sorted(months) and months[5] < months[11]
    assert (end.share, end.without) == (1.0, [])
    assert coverage(user=SYSTEM, on=datetime.date(year - 1, 12, 31)).covered == 0


def test_the_demo_has_collection_points_closed_and_reopened_stations_and_mediators():
    stations = Station.objects.select_related("organization")
    closed = stations.filter(closed_on__isnull=False, organization__closed_on__isnull=True)
    reopened = {s.organization_id for s in closed} & {
        s.organization_id for s in stations.filter(closed_on__isnull=True)
    }

    assert stations.filter(kind="collection_point").count() >= 3
    assert len(reopened) >= 3
    assert stations.filter(organization__closed_on__isnull=False, closed_on__isnull=False).exists()
    mediators = StationStaff.objects.filter(role="mediator").select_related("member", "station")
    assert mediators.count() >= 250
    for staff in mediators:
        assert staff.member.organization_id == staff.station.organization_id
        assert staff.started_on >= staff.station.opened_on
        if staff.station.closed_on:
            assert staff.ended_on == staff.station.closed_on


def test_the_demo_events_cover_every_line_and_category_over_two_years():
    from django.utils import timezone

    events = Event.objects.all()
    today = timezone.localdate()

    assert 20_000 <= events.count() <= 40_000
    assert set(events.values_list("line_id", flat=True)) == set(
        LineOfWork.objects.values_list("pk", flat=True)
    )
    assert set(events.values_list("category_id", flat=True)) == set(
        EventCategory.objects.values_list("pk", flat=True)
    )
    villages = Organization.objects.filter(kind=Kind.VILLAGE)
    assert set(
        events.filter(organization__kind=Kind.VILLAGE).values_list("organization_id", flat=True)
    ) == set(villages.values_list("pk", flat=True))
    first, last = (timezone.localdate(e.starts_at) for e in (events.last(), events.first()))
    assert first >= today - datetime.timedelta(days=730) and last <= today
    for event in events.filter(campaign__isnull=False).select_related(
        "campaign__organization", "organization", "category", "position"
    )[:300]:
        event.full_clean()  # the services' rules: the category's line, a campaign covering it
    assert not events.filter(people_reached__lt=models.F("participants")).exists()
    assert events.filter(partners__gt="", spent__gt=0, volunteers__gt=0).exists()


def test_the_demo_campaigns_have_reporting_and_silent_villages_and_funds_of_both_sources():
    district = Organization.objects.get(kind=Kind.DISTRICT)
    villages = set(
        Organization.objects.filter(kind=Kind.VILLAGE, closed_on__isnull=True).values_list(
            "pk", flat=True
        )
    )
    month = Campaign.objects.filter(organization=district, title__contains="送法进万家").first()

    reporting = set(month.events.values_list("organization_id", flat=True)) & villages
    assert 0.6 * len(villages) <= len(reporting) < len(villages)  # most report, some do not
    assert Campaign.objects.filter(title__contains="巾帼家政").exists()
    assert Campaign.objects.exclude(organization=district).exists()  # a street's own
    assert all(c.events.exists() for c in Campaign.objects.all())
    funds = Fund.objects.all()
    assert 20 <= funds.count() <= 80
    assert {FundSource.HIGHER_LEVEL, FundSource.DONATION} <= set(
        funds.values_list("source", flat=True)
    )
    assert funds.filter(campaign__isnull=False).exists()
    assert funds.filter(event__isnull=False).exists()
    for fund in funds.select_related("organization", "campaign__organization", "event"):
        fund.full_clean()


def test_the_demo_cases_are_in_every_status_category_and_outcome():
    cases = Case.objects.all()

    assert 600 <= cases.count() <= 2000
    assert set(cases.values_list("status", flat=True)) == set(CaseStatus.values)
    assert set(cases.values_list("category_id", flat=True)) == set(
        CaseCategory.objects.values_list("pk", flat=True)
    )
    assert set(cases.values_list("outcome", flat=True)) - {""} == set(Outcome.values)
    still_open = cases.exclude(status=CaseStatus.CLOSED)
    assert still_open.filter(risk="urgent").exists() and still_open.filter(risk="high").exists()
    # Reopened: closed once (the history says so), in intervention now.
    reopened = Case.history.filter(history_type="~", status=CaseStatus.IN_INTERVENTION)
    assert reopened.count() >= 3
    for row in reopened:
        assert row.prev_record.status == CaseStatus.CLOSED
    assert FollowUp.objects.exists()
    for visit in FollowUp.objects.select_related("case"):
        assert visit.case.status == CaseStatus.CLOSED
        assert timezone_day(visit.case.closed_at) <= visit.visited_on <= timezone_day(now())
    for case in cases.select_related("station"):
        assert case.station.organization_id == case.organization_id
        assert case.station.is_open_on(timezone_day(case.received_at))
        case.full_clean(validate_unique=False)


def timezone_day(moment):
    from django.utils import timezone

    return timezone.localdate(moment)


def now():
    from django.utils import timezone

    return timezone.now()


def test_the_demo_cases_name_people_only_with_consent_and_keep_them_out_of_history():
    parties = CaseParty.objects.select_related("case")

    assert parties.filter(role="seeker").count() == Case.objects.count()
    assert parties.filter(role="other_party").exists()
    assert parties.filter(anonymous=True, case__consent_to_record=False).exists()
    assert not parties.filter(case__consent_to_record=False, anonymous=False).exists()
    assert not parties.filter(anonymous=True).exclude(name="", phone="", id_number="").exists()
    history_columns = {f.name for f in Case.history.model._meta.fields}
    assert "narrative" not in history_columns
    assert not {"name", "phone", "id_number", "note"} & {
        f.name for f in CaseParty.history.model._meta.fields
    }


def test_case_numbers_run_per_year_without_gaps_and_the_counter_ends_at_the_last():
    district = Organization.objects.get(kind=Kind.DISTRICT)
    numbers: dict[int, list[int]] = {}
    for number, received_at in Case.objects.order_by("received_at", "pk").values_list(
        "number", "received_at"
    ):
        prefix, year, serial = number.split("-")
        assert (prefix, int(year)) == ("WQ", timezone_day(received_at).year)
        numbers.setdefault(int(year), []).append(int(serial))

    for year, serials in numbers.items():
        assert serials == list(range(1, len(serials) + 1))  # in the order received
        assert CaseCounter.objects.get(district=district, year=year).last == len(serials)
    assert CaseCounter.objects.count() == len(numbers)


def test_an_intake_after_the_demo_continues_the_series():
    from django.utils import timezone

    from apps.rights.services.cases import case_intake

    operator = User.objects.get(username="zhandian_a")
    station = Station.objects.get(organization=operator.organization, closed_on__isnull=True)
    last = CaseCounter.objects.get(year=timezone.localdate().year).last

    case = case_intake(
        by=operator,
        station=station,
        received_at=timezone.now(),
        channel="visit",
        category=CaseCategory.objects.first(),
        risk="low",
    )

    assert case.number == f"WQ-{timezone.localdate().year}-{last + 1:05d}"


def test_the_demo_councils_sit_in_a_share_of_villages_set_up_over_the_first_year():
    from django.utils import timezone

    today = timezone.localdate()
    first_day = today - datetime.timedelta(days=730)
    villages = Organization.objects.filter(kind=Kind.VILLAGE, closed_on__isnull=True).count()
    in_villages = Council.objects.filter(organization__kind=Kind.VILLAGE)
    upper = Council.objects.exclude(organization__kind=Kind.VILLAGE)

    assert 0.3 * villages <= in_villages.count() <= 0.5 * villages
    assert all("小马扎" in name for name in in_villages.values_list("name", flat=True))
    assert upper.filter(organization__kind=Kind.DISTRICT, name__contains="筑梦山海").exists()
    days = set(in_villages.values_list("established_on", flat=True))
    assert min(days) >= first_day and max(days) <= first_day + datetime.timedelta(days=364)
    assert len(days) > 20  # spread over the year, not all on one day
    assert Council.objects.filter(dissolved_on__isnull=False).count() == 1
    for council in Council.objects.prefetch_related("members"):
        roles = [member.role for member in council.members.all()]
        assert roles.count(MemberRole.CONVENER) == 1, council
        assert MemberRole.INVITED in roles and MemberRole.MEMBER in roles, council
    for member in CouncilMember.objects.select_related(
        "council__organization", "person__organization"
    ):
        member.full_clean()  # people of the council's organization or below


def test_the_demo_meetings_are_on_site_and_online_with_members_present():
    from django.utils import timezone

    from apps.core.actors import SYSTEM
    from apps.councils.services import attendance_check

    meetings = Meeting.objects.select_related("council__organization", "chair", "recorder")
    assert set(meetings.values_list("mode", flat=True)) == set(MeetingMode.values)
    assert meetings.filter(guests_count__gt=0).exists()
    first = timezone.localdate() - datetime.timedelta(days=730)
    assert meetings.order_by("held_on").first().held_on >= first
    assert meetings.order_by("held_on").last().held_on <= timezone.localdate()
    for meeting in meetings.prefetch_related("attendance__person")[:300]:
        meeting.full_clean()  # in the council's life; an online one names its channel
        attendance_check(meeting, meeting.present_people)
        assert meeting.present_people
    # A few councils held no meeting last quarter, for the flag to show.
    assert 1 <= councils_inactive(user=SYSTEM, now=timezone.now()).count() < 20


def test_the_demo_topics_are_in_every_status_with_overdue_ones():
    from django.utils import timezone

    from apps.core.actors import SYSTEM

    topics = Topic.objects.select_related(
        "council__organization",
        "organization",
        "meeting",
        "raised_by__organization",
        "responsible_organization",
    )
    assert 1500 <= topics.count() <= 4000
    assert set(topics.values_list("status", flat=True)) == set(TopicStatus.values)
    assert set(topics.values_list("raised_via", flat=True)) == set(RaisedVia.values)
    assert set(topics.exclude(result_kind="").values_list("result_kind", flat=True)) == set(
        ResultKind.values
    )
    overdue = topic_overdue(user=SYSTEM, now=timezone.now())
    open_assigned = topics.filter(status__in=[TopicStatus.ASSIGNED, TopicStatus.IN_PROGRESS])
    assert 10 <= overdue.count() < open_assigned.count()  # some overdue, not all
    assert topics.filter(responsible_body__gt="").exists()
    assert topics.filter(responsible_organization__kind=Kind.STREET).exists()  # upward
    assert not topics.filter(status=TopicStatus.NOT_ADOPTED, not_adopted_reason="").exists()
    assert not topics.filter(status__in=["resolved", "result"], closed_on__isnull=True).exists()
    assert not topics.filter(closed_on__gt=timezone.localdate()).exists()
    # A few went through the transitions service, each move at its day: the history shows them.
    moves = Topic.history.filter(history_type="~").values_list("status", flat=True)
    assert {TopicStatus.ACCEPTED, TopicStatus.ASSIGNED, TopicStatus.IN_PROGRESS} <= set(moves)
    for topic in topics:
        topic.full_clean(validate_unique=False)  # the services' rules for what each move set
        assert topic.organization_id == topic.council.organization_id
        if topic.meeting is not None:
            assert topic.meeting.held_on == topic.raised_on


def test_the_demo_referrals_are_in_every_state_and_the_center_reads_only_its_open_ones():
    from apps.rights.models import Referral
    from apps.rights.models_referrals import ReferralStatus
    from apps.rights.selectors.cases import case_list

    referrals = Referral.objects.all()
    assert set(referrals.values_list("status", flat=True)) == set(ReferralStatus.values)
    assert referrals.filter(to_organization__isnull=True).exists()  # outside bodies too
    center_worker = User.objects.get(username="fazhi_weiquan")
    readable = set(case_list(user=center_worker).values_list("pk", flat=True))
    to_center = referrals.filter(to_organization=center_worker.organization)
    opened = to_center.exclude(status=ReferralStatus.DECLINED).exclude(
        case__status=CaseStatus.CLOSED
    )
    assert set(opened.values_list("case_id", flat=True)) <= readable
    closed = to_center.filter(case__status=CaseStatus.CLOSED).values_list("case_id", flat=True)
    assert closed and not set(closed) & readable
    waiting = referrals.filter(status__in=["sent", "accepted"])
    assert waiting.filter(due_at__lt=datetime.datetime.now(datetime.UTC)).exists()  # overdue

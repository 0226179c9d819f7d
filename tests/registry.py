"""The tests' one registry: how to make a saved record of every model the generated tests reach.

One entry per model, read by every test that is generated from the code rather than written
case by case (docs/api-machinery.md, "The tests' registries"):

- tests/test_access_matrix.py: every API route's model (B's object, the create body, its
  row of tests/roles_table.py);
- tests/accounts/test_admin.py: every model with an admin page (one record in each of two
  organizations, to see the changelist keep to the subtree);
- tests/fuzz/conftest.py: every model the API serves (the station's own records);
- tests/test_registry.py: every entry makes what it says.

``make(organization, **fields)`` makes one saved record of the model in ``organization``'s
subtree, through the app's services where there are any; ``fields`` override the defaults.
"""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from apps.accounts.models import DeviceToken, User
from apps.core.actors import SYSTEM
from apps.core.models import AccessLog as FullRead
from apps.councils import services as council_services
from apps.councils.models import Council, CouncilMember, Meeting, Topic, TopicCategory
from apps.events.models import (
    Campaign,
    Event,
    EventCategory,
    EventParticipant,
    Fund,
    LineOfWork,
)
from apps.files.models import Attachment
from apps.files.services import attachment_create
from apps.jobs.choices import JobState
from apps.jobs.models import Job
from apps.members.imports import PEOPLE_JOB
from apps.members.models import Appointment, BranchMeeting, IdentityCheck, Member
from apps.members.services import branch as branch_services
from apps.members.services import people as member_services
from apps.notices.models import Notice
from apps.notices.services import notice_send
from apps.organizations.choices import Kind, Sector
from apps.organizations.models import Organization, Position, Title
from apps.organizations.roles import Role
from apps.reports import signoffs
from apps.reports.models import SignOff
from apps.rights.models import Case, Referral, Station, StationStaff
from apps.rights.services import cases as case_services
from apps.rights.services import referrals as referral_services
from apps.rights.services import stations as station_services
from tests.factories.accounts import UserFactory
from tests.factories.councils import (
    make_council,
    make_council_member,
    make_meeting,
    make_topic,
    topic_category,
)
from tests.factories.events import (
    make_campaign,
    make_category,
    make_event,
    make_fund,
    make_line,
    make_participant,
)
from tests.factories.members import make_member
from tests.factories.organizations import PositionFactory, TitleFactory, make_org
from tests.files.samples import PDF, photo
from tests.scoping_app.models import Ticket


@dataclass(frozen=True)
class Maker:
    # make(organization, **fields) -> a saved record of the model in organization's subtree.
    make: Callable[..., Model]
    # The model's resource in tests/roles_table.py: every model the API serves has one.
    resource: str | None = None
    # create_body(tree, target) -> a POST body from village A1's station that points at
    # ``target``'s objects (made here, before the matrix snapshots the tables): a POST to the
    # list route. The access matrix aims it at village A2 (refused), the racing creates of
    # tests/test_races.py at A1 itself (stored once).
    create_body: Callable[[Any, Organization], dict] | None = None
    # station(organization, user) -> the fuzzer's records of the model in the station's
    # village, ``user`` being its station operator; without it, the fuzzer gets one make().
    station: Callable[[Organization, User], object] | None = None

    def seed(self, organization: Organization, user: User) -> None:
        if self.station is None:
            self.make(organization)
        else:
            self.station(organization, user)


class NoMaker(LookupError):
    """A model the generated tests reach has no entry in ``REGISTRY``."""


def maker_for(model: type[Model]) -> Maker:
    """The model's maker; a model without one fails the test, saying where to add it."""
    try:
        return REGISTRY[model]
    except KeyError:
        raise NoMaker(
            f"{model._meta.label} has no maker: add one to REGISTRY in tests/registry.py "
            "(make; for an API resource also its roles-table row and create body), "
            'see "The tests\' registries" in docs/api-machinery.md'
        ) from None


# --- Makers with more to them than one call ----------------------------------------------


def make_organization(organization, **fields) -> Organization:
    """A committee below ``organization``: an organization in its subtree."""
    fields = {
        "kind": Kind.COMMITTEE,
        "name": "企业妇委会",
        "sector": Sector.ENTERPRISE,
        **fields,
    }
    return make_org(organization, fields.pop("kind"), fields.pop("name"), **fields)


def make_appointment(organization, **fields) -> Appointment:
    member = fields.pop("member", None) or make_member(organization)
    fields = {"role": "volunteer", "started_on": datetime.date(2024, 1, 1), **fields}
    return member_services.appointment_create(
        by=SYSTEM, member=member, organization=organization, **fields
    )


def make_branch_meeting(organization, **fields) -> BranchMeeting:
    fields = {
        "kind": "lecture",
        "held_on": datetime.date(2024, 3, 1),
        "topic": "学习党的二十大精神",
        **fields,
    }
    return branch_services.branch_meeting_create(by=SYSTEM, organization=organization, **fields)


def make_station(organization, **fields) -> Station:
    """A station of a village (a collection point elsewhere: it may belong to any)."""
    kind = "station" if organization.kind == Kind.VILLAGE else "collection_point"
    fields = {"kind": kind, "name": f"{organization.name}维权服务站", **fields}
    fields.setdefault("opened_on", datetime.date(2024, 1, 1))
    return station_services.station_create(by=SYSTEM, organization=organization, **fields)


def make_station_staff(organization, **fields) -> StationStaff:
    """A mediator of ``organization``'s people at a new station of it."""
    station = fields.pop("station", None) or make_station(organization)
    member = fields.pop("member", None) or make_member(organization)
    fields = {"role": "mediator", "started_on": station.opened_on, **fields}
    return station_services.station_staff_add(by=SYSTEM, station=station, member=member, **fields)


def make_attachment(organization, record=None, user=None, name="照片.jpg", data=None):
    """A file on ``record`` (a new person of ``organization`` if none), by one of its accounts."""
    return attachment_create(
        record=record or make_member(organization),
        uploaded_file=SimpleUploadedFile(name, photo() if data is None else data),
        by=user or UserFactory(organization=organization),
    )


def _login_record(model, organization, **fields):
    """axes' rows name a username, not a row: an account's of ``organization``."""
    username = UserFactory(organization=organization).username
    fields = {"ip_address": "10.0.0.1", "user_agent": "t", **fields}
    return model.objects.create(username=username, **fields)


def station_of(organization, **fields) -> Station:
    """``organization``'s first station, or a new one (stations have no maker of their own
    here yet: their API and admin come in their own branch)."""
    found = Station.objects.filter(organization=organization).order_by("pk").first()
    if found is not None and not fields:
        return found
    fields = {"kind": "station", "name": f"{organization.name}维权服务站", **fields}
    fields.setdefault("opened_on", datetime.date(2020, 1, 1))
    return Station.objects.create(organization=organization, **fields)


def make_case(organization, **fields) -> Case:
    """A case received at ``organization``'s station, with a named seeker, by its case worker."""
    from apps.rights.models import CaseCategory

    by = fields.pop("by", None) or UserFactory(organization=organization, role=Role.CASE_WORKER)
    fields = {
        "station": fields.pop("station", None) or station_of(organization),
        "received_at": datetime.datetime(2026, 3, 8, 9, 30, tzinfo=datetime.UTC),
        "channel": "visit",
        # The migration seeds it; a transactional test's flush empties the table.
        "category": CaseCategory.objects.get_or_create(
            code="domestic_violence", defaults={"name": "家庭暴力"}
        )[0],
        "risk": "medium",
        "consent_to_record": True,
        "narrative": "丈夫多次殴打，求助人要求保护。",
        "parties": [{"role": "seeker", "name": "王秀梅", "gender": "female"}],
        **fields,
    }
    return case_services.case_intake(by=by, **fields)


def station_cases(organization, user):
    """Two cases of the station's own, by its operator: one open with a photo and a PDF, one
    closed and visited."""
    case = make_case(organization, by=user)
    for name, data in (("伤情照片.jpg", photo()), ("报警回执.pdf", PDF)):
        make_attachment(organization, record=case, user=user, name=name, data=data)
    closed = make_case(
        organization,
        by=user,
        channel="phone",
        consent_to_record=False,
        parties=[{"role": "seeker", "anonymous": True}],
    )
    closed = case_services.case_transition(by=user, case=closed, to="closed", outcome="mediated")
    case_services.followup_add(
        by=user, case=closed, visited_on=timezone.localdate(), method="phone", note="情况稳定"
    )


def make_referral(organization, **fields) -> Referral:
    """A case of ``organization`` (with the consent to refer, accepted) referred by its case
    worker to the police: an outside body, so the maker adds no organization to the tree."""
    by = fields.pop("by", None) or UserFactory(organization=organization, role=Role.CASE_WORKER)
    case = fields.pop("case", None)
    if case is None:
        case = make_case(organization, by=by, consent_to_refer=True)
        case = case_services.case_transition(by=by, case=case, to="accepted")
    fields = {
        "outside_kind": "police",
        "outside_name": "云溪区公安分局",
        "reason": "求助人遭受家庭暴力，需公安介入。",
        **fields,
    }
    return referral_services.referral_send(by=by, case=case, **fields)


def station_referrals(organization, user):
    """The station's own referral of its own case, by its operator, accepted and answered."""
    referral = make_referral(organization, by=user, share_narrative=True)
    referral = referral_services.referral_transition(by=user, referral=referral, to="accepted")
    referral_services.referral_transition(
        by=user, referral=referral, to="answered", answer="已出具告诫书"
    )


# --- The fuzzer's station: records with something in them for every field of the API ------


def station_people(organization, user):
    """Two people, each with a photo and a PDF."""
    for fields in ({"name": "林秀英"}, {"name": "陈桂兰", "gender": "female", "ethnicity": "hui"}):
        person = make_member(organization, **fields)
        for name, data in (("照片.jpg", photo()), ("证明.pdf", PDF)):
            make_attachment(organization, record=person, user=user, name=name, data=data)


def _two_people(organization) -> list[Member]:
    """The station's first two people (``station_people``'s, seeded first), or two new ones."""
    people = list(Member.objects.filter(organization=organization).order_by("pk")[:2])
    return people if len(people) == 2 else [make_member(organization) for _ in range(2)]


def station_appointments(organization, user):
    chair, volunteer = _two_people(organization)
    make_appointment(organization, member=chair, role="chair", started_on=datetime.date(2021, 3, 1))
    make_appointment(
        organization, member=volunteer, role="volunteer", started_on=datetime.date(2022, 5, 1)
    )


def station_branch_meetings(organization, user):
    """A 三会一课 meeting with chair, recorder, minutes, attendance and the minutes' scan.

    A station operator reads meetings and may not write them (the fuzzer's writes get 403).
    """
    chair, other = _two_people(organization)
    meeting = make_branch_meeting(
        organization,
        held_on=datetime.date(2023, 7, 1),
        chair=chair,
        recorder=other,
        minutes="书记讲党课。",
    )
    branch_services.branch_attendance_set(
        by=SYSTEM,
        meeting=meeting,
        entries=[
            {"member": chair, "status": "present"},
            {"member": other, "status": "leave", "reason": "外出务工"},
        ],
    )
    make_attachment(organization, record=meeting, user=user, name="会议记录.pdf", data=PDF)


def station_events(organization, user):
    """An event in the district's campaign at the village's women's home, with a photo."""
    district = Organization.objects.get(path=organization.path[: Organization.steplen])
    campaign = make_campaign(district)
    position = PositionFactory(organization=organization)
    event = make_event(
        organization,
        campaign=campaign,
        position=position,
        place="村文化礼堂",
        partners="区人民法院、实验小学",
        summary="法官讲解家庭教育促进法。",
    )
    make_attachment(organization, record=event, user=user, name="活动照片.jpg")
    make_fund(organization, source="donation", campaign=campaign, event=event)
    training = make_event(organization, title="家政培训班", category_code="skills_training")
    for person, completed in zip(_two_people(organization), (True, False), strict=True):
        make_participant(organization, event=training, member=person, completed=completed)


def station_council_meetings(organization, user):
    """A council with a convener and a member, an online meeting they attended with guests,
    and the minutes' scan."""
    council = make_council(organization)
    convener, other = _two_people(organization)
    make_council_member(organization, council=council, person=convener, role="convener")
    make_council_member(organization, council=council, person=other)
    meeting = make_meeting(
        organization,
        council=council,
        mode="online",
        channel="村妇女微信群",
        place="",
        chair=convener,
        recorder=other,
        minutes="议定修路灯。",
        guests_count=2,
        attendance=[convener, other],
    )
    make_attachment(organization, record=meeting, user=user, name="会议记录.pdf", data=PDF)


def station_council_topics(organization, user):
    """A topic raised online by a resident and assigned to the village's street (an ancestor),
    and one raised at a meeting and resolved with evidence and feedback."""
    street = Organization.objects.get(path=organization.path[: 2 * Organization.steplen])
    raiser, _other = _two_people(organization)
    council = make_council(organization)
    online = make_topic(organization, council=council, raised_via="online_hall", raised_by=raiser)
    for to, needs in (
        ("accepted", {}),
        ("assigned", {"responsible_organization": street, "due_on": datetime.date(2030, 1, 1)}),
    ):
        online = council_services.topic_transition(by=SYSTEM, topic=online, to=to, **needs)
    done = make_topic(organization, council=council, title="邻里停车纠纷")
    for to, needs in (
        ("accepted", {}),
        ("assigned", {"responsible_body": "镇交通办", "due_on": datetime.date(2030, 1, 1)}),
        ("in_progress", {}),
        ("resolved", {"evidence": "划定停车位", "feedback": "已电话告知"}),
    ):
        done = council_services.topic_transition(by=SYSTEM, topic=done, to=to, **needs)
    make_attachment(organization, record=done, user=user, name="现场照片.jpg")


def make_job(organization, **fields) -> Job:
    """A finished import job of an account of ``organization``. Made directly: the service that
    starts one (``import_job_start``) stores its sheet and queues it for a worker."""
    user = fields.pop("user", None) or UserFactory(organization=organization, role=Role.STAFF)
    values = {
        "user": user,
        "organization": user.organization,
        "kind": PEOPLE_JOB,
        "state": JobState.SUCCEEDED,
        "result": {"rows": 1, "created": 1, "error_count": 0, "errors": [], "message": ""},
        **fields,
    }
    return Job.objects.create(**values)


def make_notice(organization, **fields) -> Notice:
    """A notice to a staff account of ``organization`` (or to ``account``), sent by the service."""
    account = fields.pop("account", None) or UserFactory(organization=organization, role=Role.STAFF)
    values = {"title": "案件 WQ-2026-00001 已逾期：首次处置", "body": "家庭暴力，紧急", **fields}
    sent = notice_send(by=SYSTEM, organization=organization, roles=[account.role], **values)
    return next(notice for notice in sent if notice.account_id == account.pk)


# --- The registry ----------------------------------------------------------------------------


def make_signoff(organization, *, period: str = "2024", **fields) -> SignOff:
    """A village's figures for ``period`` confirmed by its staff, through the service; any
    other organization's period row as it stands before its sign-off (open)."""
    if organization.kind != Kind.VILLAGE:
        return SignOff.objects.create(organization=organization, period=period, **fields)
    staff = UserFactory(organization=organization, role=Role.STAFF)
    return signoffs.signoff_act(
        by=staff,
        organization=organization,
        period=signoffs.signoff_period(period),
        act="confirm",
    ).signoff


REGISTRY: dict[type[Model], Maker] = {
    Organization: Maker(
        make=make_organization,
        resource="organization",
        create_body=lambda tree, target: {
            "parent": target.pk,
            "kind": "committee",
            "sector": "enterprise",
            "code": "MATRIX-1",
            "name": "越权妇委会",
            "opened_on": "2024-01-01",
            "client_id": "00000000-0000-4000-8000-000000000001",
        },
    ),
    Member: Maker(
        make=make_member,
        resource="member",
        create_body=lambda tree, target: {
            "organization": target.pk,
            "name": "越权人员",
            "gender": "female",
            "client_id": "00000000-0000-4000-8000-000000000002",
        },
        station=station_people,
    ),
    Appointment: Maker(
        make=make_appointment,
        resource="appointment",
        create_body=lambda tree, target: {
            "member": make_member(target, name="乙方的人").pk,
            "organization": tree.village_a1.pk,
            "role": "volunteer",
            "started_on": "2024-01-01",
            "client_id": "00000000-0000-4000-8000-000000000003",
        },
        station=station_appointments,
    ),
    BranchMeeting: Maker(
        make=make_branch_meeting,
        resource="branchmeeting",
        create_body=lambda tree, target: {
            "organization": target.pk,
            "kind": "lecture",
            "held_on": "2024-01-10",
            "topic": "越权党课",
            "client_id": "00000000-0000-4000-8000-000000000004",
        },
        station=station_branch_meetings,
    ),
    Event: Maker(
        make=make_event,
        resource="event",
        create_body=lambda tree, target: {
            "organization": target.pk,
            "title": "越权活动",
            "category": "lecture",
            "starts_at": "2024-05-01T09:00:00+08:00",
            "ends_at": "2024-05-01T11:00:00+08:00",
            "client_id": "00000000-0000-4000-8000-000000000005",
        },
        station=station_events,
    ),
    EventParticipant: Maker(
        make=make_participant,
        resource="eventparticipant",
        create_body=lambda tree, target: {
            "event": make_event(target, title="乙方培训").pk,
            "member": make_member(target, name="乙方学员").pk,
            "client_id": "00000000-0000-4000-8000-000000000012",
        },
    ),
    Campaign: Maker(
        make=make_campaign,
        resource="campaign",
        create_body=lambda tree, target: {
            "organization": target.pk,
            "title": "越权专项行动",
            "starts_on": "2024-05-01",
            "ends_on": "2024-05-31",
            "client_id": "00000000-0000-4000-8000-000000000006",
        },
    ),
    Fund: Maker(
        make=make_fund,
        resource="fund",
        create_body=lambda tree, target: {
            "organization": target.pk,
            "source": "donation",
            "amount": "100.00",
            "received_on": "2024-05-01",
            "client_id": "00000000-0000-4000-8000-000000000007",
        },
    ),
    LineOfWork: Maker(make=make_line, resource="lineofwork"),
    EventCategory: Maker(make=make_category, resource="eventcategory"),
    Attachment: Maker(make=make_attachment),
    Job: Maker(
        make=make_job,
        resource="job",
        station=lambda organization, user: make_job(organization, user=user),  # its own job
    ),
    Notice: Maker(
        make=make_notice,
        resource="notice",
        station=lambda organization, user: make_notice(organization, account=user),  # its own
    ),
    Position: Maker(
        make=lambda organization, **fields: PositionFactory(organization=organization, **fields),
        resource="position",
    ),
    Title: Maker(
        make=lambda organization, **fields: TitleFactory(organization=organization, **fields),
        resource="title",
    ),
    User: Maker(
        make=lambda organization, **fields: UserFactory(organization=organization, **fields),
        resource="account",
    ),
    DeviceToken: Maker(
        make=lambda organization, **fields: DeviceToken.objects.create(
            user=UserFactory(organization=organization), **{"device": "手机", **fields}
        )[0],
        resource="token",
    ),
    AccessAttempt: Maker(
        make=lambda organization, **fields: _login_record(
            AccessAttempt, organization, **{"failures_since_start": 1, **fields}
        ),
    ),
    AccessLog: Maker(
        make=lambda organization, **fields: _login_record(AccessLog, organization, **fields)
    ),
    AccessFailureLog: Maker(
        make=lambda organization, **fields: _login_record(AccessFailureLog, organization, **fields)
    ),
    # A full read by an account of ``organization`` (here, of the organization's own record).
    FullRead: Maker(
        make=lambda organization, **fields: FullRead.objects.create(
            user=UserFactory(organization=organization),
            content_type=ContentType.objects.get_for_model(Organization),
            object_id=organization.pk,
            **{"through": "api", **fields},
        ),
    ),
    IdentityCheck: Maker(
        make=lambda organization, **fields: IdentityCheck.objects.create(
            user=UserFactory(organization=organization, role="station_operator"),
            **{
                "through": "lookup",
                "masked_number": "110105********0145",
                "number_key": "k",
                **fields,
            },
        ),
    ),
    Station: Maker(
        make=make_station,
        resource="station",
        create_body=lambda tree, target: {
            "organization": target.pk,
            "kind": "station",
            "name": "越权维权服务站",
            "opened_on": "2024-01-01",
            "client_id": "00000000-0000-4000-8000-000000000009",
        },
    ),
    StationStaff: Maker(
        make=make_station_staff,
        resource="stationstaff",
        create_body=lambda tree, target: {
            "station": make_station(target).pk,
            "member": make_member(target, name="乙方调解员").pk,
            "role": "mediator",
            "started_on": "2024-02-01",
            "client_id": "00000000-0000-4000-8000-000000000010",
        },
    ),
    Case: Maker(
        make=make_case,
        resource="case",
        create_body=lambda tree, target: {
            "station": station_of(target).pk,
            "received_at": "2026-03-08T09:30:00+08:00",
            "channel": "visit",
            "category": "domestic_violence",
            "risk": "high",
            "consent_to_record": True,
            "narrative": "越权登记",
            "parties": [{"role": "seeker", "name": "越权求助人"}],
            "client_id": "00000000-0000-4000-8000-000000000011",
        },
        station=station_cases,
    ),
    Referral: Maker(
        make=make_referral,
        resource="referral",
        create_body=lambda tree, target: {
            "case": make_referral(target).case_id,
            "outside_kind": "court",
            "outside_name": "越权法院",
            "reason": "越权转介",
            "client_id": "00000000-0000-4000-8000-000000000020",
        },
        station=station_referrals,
    ),
    Council: Maker(
        make=make_council,
        resource="council",
        create_body=lambda tree, target: {
            "organization": target.pk,
            "name": "越权妇女议事会",
            "established_on": "2024-01-01",
            "client_id": "00000000-0000-4000-8000-000000000012",
        },
    ),
    CouncilMember: Maker(make=make_council_member, resource="councilmember"),
    Meeting: Maker(
        make=make_meeting,
        resource="councilmeeting",
        create_body=lambda tree, target: {
            "council": make_council(target).pk,
            "held_on": "2024-03-08",
            "place": "越权会场",
            "client_id": "00000000-0000-4000-8000-000000000013",
        },
        station=station_council_meetings,
    ),
    Topic: Maker(
        make=make_topic,
        resource="counciltopic",
        create_body=lambda tree, target: {
            "council": make_council(target).pk,
            "raised_via": "online_hall",
            "raised_on": "2024-03-08",
            "title": "越权议题",
            "category": "village_affairs",
            "client_id": "00000000-0000-4000-8000-000000000014",
        },
        station=station_council_topics,
    ),
    TopicCategory: Maker(
        make=lambda organization, **fields: topic_category(fields.pop("code", "family")),
    ),
    SignOff: Maker(
        make=make_signoff,
        resource="signoff",
        create_body=lambda tree, target: {
            "organization": target.pk,
            "period": "2024",
            "action": "confirm",
        },
    ),
    # Test-only (tests/scoping_app), routed by tests/core/urls.py; the model has no services.
    Ticket: Maker(
        make=lambda organization, **fields: Ticket.objects.create(
            organization=organization, **{"title": "测试工单", **fields}
        ),
    ),
}


# --- What the API serves ---------------------------------------------------------------------


# The API's GET routes that answer one summary rather than a page of rows (the reports, a
# position's coverage, a period's sign-off): the generated tests read them as such.
SUMMARY_ROUTES = ("coverage", "summary", "catalogue", "completeness", "annual", "signoffs")


def _api_patterns(patterns=None, prefix="") -> Iterator[tuple[str, URLPattern]]:
    """(path template, pattern) for every DRF route under api/v1/."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from _api_patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and hasattr(entry.callback, "actions"):
            route = prefix + str(entry.pattern)
            if route.startswith("api/v1/") and "format" not in route:
                yield route, entry


def api_routes() -> Iterator[tuple[str, type, bool, list[str]]]:
    """(path template, viewset class, detail?, methods) for every DRF route under api/v1/."""
    for route, entry in _api_patterns():
        viewset = entry.callback.cls
        methods = [m for m in entry.callback.actions if m in viewset.http_method_names]
        yield route, viewset, "<pk>" in route, sorted(methods)


def create_routes() -> list[tuple[str, type]]:
    """(path template, viewset class) of every API route whose POST creates one record (the
    viewset's ``create``): the routes that take a client's key."""
    return [
        (route, entry.callback.cls)
        for route, entry in _api_patterns()
        if entry.callback.actions.get("post") == "create"
    ]


def update_routes() -> list[tuple[str, type]]:
    """(path template, viewset class) of every API route whose PATCH changes one record (the
    viewset's ``partial_update``)."""
    return [
        (route, entry.callback.cls)
        for route, entry in _api_patterns()
        if entry.callback.actions.get("patch") == "partial_update"
    ]


def api_models() -> list[type[Model]]:
    """The models the API's viewsets serve: those in the registry first, in its order."""
    served = {viewset.model for _, viewset, _, _ in api_routes()}
    return [m for m in REGISTRY if m in served] + sorted(
        served - set(REGISTRY), key=lambda m: m._meta.label
    )

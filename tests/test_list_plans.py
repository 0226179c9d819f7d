"""Every list reads its page through an index at district scale (docs/quality.md, 25 and 26).

For every list route of the API (walked from the URL conf, as the access matrix walks it),
every filter its FilterSet offers (each value of a choice), its default order, the sync order
and the next page of each, as the district's administrator, a street's staff and a village's
station: the request is made, the queries that read its rows are captured and EXPLAINed, and
a plan that reads a large table whole fails — a sequential scan, or a sort of a large table's
worth of rows. The admin's changelists are walked the same way (every filter choice, every
sortable column). The tables are filled to a
district's proportions (50,000 people over 330 villages) and ANALYZEd, so the planner
chooses as it would at 200,000; on a few rows it may as well scan everything.

The count (capped at 10,001 rows, docs/api.md, Lists) is left out: it reads at most that many
rows whichever way the planner goes.
"""

import datetime
import json
from collections.abc import Iterator

import django_filters
import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import result_headers
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.core.filters import UTCDateTimeFilter
from apps.demo.names import GIVEN, SURNAMES
from apps.members.api.people import MemberViewSet
from apps.members.choices import AppointmentRole, BranchMeetingKind
from apps.organizations.admin_filters import TREE_FILTERS
from apps.organizations.choices import Kind
from apps.organizations.filters import OrganizationIdFilter
from apps.organizations.models import Organization, pinyin_key
from apps.organizations.roles import Role
from tests.factories.accounts import UserFactory, token_key
from tests.factories.organizations import make_org
from tests.registry import SUMMARY_ROUTES, api_routes

LARGE = 5_000  # rows: a table this big is never read whole for one page
STREETS, VILLAGES_PER_STREET, PEOPLE_PER_VILLAGE = 15, 22, 152  # 50,160 people
SYNC_FROM = "2000-01-01T00:00:00Z"  # a first sync: every row


# Routes whose GET answers figures, not a page of records. Coverage's plan is checked below;
# the reports' (a subtree's figures for a period, which read the period's rows by design) are
# measured by the reports benchmark of issue 19 and served from rollups there (docs/reports.md).
SUMMARIES = tuple(f"{name}/" for name in SUMMARY_ROUTES)


def list_routes() -> list[tuple[str, type]]:
    return [
        ("/" + route.replace("^", "").replace("$", ""), viewset)
        for route, viewset, detail, methods in api_routes()
        if not detail and "get" in methods and not route.replace("$", "").endswith(SUMMARIES)
    ]


# --- A district's worth of rows ----------------------------------------------------------


# Each a hundred values, in the demo's proportions (apps/demo/members.py): few men, few of the
# rarer statuses, so a filter for them finds few rows and must not read them all to do so.
POLITICAL = (
    ["masses"] * 58
    + ["party_member"] * 30
    + ["league_member"] * 8
    + ["probationary_member", "probationary_member", "democratic_party", "non_party"]
)
EDUCATION = (
    ["junior_high"] * 30
    + ["senior_high"] * 27
    + ["junior_college"] * 18
    + ["bachelor"] * 15
    + ["primary"] * 8
    + ["master", "master"]
)


def _insert(sql: str, params: dict) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def build_people(villages: list[Organization], per_village: int) -> None:
    """``per_village`` people in each village, in one statement: 50,000 rows built one by one
    would cost the suite more than every plan it checks."""
    names = [f"{s}{g}{h}" for s in SURNAMES for g in GIVEN for h in ("", GIVEN[-1])]
    _insert(
        """
        INSERT INTO members_member (
            created_at, updated_at, request_hash, version, deleted_at, name, name_pinyin,
            gender, ethnicity, birth_date, id_number, phone, political_status, education,
            occupation, address, organization_id)
        SELECT now(), %(now)s - n %% 2000 * INTERVAL '1 day', '', 1,
            CASE WHEN n %% 101 = 0 THEN now() END,
            (%(names)s::text[])[1 + n %% %(n_names)s],
            (%(pinyin)s::text[])[1 + n %% %(n_names)s],
            CASE WHEN n %% 20 = 0 THEN 'male' ELSE 'female' END,
            CASE WHEN n %% 97 = 0 THEN 'hui' ELSE 'han' END,
            DATE '1950-01-01' + n %% 20000, '', '',
            (%(political)s::text[])[1 + n * 7 %% 100],
            (%(education)s::text[])[1 + n * 13 %% 100],
            '', '', (%(villages)s::bigint[])[1 + n / %(per_village)s]
        FROM generate_series(0, %(total)s - 1) AS n
        """,
        {
            "names": names,
            "pinyin": [pinyin_key(name) for name in names],
            "n_names": len(names),
            "political": POLITICAL,
            "education": EDUCATION,
            "villages": [village.pk for village in villages],
            "per_village": per_village,
            "total": per_village * len(villages),
            "now": timezone.now(),
        },
    )


def build_district():
    """The tree through the services (its villages in bulk), the rows in bulk, the statistics
    fresh; an account at each level, with the organizations it filters by."""
    district = make_org(None, Kind.DISTRICT, "规模区妇联")
    villages = []
    for s in range(STREETS):
        street = make_org(district, Kind.STREET, f"第{s}街道妇联")
        villages += Organization.objects.bulk_create(
            Organization(
                path=f"{street.path}{v + 1:04d}",
                depth=street.depth + 1,
                code=f"SCALE{s:02d}{v:03d}",
                name=f"第{s}街道{v}村妇联",
                name_pinyin=f"di {s} jie dao {v} cun fu lian",
                kind=Kind.VILLAGE,
                parent=street,
                street=street,
                opened_on=datetime.date(2010, 1, 1),
            )
            for v in range(VILLAGES_PER_STREET)
        )
        Organization.objects.filter(pk=street.pk).update(numchild=VILLAGES_PER_STREET)
    build_people(villages, PEOPLE_PER_VILLAGE)
    # One person in 400 entered again by her village: the same name, birth date, phone and ID
    # number (a made-up one; nothing checks it here), for the duplicates page to find.
    _insert(
        """
        UPDATE members_member SET phone = '+86139' || lpad(id::text, 8, '0'),
            id_number = 'D' || lpad(id::text, 17, '0')
        WHERE id %% 400 = 0 AND deleted_at IS NULL;
        INSERT INTO members_member (
            created_at, updated_at, request_hash, version, name, name_pinyin, gender, ethnicity,
            birth_date, id_number, phone, political_status, education, occupation, address,
            organization_id)
        SELECT now(), now(), '', 1, name, name_pinyin, gender, ethnicity, birth_date, id_number,
            phone, political_status, education, '', '', organization_id
        FROM members_member WHERE id_number LIKE 'D%%'
        """,
        {},
    )
    # A third of the people hold a role; a third of those terms have ended.
    _insert(
        """
        INSERT INTO members_appointment (
            created_at, updated_at, request_hash, version, role, started_on, ended_on, note,
            member_id, organization_id)
        SELECT now(), updated_at, '', 1, (%(roles)s::text[])[1 + id %% %(n_roles)s],
            DATE '2015-01-01' + id::int %% 3000,
            CASE WHEN id %% 9 = 0 THEN DATE '2024-01-01' END, '', id, organization_id
        FROM members_member WHERE id %% 3 = 0
        """,
        {"roles": AppointmentRole.values, "n_roles": len(AppointmentRole.values)},
    )
    # Sixty meetings a village (twelve years of them), three people at each.
    _insert(
        """
        INSERT INTO members_branchmeeting (
            created_at, updated_at, request_hash, version, kind, held_on, topic, minutes,
            organization_id)
        SELECT now(), now() - n * 37 %% 2000 * INTERVAL '1 day', '', 1,
            (%(kinds)s::text[])[1 + n %% %(n_kinds)s],
            DATE '2016-01-01' + n * 37 %% 3000, '学习', '', village
        FROM unnest(%(villages)s::bigint[]) AS village, generate_series(0, 59) AS n
        """,
        {
            "kinds": BranchMeetingKind.values,
            "n_kinds": len(BranchMeetingKind.values),
            "villages": [village.pk for village in villages],
        },
    )
    _insert(
        """
        INSERT INTO members_branchattendance (
            created_at, updated_at, status, reason, meeting_id, member_id)
        SELECT now(), now(), 'present', '', meeting.id, person.id
        FROM members_branchmeeting AS meeting, LATERAL (
            SELECT id FROM members_member WHERE organization_id = meeting.organization_id
            ORDER BY id OFFSET meeting.id %% 60 LIMIT 3) AS person
        """,
        {},
    )
    # Thirty events a village (twelve years of them), over the seeded categories.
    _insert(
        """
        INSERT INTO events_event (
            created_at, updated_at, request_hash, version, title, line_id, category_id,
            starts_at, ends_at, place, partners, participants, people_reached, volunteers,
            spent, summary, organization_id)
        SELECT now(), now() - n * 37 %% 2000 * INTERVAL '1 day', '', 1, '讲座', c.line_id,
            c.id, TIMESTAMPTZ '2016-01-01 09:00+08' + n * 37 %% 3000 * INTERVAL '1 day',
            TIMESTAMPTZ '2016-01-01 11:00+08' + n * 37 %% 3000 * INTERVAL '1 day', '', '',
            10, 30, 1, 100, '', village
        FROM unnest(%(villages)s::bigint[]) AS village, generate_series(0, 29) AS n,
            LATERAL (SELECT id, line_id FROM events_eventcategory
                     ORDER BY id OFFSET n %% 11 LIMIT 1) AS c
        """,
        {"villages": [village.pk for village in villages]},
    )
    with connection.cursor() as cursor:
        # The foreign keys checked now, once, rather than again at the end of every test.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("ANALYZE")
    street = Organization.objects.filter(kind=Kind.STREET).order_by("path")[3]
    village = Organization.objects.filter(parent=street).order_by("path")[7]
    return {
        "district": (
            UserFactory(organization=district, role=Role.DISTRICT_ADMIN),
            [street, village],
        ),
        "street": (UserFactory(organization=street, role=Role.STAFF), [street, village]),
        "village": (UserFactory(organization=village, role=Role.STATION_OPERATOR), [village]),
    }


@pytest.fixture(scope="module")
def accounts(django_db_setup, django_db_blocker):
    """Built once for the module in a transaction rolled back at its end, so the other tests
    never see these rows (each test's own transaction is a savepoint inside it)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            # Fresh heaps for the tables this module fills: earlier tests' rolled-back rows
            # leave dead space that moves the planner's choices (TRUNCATE rolls back too).
            with connection.cursor() as cursor:
                cursor.execute(
                    "TRUNCATE members_branchattendance, members_branchmeeting, "
                    "members_appointment, members_member, events_event CASCADE"
                )
            yield build_district()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- What a list offers ------------------------------------------------------------------


def filter_values(viewset, organizations) -> Iterator[dict]:
    """One query string per value of each filter the list's FilterSet has (a list with none,
    as the jobs', offers none)."""
    filterset = getattr(viewset, "filterset_class", None)
    if filterset is None:
        return
    for name, offered in filterset.base_filters.items():
        if isinstance(offered, OrganizationIdFilter):
            yield from ({name: organization.pk} for organization in organizations)
        elif isinstance(offered, django_filters.ChoiceFilter):
            yield from ({name: value} for value, _label in offered.extra["choices"])
        elif isinstance(offered, django_filters.BooleanFilter):
            yield from ({name: "true"}, {name: "false"})
        elif isinstance(offered, UTCDateTimeFilter):
            yield {name: SYNC_FROM}
            yield from ({name: SYNC_FROM, "organization": o.pk} for o in organizations[-1:])
        elif isinstance(offered, django_filters.DateFilter):
            yield {name: "2020-06-30"}
        elif isinstance(offered, django_filters.CharFilter):
            yield {name: SURNAMES[0]}
        elif isinstance(offered, django_filters.NumberFilter):  # an id: ?station=, ?campaign=
            yield {name: 1}
        else:
            raise AssertionError(
                f"{filterset.__name__}.{name} ({type(offered).__name__}): give this kind of "
                "filter its values in tests/test_list_plans.py"
            )


# --- Reading plans -------------------------------------------------------------------------


def large_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples >= %s", [LARGE]
        )
        return {name for (name,) in cursor.fetchall()}


def whole_reads(node, large) -> Iterator[str]:
    """The nodes of a plan that read a large table whole: a scan of it, or a sort of as many
    rows (an index walked to the end and sorted is no better)."""
    kind = node["Node Type"]
    if kind == "Seq Scan" and node["Relation Name"] in large:
        yield f"Seq Scan on {node['Relation Name']}"
    if kind == "Sort" and node["Plan Rows"] >= LARGE:
        yield f"Sort of {LARGE:,}+ rows by {', '.join(node['Sort Key'])}"
    for child in node.get("Plans", []):
        yield from whole_reads(child, large)


def plan_of(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def reads_of(client, url, params=None) -> tuple[list[str], object]:
    """The SQL that read the page's rows (not the count, nor its estimate), and the answer."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, (url, params, response.content[:300])
    reads = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT") and not query["sql"].startswith("SELECT COUNT(*)")
    ]
    return reads, response


def whole_reads_in(reads: list[str], label: str) -> list[str]:
    large = large_tables()
    return [
        f"{label}: {bad}\n    {sql[:300]}"
        for sql in reads
        for bad in whole_reads(plan_of(sql), large)
    ]


def problems(client, url, params=None) -> list[str]:
    """Whole reads of a large table in the API page at ``url`` and, if any, in the next."""
    reads, response = reads_of(client, url, params)
    following = response.json()["next"]
    if following:
        reads += reads_of(client, following)[0]
    return whole_reads_in(reads, f"{url} {params or ''}")


def changelist_urls(client, model) -> list[str]:
    """The changelist, its second page, each choice of each filter, each order it offers."""
    opts = model._meta
    base = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    cl = client.get(base).context["cl"]
    urls = [base, f"{base}?p=2"]
    for spec in cl.filter_specs:
        urls += [base + c["query_string"] for c in spec.choices(cl) if c["query_string"] != "?"]
    for index, header in enumerate(result_headers(cl)):
        if header["sortable"]:
            urls += [f"{base}?o={index}", f"{base}?o=-{index}"]
    return urls


def client_of(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_key(user)}")
    return client


# --- The tests -----------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_the_walk_finds_the_lists():
    assert ("/api/v1/members/", MemberViewSet) in list_routes()


@pytest.mark.parametrize("who", ["district", "street", "village"])
@pytest.mark.parametrize(("url", "viewset"), list_routes(), ids=lambda v: getattr(v, "__name__", v))
def test_every_page_of_every_list_reads_through_an_index(accounts, who, url, viewset):
    user, organizations = accounts[who]
    client = client_of(user)
    found = problems(client, url)
    for params in filter_values(viewset, organizations):
        found += problems(client, url, params)

    assert found == []


ADMINS = [model for model in admin.site._registry if model in {v.model for _, v in list_routes()}]


@pytest.mark.parametrize("who", ["district", "street"])  # the admin is the district's and streets'
@pytest.mark.parametrize("model", ADMINS, ids=lambda model: model.__name__)
def test_every_changelist_filter_and_order_reads_through_an_index(accounts, browser_as, who, model):
    user, _ = accounts[who]
    client = browser_as(user)

    urls = changelist_urls(client, model)

    assert len(urls) > 2
    assert [line for url in urls for line in whole_reads_in(reads_of(client, url)[0], url)] == []


def test_a_missing_index_is_caught(accounts):
    user, _ = accounts["district"]
    client = client_of(user)
    assert problems(client, "/api/v1/members/") == []
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX member_name")  # rolled back with the test's transaction

    found = problems(client, "/api/v1/members/")

    sort = "Sort of 5,000+ rows by members_member.name_pinyin, members_member.id"
    page = [sort, "Seq Scan on members_member"]
    assert [line.split(": ", 1)[1].split("\n")[0] for line in found] == page + page  # 1 and 2


# The lists filtered by street and by village (apps/organizations/admin_filters.py): their
# choices come from an autocomplete, so the walk above does not reach them. A search by text
# (a name, a topic, an organization's name) is not walked: a term contained anywhere in a name
# is read from every row of the subtree, as it always was (docs/scoping.md).
TREE_FILTERED = [
    model for model in ADMINS if set(TREE_FILTERS) <= set(admin.site._registry[model].list_filter)
]


@pytest.mark.parametrize("who", ["district", "street"])
@pytest.mark.parametrize("model", TREE_FILTERED, ids=lambda model: model.__name__)
def test_the_street_and_village_filters_read_through_an_index(accounts, browser_as, who, model):
    user, (street, village) = accounts[who]
    client = browser_as(user)
    opts = model._meta
    base = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    urls = [
        f"{base}?street={street.pk}",
        f"{base}?village={village.pk}",
        f"{base}?street={street.pk}&village={village.pk}&p=2",
    ]

    # people, appointments, 三会一课, stations, events, campaigns, funds, cases, councils, their
    # meetings and topics
    assert len(TREE_FILTERED) == 11
    assert [line for url in urls for line in whole_reads_in(reads_of(client, url)[0], url)] == []


@pytest.mark.parametrize("who", ["district", "street", "village"])
def test_coverage_reads_through_an_index(accounts, who):
    """Stations' coverage (docs/rights.md): the subtree's villages, each asked whether a
    station of it is open, read through the tree's and the stations' indexes."""
    user, _ = accounts[who]
    url = "/api/v1/rights/stations/coverage/"
    reads, _response = reads_of(client_of(user), url, {"on": "2020-06-30"})

    assert reads
    assert whole_reads_in(reads, url) == []

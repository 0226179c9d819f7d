"""The one scoping rule and its two named exceptions."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import DeviceToken
from apps.organizations.choices import Kind
from apps.organizations.models import Organization, Position
from apps.organizations.roles import Role
from apps.organizations.scoping import in_scope, scoped, with_ancestors, with_referrals
from tests.factories.organizations import PositionFactory, make_org
from tests.scoping_app.models import Record, Referral, Unscoped

pytestmark = pytest.mark.django_db

READABLE = ["sent", "accepted", "answered"]


def names(queryset):
    return sorted(queryset.values_list("name", flat=True))


def test_an_account_sees_its_subtree_and_nothing_else(tree, user_in):
    account = user_in(tree.street_a, Role.STAFF)

    visible = names(scoped(Organization.objects.all(), account))

    assert visible == sorted(["甲街道妇联", "甲一社区妇联", "甲二社区妇联", "甲街道快递行业妇委会"])


def test_a_village_does_not_see_its_sibling(tree, user_in):
    account = user_in(tree.village_a1, Role.STATION_OPERATOR)
    PositionFactory(organization=tree.village_a1, name="甲一妇女之家")
    PositionFactory(organization=tree.village_a2, name="甲二妇女之家")

    assert names(scoped(Position.objects.all(), account)) == ["甲一妇女之家"]
    assert names(scoped(Organization.objects.all(), account)) == ["甲一社区妇联"]


def test_records_of_a_model_with_a_registered_path_follow_it(tree, user_in):
    mine = user_in(tree.village_a1, Role.STATION_OPERATOR)
    theirs = user_in(tree.village_b1, Role.STATION_OPERATOR)
    DeviceToken.objects.create(user=mine, device="手机")
    DeviceToken.objects.create(user=theirs, device="手机")
    admin = user_in(tree.street_a, Role.DISTRICT_ADMIN)

    assert list(scoped(DeviceToken.objects.all(), admin).values_list("user", flat=True)) == [
        mine.pk
    ]


def test_a_subtree_is_one_query_however_deep_or_wide(tree, user_in):
    for number in range(40):
        make_org(tree.street_a, Kind.VILLAGE, f"新增{number}村妇联")
    account = user_in(tree.district, Role.STAFF)

    with CaptureQueriesContext(connection) as queries:
        rows = list(scoped(Organization.objects.all(), account))

    assert len(rows) == 7 + 40
    assert len(queries) == 1
    assert "LIKE" in queries[0]["sql"]


def test_the_subtree_query_uses_the_path_index(tree, user_in):
    # A district's worth of rows and fresh statistics, so the plan is the one production gets
    # (on a handful of rows a planner may as well scan another index whole).
    street_b = tree.street_b
    Organization.objects.bulk_create(
        Organization(
            path=f"{street_b.path}{n:04d}",
            depth=street_b.depth + 1,
            code=f"BULK{n:04d}",
            name=f"村{n}",
            name_pinyin=f"cun {n}",
            kind="village",
            parent=street_b,
            street=street_b,
            opened_on="2010-01-01",
        )
        for n in range(100, 600)
    )
    account = user_in(tree.street_a, Role.STAFF)
    queryset = scoped(Organization.objects.all(), account)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Organization._meta.db_table}")
        cursor.execute("SET enable_seqscan = off")
        plan = queryset.explain()
        cursor.execute("RESET enable_seqscan")

    # An index scan (plain or bitmap) on the path index, the prefix turned into a range.
    assert re.search(r"Index Scan (using|on) organizations_organization_path", plan)
    assert "Index Cond: (((path)::text ~>=~ " in plan


def test_an_inactive_or_missing_account_sees_nothing(tree, user_in):
    account = user_in(tree.district, Role.DISTRICT_ADMIN, is_active=False)

    assert scoped(Organization.objects.all(), account).count() == 0
    assert scoped(Organization.objects.all(), None).count() == 0


def test_a_model_without_a_scope_is_refused_not_shown_whole(tree, user_in):
    Unscoped.objects.create(name="x")
    account = user_in(tree.district, Role.DISTRICT_ADMIN)

    with pytest.raises(ImproperlyConfigured):
        scoped(Unscoped.objects.all(), account)


def test_in_scope_agrees_with_scoped(tree, user_in):
    account = user_in(tree.street_a, Role.STAFF)

    assert in_scope(tree.village_a2, account) is True
    assert in_scope(tree.village_b1, account) is False
    assert in_scope(tree.district, account) is False


# Exception one: looking up the tree.


def test_ancestors_are_readable_but_not_their_other_children(tree, user_in):
    account = user_in(tree.village_a1, Role.STATION_OPERATOR)

    readable = names(with_ancestors(Organization.objects.all(), account))

    assert readable == sorted(["测试区妇联", "甲街道妇联", "甲一社区妇联"])


def test_ancestors_records_are_readable_through_their_organization(tree, user_in):
    account = user_in(tree.village_a1, Role.STATION_OPERATOR)
    Record.objects.create(organization=tree.district, title="区级专项行动")
    Record.objects.create(organization=tree.street_b, title="乙镇专项行动")
    Record.objects.create(organization=tree.village_a2, title="甲二活动")

    readable = sorted(with_ancestors(Record.objects.all(), account).values_list("title", flat=True))

    assert readable == ["区级专项行动"]
    assert scoped(Record.objects.all(), account).count() == 0


# Exception two: a referral.


@pytest.mark.parametrize(
    ("status", "visible"),
    [("sent", True), ("accepted", True), ("answered", True), ("declined", False)],
)
def test_a_referred_record_is_readable_at_the_target_while_the_referral_allows(
    tree, user_in, status, visible
):
    center = make_org(tree.district, Kind.COMMITTEE, "区妇女儿童法律服务中心", sector="organ")
    worker = user_in(center, Role.CASE_WORKER)
    record = Record.objects.create(organization=tree.village_b1, title="求助记录")
    other = Record.objects.create(organization=tree.village_b1, title="未转介记录")
    Referral.objects.create(record=record, target=center, status=status)

    readable = with_referrals(
        Record.objects.all(),
        worker,
        target="referrals__target",
        status="referrals__status",
        readable_statuses=READABLE,
    )

    assert list(readable.values_list("title", flat=True)) == (["求助记录"] if visible else [])
    assert other not in readable
    assert scoped(Record.objects.all(), worker).count() == 0


def test_a_record_referred_twice_is_listed_once(tree, user_in):
    center = make_org(tree.district, Kind.COMMITTEE, "区妇女儿童法律服务中心", sector="organ")
    worker = user_in(center, Role.CASE_WORKER)
    record = Record.objects.create(organization=tree.village_b1, title="求助记录")
    Referral.objects.create(record=record, target=center, status="answered")
    Referral.objects.create(record=record, target=center, status="sent")

    readable = with_referrals(
        Record.objects.all(),
        worker,
        target="referrals__target",
        status="referrals__status",
        readable_statuses=READABLE,
    )

    assert readable.count() == 1


def test_until_names_what_the_referred_record_must_still_be(tree, user_in):
    center = make_org(tree.district, Kind.COMMITTEE, "区妇女儿童法律服务中心", sector="organ")
    worker = user_in(center, Role.CASE_WORKER)
    open_one = Record.objects.create(organization=tree.village_b1, title="办理中")
    done = Record.objects.create(organization=tree.village_b1, title="已结束")
    for record in (open_one, done):
        Referral.objects.create(record=record, target=center, status="accepted")

    readable = with_referrals(
        Record.objects.all(),
        worker,
        target="referrals__target",
        status="referrals__status",
        readable_statuses=READABLE,
        until=~Q(title="已结束"),
    )

    assert list(readable.values_list("title", flat=True)) == ["办理中"]

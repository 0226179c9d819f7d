"""Coverage: the share of open villages with an open station or post, and those without
(docs/rights.md, Coverage), in one query whatever the tree's size."""

import datetime

import pytest

from apps.core.actors import SYSTEM
from apps.organizations.choices import Kind
from apps.organizations.roles import Role
from apps.rights.selectors.stations import coverage
from apps.rights.services import stations as services
from tests.factories.organizations import make_org
from tests.registry import make_station

pytestmark = pytest.mark.django_db

D = datetime.date


def names(found) -> list[str]:
    return [village.name for village in found.without]


def test_share_and_the_list_of_villages_without(tree):
    make_station(tree.village_a1, opened_on=D(2024, 1, 1))
    make_station(tree.street_a, opened_on=D(2024, 1, 1))  # a collection point covers nothing

    found = coverage(user=SYSTEM, on=D(2024, 6, 1))

    assert (found.villages, found.covered, found.share) == (3, 1, 0.3333)
    assert names(found) == ["甲二社区妇联", "乙一村妇联"]


def test_a_post_of_a_villages_committee_covers_the_village(tree):
    committee = make_org(tree.village_a2, Kind.COMMITTEE, "甲二社区妇委会", sector="organ")
    make_station(committee, kind="post", opened_on=D(2024, 1, 1))

    found = coverage(user=SYSTEM, organization=tree.street_a, on=D(2024, 6, 1))

    assert (found.villages, found.covered) == (2, 1)
    assert names(found) == ["甲一社区妇联"]


def test_a_day_before_a_station_opened_and_after_one_closed(tree):
    make_station(tree.village_a1, opened_on=D(2024, 3, 1))
    closing = make_station(tree.village_a2, opened_on=D(2024, 1, 1))
    services.station_close(by=SYSTEM, station=closing, closed_on=D(2024, 4, 30))

    before = coverage(user=SYSTEM, organization=tree.street_a, on=D(2024, 2, 29))
    opened = coverage(user=SYSTEM, organization=tree.street_a, on=D(2024, 3, 1))
    last_day = coverage(user=SYSTEM, organization=tree.street_a, on=D(2024, 4, 30))
    after = coverage(user=SYSTEM, organization=tree.street_a, on=D(2024, 5, 1))

    assert names(before) == ["甲一社区妇联"]
    assert (opened.covered, opened.share) == (2, 1.0)
    assert last_day.covered == 2  # the closing day is its last open day
    assert names(after) == ["甲二社区妇联"]


def test_a_deleted_station_covers_nothing(tree):
    station = make_station(tree.village_a1)
    station.mark_deleted(by=SYSTEM)

    assert coverage(user=SYSTEM, organization=tree.village_a1, on=D(2024, 6, 1)).covered == 0


def test_a_dissolved_village_and_one_not_yet_opened_are_left_out(tree):
    make_org(
        tree.street_a, Kind.VILLAGE, "已撤村", opened_on=D(2010, 1, 1), closed_on=D(2023, 12, 31)
    )
    make_org(tree.street_a, Kind.VILLAGE, "新建社区", opened_on=D(2025, 1, 1))

    found = coverage(user=SYSTEM, organization=tree.street_a, on=D(2024, 6, 1))
    earlier = coverage(user=SYSTEM, organization=tree.street_a, on=D(2023, 6, 1))

    assert names(found) == ["甲一社区妇联", "甲二社区妇联"]
    assert names(earlier) == ["甲一社区妇联", "甲二社区妇联", "已撤村"]


def test_a_street_sees_its_villages_and_the_district_them_all(tree, user_in):
    make_station(tree.village_b1, opened_on=D(2024, 1, 1))
    street = user_in(tree.street_a, Role.STAFF)
    district = user_in(tree.district, Role.STAFF)

    mine = coverage(user=street, on=D(2024, 6, 1))
    whole = coverage(user=district, on=D(2024, 6, 1))
    elsewhere = coverage(user=street, organization=tree.street_b, on=D(2024, 6, 1))

    assert (mine.villages, mine.covered) == (2, 0)
    assert (whole.villages, whole.covered) == (3, 1)
    assert (elsewhere.villages, elsewhere.share) == (0, None)  # outside the subtree: nothing


def test_no_village_is_a_share_of_none(tree):
    found = coverage(user=SYSTEM, organization=tree.committee_a, on=D(2024, 6, 1))
    assert (found.villages, found.covered, found.share, found.without) == (0, 0, None, [])


@pytest.mark.parametrize("villages", [2, 30])
def test_coverage_is_one_query_whatever_the_trees_size(
    tree, user_in, villages, django_assert_num_queries
):
    for n in range(villages):
        village = make_org(tree.street_b, Kind.VILLAGE, f"新村{n}")
        if n % 2:
            make_station(village, opened_on=D(2024, 1, 1))
    district = user_in(tree.district, Role.STAFF)

    with django_assert_num_queries(1):
        found = coverage(user=district, organization=tree.district, on=D(2024, 6, 1))

    assert found.villages == villages + 3
    assert found.covered == villages // 2

"""The events' reads: published lists, totals and a campaign's report, within the reader's
subtree and in a fixed number of queries."""

import pytest

from apps.events import selectors
from apps.events.models import Event, EventCategory
from apps.organizations.roles import Role
from tests.factories.events import make_campaign, make_category, make_event

pytestmark = pytest.mark.django_db


def test_the_seeded_lists_serve_every_active_account_and_no_other(tree, user_in):
    station = user_in(tree.village_a1, Role.STATION_OPERATOR)
    gone = user_in(tree.village_a1, Role.STATION_OPERATOR, is_active=False)
    street = make_category(tree.street_a, code="street_extra")
    make_category(tree.street_b, code="other_street_extra")

    readable = set(selectors.category_list(user=station).values_list("code", flat=True))

    assert set(EventCategory.objects.filter(organization=None).values_list("code", flat=True)) < (
        readable
    )
    assert street.code in readable  # published by an ancestor
    assert "other_street_extra" not in readable
    assert not selectors.category_list(user=gone).exists()


def test_totals_are_exact_up_to_the_cap_and_withheld_above_it(tree):
    for _ in range(3):
        make_event(tree.village_a1)

    exact = selectors.event_totals(Event.objects.all(), cap=3)
    withheld = selectors.event_totals(Event.objects.all(), cap=2)

    assert (exact.events, exact.participants, exact.people_reached) == (3, 90, 360)
    assert withheld is None


def test_a_campaign_report_is_three_queries_however_many_organizations(
    tree, user_in, django_assert_num_queries
):
    campaign = make_campaign(tree.district)
    for village in (tree.village_a1, tree.village_b1):
        make_event(village, campaign=campaign)
    make_event(tree.committee_a, campaign=campaign)  # not a village, but it reported
    reader = user_in(tree.district, Role.STAFF)

    with django_assert_num_queries(3):
        report = selectors.campaign_report(user=reader, campaign=campaign)

    assert {row.organization for row in report.reported} == {
        tree.village_a1,
        tree.village_b1,
        tree.committee_a,
    }
    assert [row.organization for row in report.not_reported] == [tree.village_a2]
    assert report.totals.events == 3

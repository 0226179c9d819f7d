"""Deadline figures for reports, per subtree and period (docs/rights.md, Figures)."""

import datetime
from datetime import timedelta

import pytest

from apps.rights.models import Case
from apps.rights.selectors.case_figures import deadline_figures
from apps.rights.services import cases as case_services
from tests.registry import make_case
from tests.rights.test_deadlines import T

pytestmark = pytest.mark.django_db

MARCH = {"since": datetime.date(2026, 3, 1), "until": datetime.date(2026, 3, 31)}


def moved(case, by, to, at, **needs):
    """Move ``case`` and date the move (its history row, and a closing's time) ``at``."""
    case = case_services.case_transition(by=by, case=case, to=to, **needs)
    row = case.history.order_by("-history_date", "-history_id").first()
    Case.history.filter(history_id=row.history_id).update(history_date=at)
    if to == "closed":
        Case.objects.filter(pk=case.pk).update(closed_at=at)
    return case


def test_figures_count_missed_deadlines_and_take_medians_in_one_query(
    tree, user_in, django_assert_num_queries
):
    worker = user_in(tree.village_a1, "case_worker")
    on_time = make_case(tree.village_a1, risk="urgent", by=worker)
    moved(on_time, worker, "accepted", T + timedelta(hours=12))
    moved(on_time, worker, "closed", T + timedelta(days=10), outcome="mediated")
    late = make_case(tree.village_a1, risk="urgent", by=worker)
    moved(late, worker, "accepted", T + timedelta(hours=36))
    make_case(tree.village_a2, risk="low")  # still registered: 15 days allowed
    make_case(tree.village_b1, risk="urgent")  # another street
    make_case(
        tree.village_a1,
        risk="urgent",
        received_at=datetime.datetime(2026, 2, 28, 16, 30, tzinfo=datetime.UTC),  # 1 March, Beijing
    )
    make_case(
        tree.village_a1,
        risk="urgent",
        received_at=datetime.datetime(2026, 2, 28, 15, 59, tzinfo=datetime.UTC),  # 28 February
    )
    street = user_in(tree.street_a, "staff")

    with django_assert_num_queries(2):  # the scope of the organization, the figures
        figures = deadline_figures(
            user=street, organization=tree.street_a, now=T + timedelta(days=40), **MARCH
        )

    assert figures == {
        "received": 4,
        "missed_first_action": 3,  # late, the low-risk one, the one of 1 March
        "missed_closing": 2,  # late and 1 March's: 30 days, still open
        "overdue_now": 3,
        "median_days_to_first_action": 1.0,  # 0.5 and 1.5
        "median_days_to_closing": 10.0,
    }


def test_an_early_clock_counts_nothing_missed_yet(tree, user_in):
    make_case(tree.village_a1, risk="urgent")

    figures = deadline_figures(
        user=user_in(tree.district, "staff"),
        organization=tree.district,
        now=T + timedelta(hours=1),
        **MARCH,
    )

    assert (figures["received"], figures["missed_first_action"], figures["overdue_now"]) == (
        1,
        0,
        0,
    )
    assert figures["median_days_to_first_action"] is None
    assert figures["median_days_to_closing"] is None


def test_an_organization_outside_the_readers_subtree_is_refused(tree, user_in):
    with pytest.raises(LookupError):
        deadline_figures(user=user_in(tree.street_b, "staff"), organization=tree.street_a, **MARCH)

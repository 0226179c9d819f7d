"""Referrals in the catalogue (docs/reports.md, docs/rights.md Referrals): sent, accepted,
answered in time, by the day sent; hidden from leadership like every case figure."""

import datetime

import pytest

from apps.reports import periods, selectors
from apps.rights.models import Referral
from apps.rights.services import referrals as referral_services
from tests.registry import make_referral

pytestmark = pytest.mark.django_db
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def at(*day_and_hour):
    return datetime.datetime(*day_and_hour, tzinfo=BEIJING)


@pytest.fixture
def referrals(tree):
    """Village A1 sent three in May 2024: one waiting, one accepted and answered within its
    week, one declined; and one in 2023."""
    waiting = make_referral(tree.village_a1)
    answered = make_referral(tree.village_a1)
    declined = make_referral(tree.village_a1)
    old = make_referral(tree.village_a1)
    for referral, to, fields in (
        (answered, "accepted", {}),
        (answered, "answered", {"answer": "已出具告诫书"}),
        (declined, "declined", {"decline_reason": "不属本单位职责"}),
    ):
        referral.refresh_from_db()
        referral_services.referral_transition(
            by=_sender(referral), referral=referral, to=to, **fields
        )
    for referral, sent in (
        (waiting, at(2024, 5, 1, 9)),
        (answered, at(2024, 5, 2, 9)),
        (declined, at(2024, 5, 3, 9)),
        (old, at(2023, 5, 1, 9)),
    ):
        Referral.objects.filter(pk=referral.pk).update(
            sent_at=sent, due_at=sent + datetime.timedelta(days=7)
        )
    Referral.objects.filter(pk=answered.pk).update(answered_at=at(2024, 5, 5, 9))
    return tree


def _sender(referral):
    """An outside body's answer is recorded by the referring side (docs/rights.md)."""
    from apps.accounts.models import User

    return User.objects.filter(organization=referral.organization, role="case_worker").first()


def test_referrals_are_counted_by_the_day_sent(referrals, user_in):
    found = selectors.report(
        user=user_in(referrals.district, "staff"),
        organization=referrals.district,
        period=periods.parse("2024"),
    )

    assert {k: v for k, v in found.values.items() if k.startswith("referrals.")} == {
        "referrals.sent": 3,
        "referrals.accepted": 1,
        "referrals.answered_in_time": 1,
    }
    assert found.previous["referrals.sent"] == 1


def test_leadership_sees_none_of_so_few(referrals, user_in):
    found = selectors.report(
        user=user_in(referrals.district, "leadership"),
        organization=referrals.district,
        period=periods.parse("2024"),
    )

    assert found.values["referrals.sent"] is None
    assert "figures.referrals.sent" in found.suppressed

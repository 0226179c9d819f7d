"""A referral with no answer by its deadline escalates like a case (docs/rights.md, Referrals):
one row per referral and level, never two, and notices to the referring organization and the
receiver (street level) and to the district (district level). Also the referral figures."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connections
from django.utils import timezone

from apps.notices.models import Notice
from apps.organizations.models import Kind
from apps.organizations.roles import Role
from apps.rights.models import ReferralEscalation
from apps.rights.selectors.referrals import referral_figures
from apps.rights.services import referrals as services
from apps.rights.services.escalation import cases_escalate, referrals_escalate
from tests.factories.organizations import make_org
from tests.registry import make_referral, station_of

SECOND = timedelta(seconds=1)


def center_of(tree):
    organization = make_org(tree.district, Kind.COMMITTEE, "区妇女儿童法律服务中心", sector="organ")
    station_of(organization, kind="legal_center", name="区妇女儿童法律服务中心")
    return organization


def to_center(tree, center, **fields):
    return make_referral(
        tree.village_a1, to_organization=center, outside_kind="", outside_name="", **fields
    )


@pytest.mark.django_db
def test_no_answer_by_the_deadline_escalates_once_per_level(tree, user_in):
    center = center_of(tree)
    referral = to_center(tree, center)
    sender = user_in(tree.village_a1, Role.CASE_WORKER)
    receiver = user_in(center, Role.CASE_WORKER)
    district = user_in(tree.district, Role.STAFF)
    given = referral.due_at - referral.sent_at

    assert referrals_escalate(now=referral.due_at) == []  # at the deadline, not yet late
    first = referrals_escalate(now=referral.due_at + SECOND)
    assert [e.level for e in first] == ["street"]
    assert referrals_escalate(now=referral.due_at + given) == []  # the same level: never again
    second = referrals_escalate(now=referral.due_at + given + SECOND)
    assert [e.level for e in second] == ["district"]
    assert referrals_escalate(now=referral.due_at + 3 * given) == []

    assert ReferralEscalation.objects.count() == 2
    told = {n.account_id: n.title for n in Notice.objects.select_related("account")}
    assert {sender.pk, receiver.pk, district.pk} <= set(told)
    assert {n.account.organization for n in Notice.objects.select_related("account")} == {
        tree.village_a1,
        center,
        tree.district,
    }
    assert referral.case.number in told[receiver.pk]
    assert referral.reason not in " ".join(n.body for n in Notice.objects.all())


@pytest.mark.django_db
def test_an_answered_or_declined_referral_does_not_escalate(tree, user_in):
    center = center_of(tree)
    lawyer = user_in(center, Role.CASE_WORKER)
    answered = to_center(tree, center)
    declined = to_center(tree, center)
    services.referral_transition(by=lawyer, referral=answered, to="accepted")
    services.referral_transition(by=lawyer, referral=answered, to="answered", answer="已处理")
    services.referral_transition(by=lawyer, referral=declined, to="declined", decline_reason="否")

    assert referrals_escalate(now=timezone.now() + timedelta(days=60)) == []


@pytest.mark.django_db
def test_an_accepted_referral_still_waits_for_its_answer(tree, user_in):
    center = center_of(tree)
    referral = to_center(tree, center)
    services.referral_transition(
        by=user_in(center, Role.CASE_WORKER), referral=referral, to="accepted"
    )

    made = referrals_escalate(now=referral.due_at + SECOND)

    assert [(e.referral_id, e.level) for e in made] == [(referral.pk, "street")]


@pytest.mark.django_db
def test_the_case_run_leaves_referral_escalations_to_their_own(tree):
    referral = make_referral(tree.village_a1)

    cases_escalate(now=referral.due_at + SECOND)

    assert not ReferralEscalation.objects.exists()


@pytest.fixture
def seeded():
    """A transactional test's flush empties the migrations' rows: put them back."""
    import_module("apps.rights.migrations.0003_case_categories").seed(apps, None)
    import_module("apps.rights.migrations.0005_deadlines").seed(apps, None)


@pytest.mark.django_db(transaction=True)
def test_runs_at_once_record_and_announce_each_referral_escalation_once(tree, user_in, seeded):
    referrals = [make_referral(tree.village_a1) for _ in range(3)]
    sender = user_in(tree.village_a1, Role.STAFF)
    latest = max(r.due_at + (r.due_at - r.sent_at) for r in referrals) + SECOND
    start = threading.Barrier(3)

    def run():
        start.wait()
        try:
            return [(e.referral_id, e.level) for e in referrals_escalate(now=latest)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(3) as pool:
        made = [future.result() for future in [pool.submit(run) for _ in range(3)]]

    rows = sorted(row for run in made for row in run)
    assert rows == sorted((r.pk, level) for r in referrals for level in ("street", "district"))
    assert ReferralEscalation.objects.count() == 6
    assert Notice.objects.filter(account=sender).count() == 3  # street level: once each


@pytest.mark.django_db
def test_figures_count_sent_accepted_and_answered_in_time(tree, user_in):
    center = center_of(tree)
    lawyer = user_in(center, Role.CASE_WORKER)
    on_time, late, declined, _waiting = (to_center(tree, center) for _ in range(4))
    make_referral(tree.village_b1)  # another street's: not counted for street A
    for referral in (on_time, late):
        services.referral_transition(by=lawyer, referral=referral, to="accepted")
    services.referral_transition(by=lawyer, referral=on_time, to="answered", answer="已处理")
    services.referral_transition(by=lawyer, referral=late, to="answered", answer="已处理")
    late.refresh_from_db()  # answered an hour after its deadline
    type(late).objects.filter(pk=late.pk).update(answered_at=late.due_at + timedelta(hours=1))
    services.referral_transition(by=lawyer, referral=declined, to="declined", decline_reason="否")
    today = timezone.localdate()
    reader = user_in(tree.street_a, Role.STAFF)

    figures = referral_figures(user=reader, organization=tree.street_a, since=today, until=today)

    assert figures == {
        "sent": 4,
        "accepted": 2,
        "declined": 1,
        "answered": 2,
        "answered_in_time": 1,
    }
    with pytest.raises(LookupError):
        referral_figures(user=reader, organization=tree.street_b, since=today, until=today)

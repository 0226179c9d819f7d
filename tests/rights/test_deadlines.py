"""Deadlines by risk, the overdue lists at each level and the escalation run, all on a frozen
clock (``now=``): docs/rights.md, Deadlines and escalation."""

import datetime
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from apps.core.actors import SYSTEM
from apps.notices.models import Notice
from apps.rights.models import DeadlineRule, Escalation
from apps.rights.selectors.overdue import overdue_cases, with_deadlines
from apps.rights.services import cases as case_services
from apps.rights.services import deadlines as rule_services
from apps.rights.services.escalation import cases_escalate
from tests.registry import make_case

pytestmark = pytest.mark.django_db

T = datetime.datetime(2026, 3, 8, 9, 30, tzinfo=datetime.UTC)  # make_case's received_at
SECOND = timedelta(seconds=1)
# The migration's defaults: risk → (hours to the first action, days to closing).
DEFAULTS = {"urgent": (24, 30), "high": (72, 60), "medium": (168, 90), "low": (360, 180)}


def ids(cases):
    return [case.pk for case in cases]


@pytest.mark.parametrize("risk", DEFAULTS)
def test_each_risk_has_the_seeded_deadlines(tree, risk):
    hours, days = DEFAULTS[risk]
    case = make_case(tree.village_a1, risk=risk)

    found = with_deadlines(type(case).objects.filter(pk=case.pk)).get()

    assert (found.first_action_hours, found.close_days) == (hours, days)
    assert found.first_action_due == T + timedelta(hours=hours)
    assert found.close_due == T + timedelta(days=days)
    assert found.first_action_due_2 == T + timedelta(hours=2 * hours)
    assert found.close_due_2 == T + timedelta(days=2 * days)


def test_a_case_keeps_the_rule_in_force_on_the_day_it_was_received(tree):
    """A rule from 9 March (Beijing) judges the cases received from that day on, not before:
    a case received at 23:59 on the 8th, Beijing time, keeps the old rule."""
    DeadlineRule.objects.create(
        risk="urgent",
        first_action_hours=12,
        close_days=20,
        effective_from=datetime.date(2026, 3, 9),
    )
    beijing = datetime.timezone(timedelta(hours=8))
    before = make_case(
        tree.village_a1,
        risk="urgent",
        received_at=datetime.datetime(2026, 3, 8, 23, 59, tzinfo=beijing),
    )
    after = make_case(
        tree.village_a1,
        risk="urgent",
        received_at=datetime.datetime(2026, 3, 9, 0, 1, tzinfo=beijing),
    )

    found = {c.pk: c for c in with_deadlines(type(before).objects.all())}

    assert (found[before.pk].first_action_hours, found[before.pk].close_days) == (24, 30)
    assert (found[after.pk].first_action_hours, found[after.pk].close_days) == (12, 20)


def test_a_rule_takes_effect_from_tomorrow_at_the_earliest_and_one_in_force_stays():
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        rule_services.deadline_rule_add(
            by=SYSTEM, risk="urgent", first_action_hours=12, close_days=20, effective_from=today
        )
    assert "effective_from" in refused.value.message_dict
    settled = DeadlineRule.objects.get(risk="urgent", effective_from=datetime.date(2000, 1, 1))
    with pytest.raises(ValidationError):
        rule_services.deadline_rule_update(by=SYSTEM, rule=settled, first_action_hours=1)

    tomorrow = rule_services.deadline_rule_add(
        by=SYSTEM,
        risk="urgent",
        first_action_hours=12,
        close_days=20,
        effective_from=today + timedelta(days=1),
    )
    rule_services.deadline_rule_update(by=SYSTEM, rule=tomorrow, first_action_hours=18)

    settled.refresh_from_db()
    assert settled.first_action_hours == 24
    assert DeadlineRule.objects.get(pk=tomorrow.pk).first_action_hours == 18


def test_a_rule_of_zero_hours_is_refused():
    with pytest.raises(ValidationError):
        rule_services.deadline_rule_add(
            by=SYSTEM,
            risk="low",
            first_action_hours=0,
            close_days=10,
            effective_from=timezone.localdate() + timedelta(days=2),
        )


def test_an_overdue_case_shows_on_its_village_and_street_at_once_and_the_district_later(
    tree, user_in
):
    case = make_case(tree.village_a1, risk="urgent")
    village = user_in(tree.village_a1, "case_worker")
    street = user_in(tree.street_a, "staff")
    district = user_in(tree.district, "staff")
    other_street = user_in(tree.street_b, "case_worker")
    operator_elsewhere = user_in(tree.village_a2, "station_operator")

    def seen(user, now):
        return ids(overdue_cases(user=user, now=now))

    due, due_2 = T + timedelta(hours=24), T + timedelta(hours=48)
    assert [seen(u, due) for u in (village, street, district)] == [[], [], []]
    assert seen(village, due + SECOND) == seen(street, due + SECOND) == [case.pk]
    assert seen(district, due + SECOND) == []
    assert seen(district, due_2) == []
    assert seen(district, due_2 + SECOND) == [case.pk]
    assert seen(other_street, due_2 + SECOND) == seen(operator_elsewhere, due_2 + SECOND) == []
    assert seen(user_in(tree.district, "leadership"), due_2 + SECOND) == []

    found = overdue_cases(user=street, now=due + timedelta(days=3)).get()
    assert (found.first_action_overdue, found.close_overdue) == (True, False)
    assert found.age == timedelta(days=4)


def test_the_overdue_list_is_one_query_however_many_cases(tree, user_in, django_assert_num_queries):
    for village in (tree.village_a1, tree.village_a2, tree.village_b1):
        for risk in DEFAULTS:
            make_case(village, risk=risk)
    district = user_in(tree.district, "staff")

    with django_assert_num_queries(1):
        found = list(overdue_cases(user=district, now=T + timedelta(days=400)))
        names = {(case.organization.name, case.station.name, case.category.name) for case in found}

    assert len(found) == 12 and len(names) == 3


def test_the_first_action_is_leaving_registered_and_the_closing_deadline_runs_on(tree, user_in):
    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(tree.village_a1, risk="urgent", by=worker)
    case_services.case_transition(by=worker, case=case, to="accepted")

    assert ids(overdue_cases(user=worker, now=T + timedelta(days=29))) == []
    found = overdue_cases(user=worker, now=T + timedelta(days=30) + SECOND).get()
    assert (found.first_action_overdue, found.close_overdue) == (False, True)
    district = user_in(tree.district, "district_admin")
    assert ids(overdue_cases(user=district, now=T + timedelta(days=60))) == []
    assert ids(overdue_cases(user=district, now=T + timedelta(days=60) + SECOND)) == [case.pk]

    case_services.case_transition(by=worker, case=case, to="closed", outcome="mediated")
    assert ids(overdue_cases(user=worker, now=T + timedelta(days=365))) == []


def recipients(notices):
    return sorted((n.account.organization.name, n.account.role) for n in notices)


def test_each_level_is_escalated_once_and_told_to_the_next_level_up(tree, user_in):
    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(tree.village_a1, risk="urgent", by=worker)
    street_people = [user_in(tree.street_a, role) for role in ("case_worker", "staff")]
    user_in(tree.street_a, "leadership")  # not told: it reads figures only
    district_admin = user_in(tree.district, "district_admin")
    user_in(tree.street_b, "case_worker")  # another street: not told

    assert cases_escalate(now=T + timedelta(hours=24)) == []
    first = cases_escalate(now=T + timedelta(hours=24) + SECOND)
    assert [(e.case_id, e.deadline, e.level) for e in first] == [
        (case.pk, "first_action", "street")
    ]
    assert first[0].due_at == T + timedelta(hours=24)
    told = list(Notice.objects.select_related("account__organization"))
    assert recipients(told) == sorted((tree.street_a.name, u.role) for u in street_people)
    assert cases_escalate(now=T + timedelta(hours=30)) == []  # the same level: never again

    second = cases_escalate(now=T + timedelta(hours=48) + SECOND)
    assert [(e.deadline, e.level) for e in second] == [("first_action", "district")]
    district_notice = Notice.objects.get(account=district_admin)
    assert case.number in district_notice.title
    assert district_notice.link == f"/admin/rights/case/{case.pk}/change/"

    case_services.case_transition(by=worker, case=case, to="accepted")
    assert cases_escalate(now=T + timedelta(days=30)) == []
    third = cases_escalate(now=T + timedelta(days=30) + SECOND)
    fourth = cases_escalate(now=T + timedelta(days=60) + SECOND)
    assert [(e.deadline, e.level) for e in third + fourth] == [
        ("close", "street"),
        ("close", "district"),
    ]
    assert Escalation.objects.filter(case=case).count() == 4
    assert Notice.objects.filter(account=district_admin).count() == 2


def test_a_notice_holds_no_narrative_and_no_name(tree, user_in):
    staff = user_in(tree.street_a, "staff")
    case = make_case(
        tree.village_a1,
        risk="high",
        narrative="丈夫多次殴打，求助人要求保护。",
        parties=[{"role": "seeker", "name": "王秀梅", "id_number": "11010519491231002X"}],
    )

    cases_escalate(now=T + timedelta(days=4))

    notice = Notice.objects.get(account=staff)
    text = notice.title + notice.body + notice.link
    assert case.number in text and "家庭暴力" in text
    for secret in ("殴打", "王秀梅", "110105", case.station.name, tree.village_a1.name):
        assert secret not in text


def test_a_case_at_the_legal_center_is_told_to_the_center_then_the_district(tree, user_in):
    from apps.organizations.choices import Kind
    from tests.factories.organizations import make_org

    center = make_org(tree.district, Kind.COMMITTEE, "测试区妇女儿童法律服务中心")
    center_worker = user_in(center, "case_worker")
    district_staff = user_in(tree.district, "staff")
    case = make_case(center, risk="urgent", by=center_worker)

    cases_escalate(now=T + timedelta(hours=25))
    assert list(Notice.objects.values_list("account", flat=True)) == [center_worker.pk]
    cases_escalate(now=T + timedelta(hours=49))
    assert Notice.objects.filter(account=district_staff, title__contains=case.number).exists()


def test_deleted_and_closed_cases_are_not_escalated(tree, user_in):
    worker = user_in(tree.village_a1, "case_worker")
    closed = make_case(tree.village_a1, risk="urgent", by=worker)
    case_services.case_transition(by=worker, case=closed, to="closed", outcome="withdrawn")
    deleted = make_case(tree.village_a1, risk="urgent", by=worker)
    deleted.mark_deleted(by=worker)

    assert cases_escalate(now=T + timedelta(days=400)) == []


def test_the_command_escalates_as_at_a_given_time(tree, capsys):
    make_case(tree.village_a1, risk="urgent")

    call_command("escalate_cases", now="2026-03-09T17:31:00+08:00")  # T + 24 h 1 min

    assert Escalation.objects.count() == 1
    call_command("escalate_cases", now="2026-03-09T17:32:00+08:00")
    assert Escalation.objects.count() == 1


def test_the_command_refuses_a_time_without_its_offset():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("escalate_cases", now="2026-03-09T17:31:00")


def test_the_escalation_run_is_a_periodic_task_every_15_minutes():
    from procrastinate.contrib.django import app

    from apps.rights import tasks

    periodic = {
        task.periodic_id: task.cron for task in app.periodic_registry.periodic_tasks.values()
    }
    assert periodic["escalate_cases"] == "*/15 * * * *"
    assert tasks.escalate_cases.name == "rights.escalate_cases"


def test_district_staff_see_overdue_cases_by_street_with_their_age(tree, user_in, browser_as):
    a1 = make_case(tree.village_a1, risk="urgent", narrative="不可外泄的陈述")
    b1 = make_case(tree.village_b1, risk="urgent")
    fresh = make_case(tree.village_a2, risk="low", received_at=timezone.now() - SECOND)
    browser = browser_as(user_in(tree.district, "staff"))

    page = browser.get("/admin/rights/deadlinerule/overdue/")

    assert page.status_code == 200
    html = page.content.decode()
    assert a1.number in html and b1.number in html and fresh.number not in html
    assert html.index(tree.street_a.name) < html.index(a1.number) < html.index(tree.street_b.name)
    assert "不可外泄" not in html and "王秀梅" not in html
    age = (timezone.now() - T).days
    assert f"<td>{age}</td>" in html
    assert (
        "/admin/rights/deadlinerule/overdue/" in browser.get("/admin/rights/case/").content.decode()
    )


def test_the_overdue_page_is_not_for_roles_outside_the_admin(tree, user_in, browser_as):
    make_case(tree.village_a1, risk="urgent")
    browser = browser_as(user_in(tree.district, "leadership"))

    page = browser.get("/admin/rights/deadlinerule/overdue/")

    assert page.status_code == 302 and "/login/" in page["Location"]

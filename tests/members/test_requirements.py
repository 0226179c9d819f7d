"""The required frequencies of 三会一课 change from a date (apps/core/effective.py): rows in force,
the rules of a change, and the admin, where a frequency changes by adding a rule."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from apps.core import effective
from apps.core.actors import SYSTEM
from apps.members.admin import branch as admin_branch
from apps.members.models.requirements import (
    STARTS_ON_A_MONTH,
    STARTS_ON_A_QUARTER,
    MeetingRequirement,
)
from apps.members.selectors import branch as branch_selectors
from apps.members.services import branch as branch_services
from apps.organizations.roles import Role

pytestmark = pytest.mark.django_db

D = datetime.date
LIST = "/admin/members/meetingrequirement/"
FIRST_RULES = D(2000, 1, 1)


def text(message, **params) -> str:
    """A message as users read it (Chinese by default)."""
    with translation.override("zh-hans"):
        message = translation.gettext(message) if isinstance(message, str) else str(message)
        return message % params if params else message


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def months_later(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return D(index // 12, index % 12 + 1, 1)


def next_quarter() -> datetime.date:
    month = this_month()
    return months_later(month, 3 - (month.month - 1) % 3)


def rule(kind, effective_from, minimum=1, period="month"):
    return MeetingRequirement.objects.create(
        kind=kind, period=period, minimum=minimum, effective_from=effective_from
    )


# --- The rows in force ------------------------------------------------------------------------


def test_in_force_picks_for_each_kind_the_latest_row_from_on_or_before_the_day(
    django_assert_num_queries,
):
    two = rule("committee", D(2023, 7, 1), minimum=2)
    rule("committee", D(2024, 1, 1), minimum=3)
    themed = rule("themed_day", D(2023, 3, 1))

    with django_assert_num_queries(1):
        in_force = {
            r.kind: (r.minimum, r.effective_from)
            for r in MeetingRequirement.objects.in_force(D(2023, 12, 31))
        }

    assert in_force == {
        "committee": (2, two.effective_from),
        "general_meeting": (1, FIRST_RULES),
        "group": (1, FIRST_RULES),
        "lecture": (1, FIRST_RULES),
        "themed_day": (1, themed.effective_from),
    }
    before_any = MeetingRequirement.objects.in_force(D(1999, 12, 31))
    assert list(before_any) == []


def test_a_timeline_answers_every_period_from_one_query(django_assert_num_queries):
    rule("committee", D(2022, 4, 1), minimum=5)  # in force on 1 January 2023
    rule("committee", D(2023, 7, 1), minimum=2)
    rule("committee", D(2024, 1, 1), minimum=3)  # after the year: not loaded

    with django_assert_num_queries(1):
        timeline = MeetingRequirement.objects.timeline(since=D(2023, 1, 1), until=D(2023, 12, 31))
        loaded = sorted((r.kind, r.effective_from) for r in timeline)
    with django_assert_num_queries(0):
        minimums = [timeline.at("committee", D(2023, month, 1)).minimum for month in (1, 6, 7, 12)]
        missing = timeline.at("themed_day", D(2023, 5, 1))

    assert minimums == [5, 5, 2, 2]
    assert missing is None
    assert loaded == [
        ("committee", D(2022, 4, 1)),
        ("committee", D(2023, 7, 1)),
        ("general_meeting", FIRST_RULES),
        ("group", FIRST_RULES),
        ("lecture", FIRST_RULES),
    ]


# --- The rules of a change ----------------------------------------------------------------------


def test_a_rule_from_next_month_is_added_and_the_earlier_one_stays():
    start = months_later(this_month(), 1)

    added = branch_services.meeting_requirement_add(
        kind="group", period="month", minimum=2, effective_from=start
    )

    rules = MeetingRequirement.objects.filter(kind="group").order_by("effective_from")
    assert [(r.minimum, r.effective_from) for r in rules] == [(1, FIRST_RULES), (2, start)]
    assert added.history.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"effective_from": "last month"}, "effective_from", "too early"),
        ({"effective_from": "the 2nd of next month"}, "effective_from", STARTS_ON_A_MONTH),
        ({"period": "quarter", "effective_from": "mid-quarter"}, "effective_from", "quarter"),
        ({"kind": "lecture", "effective_from": "mid-quarter"}, "effective_from", "quarter"),
    ],
    ids=[
        "before this month",
        "not the first of a month",
        "counting by quarter from mid-quarter",
        "ending a quarterly rule mid-quarter",
    ],
)
def test_a_rule_that_would_change_ended_periods_or_split_one_is_refused(fields, field, message):
    days = {
        "last month": months_later(this_month(), -1),
        "the 2nd of next month": months_later(this_month(), 1).replace(day=2),
        "mid-quarter": months_later(next_quarter(), 1),
    }
    values = {"kind": "group", "period": "month", "minimum": 2, **fields}
    values["effective_from"] = days.get(values["effective_from"], values["effective_from"])

    with pytest.raises(ValidationError) as refused:
        branch_services.meeting_requirement_add(**values)

    expected = {
        "too early": text(effective.TOO_EARLY, date=this_month().isoformat()),
        "quarter": text(STARTS_ON_A_QUARTER),
    }.get(message) or text(message)
    with translation.override("zh-hans"):
        assert refused.value.message_dict == {field: [expected]}
    assert MeetingRequirement.objects.count() == 4


def test_a_quarterly_rule_before_a_later_monthly_rule_mid_quarter_is_refused():
    rule("group", months_later(next_quarter(), 4), minimum=2)  # the second month of a quarter

    with pytest.raises(ValidationError) as refused:
        branch_services.meeting_requirement_add(
            kind="group", period="quarter", minimum=3, effective_from=next_quarter()
        )

    with translation.override("zh-hans"):
        assert refused.value.messages == [text(STARTS_ON_A_QUARTER)]


def test_a_second_rule_of_a_kind_on_the_same_day_is_refused():
    start = months_later(this_month(), 1)
    branch_services.meeting_requirement_add(
        kind="group", period="month", minimum=2, effective_from=start
    )

    with pytest.raises(ValidationError) as refused:
        branch_services.meeting_requirement_add(
            kind="group", period="month", minimum=3, effective_from=start
        )

    with translation.override("zh-hans"):
        assert refused.value.messages == [text("This kind already has a rule from that date.")]


def test_a_settled_rule_is_not_changed_and_a_future_one_is():
    settled = MeetingRequirement.objects.get(kind="committee")
    future = rule("group", months_later(this_month(), 2), minimum=2)

    with pytest.raises(ValidationError) as refused:
        branch_services.meeting_requirement_update(requirement=settled, minimum=2)
    with pytest.raises(ValidationError):  # nor moved to a later day, which would drop its past
        branch_services.meeting_requirement_update(
            requirement=MeetingRequirement.objects.get(pk=settled.pk),
            effective_from=months_later(this_month(), 1),
        )
    branch_services.meeting_requirement_update(requirement=future, minimum=3)

    with translation.override("zh-hans"):
        assert refused.value.messages == [text(effective.SETTLED, date="2000-01-01")]
    settled.refresh_from_db()
    future.refresh_from_db()
    assert (settled.minimum, settled.effective_from, future.minimum) == (1, FIRST_RULES, 3)
    assert settled.is_settled() and not future.is_settled()


# --- The admin ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.STAFF, Role.CASE_WORKER, Role.DISTRICT_ADMIN])
def test_rules_are_read_by_all_and_added_at_the_root_only(tree, user_in, browser_as, role):
    at_root = browser_as(user_in(tree.district, role))
    street_admin = browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))
    start = months_later(this_month(), 1)
    form = {"kind": "committee", "period": "month", "minimum": "3"}

    assert at_root.get(LIST).status_code == 200
    added = at_root.post(f"{LIST}add/", {**form, "effective_from": start.isoformat()})
    refused = street_admin.post(f"{LIST}add/", {**form, "effective_from": "2099-01-01"})

    assert refused.status_code == 403
    rules = MeetingRequirement.objects.filter(kind="committee").order_by("effective_from")
    if role == Role.DISTRICT_ADMIN:
        assert added.status_code == 302
        assert [(r.minimum, r.effective_from) for r in rules] == [(1, FIRST_RULES), (3, start)]
    else:
        assert added.status_code == 403
        assert [(r.minimum, r.effective_from) for r in rules] == [(1, FIRST_RULES)]


def test_the_add_form_starts_next_month_and_takes_a_settled_rules_values(tree, user_in, browser_as):
    client = browser_as(user_in(tree.district, Role.DISTRICT_ADMIN))
    settled = MeetingRequirement.objects.get(kind="lecture")

    change = client.get(f"{LIST}{settled.pk}/change/")
    add = client.get(f"{LIST}add/", {"kind": "lecture", "period": "quarter", "minimum": "1"})

    body = change.content.decode()
    assert change.status_code == 200
    link = f"{LIST}add/?kind=lecture&amp;period=quarter&amp;minimum=1"
    message = text(admin_branch.SETTLED_RULE).replace("{url}", link)
    assert message in body
    assert 'name="_save"' not in body  # read-only: nothing to submit
    start = months_later(this_month(), 1)
    assert f'name="effective_from" value="{start:%Y/%m/%d}"' in add.content.decode()
    assert 'value="lecture" selected' in add.content.decode()


def test_saving_a_settled_rule_is_refused_and_a_future_one_is_corrected(tree, user_in, browser_as):
    client = browser_as(user_in(tree.district, Role.DISTRICT_ADMIN))
    settled = MeetingRequirement.objects.get(kind="committee")
    start = months_later(this_month(), 2)
    future = rule("group", start, minimum=2)

    refused = client.post(
        f"{LIST}{settled.pk}/change/",
        {"period": "month", "minimum": "2", "effective_from": "2000-01-01"},
    )
    corrected = client.post(
        f"{LIST}{future.pk}/change/",
        {"period": "month", "minimum": "3", "effective_from": start.isoformat()},
    )

    assert (refused.status_code, corrected.status_code) == (403, 302)
    settled.refresh_from_db()
    future.refresh_from_db()
    assert (settled.minimum, future.minimum) == (1, 3)


def test_a_rule_from_next_month_leaves_this_years_compliance_as_it_was(tree, user_in, browser_as):
    admin = user_in(tree.district, Role.DISTRICT_ADMIN)
    today = timezone.localdate()
    branch_services.branch_meeting_create(
        by=SYSTEM, organization=tree.village_a1, kind="group", held_on=today, topic="学习党章"
    )
    start = months_later(this_month(), 1)

    def report(year, on):
        return branch_selectors.branch_compliance(
            user=admin, organization=tree.village_a1, year=year, today=on
        )

    before = report(today.year, today)
    page = browser_as(admin).post(
        f"{LIST}add/",
        {"kind": "group", "period": "month", "minimum": "4", "effective_from": start.isoformat()},
    )

    assert page.status_code == 302
    assert report(today.year, today) == before
    later = report(start.year, start + datetime.timedelta(days=40))
    group = branch_selectors.KINDS.index("group")
    required = {
        row.period.start: row.cells[group].required
        for row in later.rows
        if row.period.length == "month"
    }
    assert required == {  # the new rule from its month on, the old one before
        D(start.year, month, 1): 4 if month >= start.month else 1
        for month in range(1, min(start.month + 1, 12) + 1)
    }


def test_the_compliance_page_lists_a_rule_taking_effect_during_the_year(tree, user_in, browser_as):
    rule("group", D(2023, 7, 1), minimum=2)
    rule("committee", D(2023, 10, 1), minimum=0)

    page = browser_as(user_in(tree.district, Role.STAFF)).get(
        "/admin/members/branchmeeting/compliance/", {"year": 2023}
    )

    items = page.content.decode().split('id="compliance-requirements">')[1].split("</ul>")[0]
    lines = [line.strip() for line in items.split("<li>")[1:]]
    assert lines == [
        "支部党员大会 ≥ 1 / 季度</li>",
        "支委会 ≥ 1 / 月</li>",
        "支委会：不作要求（2023-10-01起）</li>",
        "党小组会 ≥ 1 / 月</li>",
        "党小组会 ≥ 2 / 月（2023-07-01起）</li>",
        "党课 ≥ 1 / 季度</li>",
    ]

"""Privacy in numbers (docs/quality.md 9, docs/reports.md): leadership's case figures.

The attacks are tried, not assumed: every page a district leader can open is read, each
"total = its parts" relation on it is written down as an equation, and the equations are
solved as far as they go (any equation with one unknown left gives it away). No hidden count
may come out. The conftest's 2024 has street A with 4 cases (1–4: hidden) and street B with
6, so hiding street A alone would give it away as the district's 10 less street B's 6.
"""

import datetime

import pytest

from apps.reports import periods, selectors
from apps.reports.catalogue import FIGURES

pytestmark = pytest.mark.django_db
COUNTS = [f.key for f in FIGURES if f.source.sensitive and f.adds_up]


def pages(user, period):
    """Every report the account can open: its own organization and everything below."""
    seen, todo = [], [user.organization]
    while todo:
        organization = todo.pop()
        found = selectors.report(user=user, organization=organization, period=period)
        seen.append(found)
        todo.extend(
            row.organization
            for row in found.rows
            if not row.own_level and row.organization != organization
        )
    return seen


def equations(found, key):
    """(total, [parts]) relations on one page, each cell a variable named by what it is: an
    organization's subtree total, or its own level's records."""
    total = ("subtree", found.organization.pk)
    parts = [("own" if row.own_level else "subtree", row.organization.pk) for row in found.rows]
    shown = {total: found.values[key]}
    for row, part in zip(found.rows, parts, strict=True):
        shown[part] = row.values[key]
    relations = [[total, *parts]] if parts != [total] else []
    breakdown = {
        "cases.received": "cases.received_by_category",
        "cases.closed": "cases.closed_by_outcome",
    }.get(key)
    if breakdown is not None:
        cells = [(breakdown, found.organization.pk, p.code) for p in found.breakdowns[breakdown]]
        for cell, part in zip(cells, found.breakdowns[breakdown], strict=True):
            shown[cell] = part.value
        relations.append([total, *cells])
    return shown, relations


def recovered(reports, key):
    """The hidden cells an attacker can work out from every page together."""
    known, hidden, relations = {}, set(), []
    for found in reports:
        shown, found_relations = equations(found, key)
        for cell, value in shown.items():
            if value is None:
                hidden.add(cell)
            else:
                assert known.get(cell, value) == value, f"{cell} shown two ways"
                known[cell] = value
        relations += found_relations
    hidden -= set(known)  # a cell hidden on one page and shown on another is simply known
    solved = True
    while solved:
        solved = False
        for total, *parts in relations:
            unknown = [c for c in [total, *parts] if c not in known]
            if len(unknown) == 1:
                cell = unknown[0]
                rest = sum(known[c] for c in parts if c != cell)
                known[cell] = known[total] - rest if cell != total else rest
                solved = True
    return {cell: known[cell] for cell in hidden if cell in known}


@pytest.mark.parametrize("key", COUNTS)
def test_no_hidden_count_comes_out_of_totals_or_a_parent_less_its_children(counted, user_in, key):
    reports = pages(user_in(counted.district, "leadership"), periods.parse("2024"))

    cells = [v for r in reports for v in [r.values[key], *(x.values[key] for x in r.rows)]]
    if key in ("cases.received", "cases.closed", "cases.open_at_end"):  # the set has small ones
        assert None in cells
    assert recovered(reports, key) == {}


def test_the_district_and_a_streets_leaders_yearly_totals_stay_visible(counted, user_in):
    leader = user_in(counted.district, "leadership")
    found = selectors.report(
        user=leader, organization=counted.district, period=periods.parse("2024")
    )

    assert found.values["cases.received"] == 10
    assert found.values["cases.closed"] == 6
    assert found.values["events.held"] == 5  # nothing but case figures is ever hidden
    rows = {row.organization: row.values for row in found.rows}
    assert rows[counted.street_a]["cases.received"] is None  # 4
    assert rows[counted.street_b]["cases.received"] is None  # 6: else A is 10 − 6
    assert f"children.{counted.street_a.pk}.cases.received" in found.suppressed


def test_a_street_hidden_on_the_districts_page_stays_hidden_on_its_own(counted, user_in):
    leader = user_in(counted.district, "leadership")
    found = selectors.report(
        user=leader, organization=counted.street_b, period=periods.parse("2024")
    )

    assert found.values["cases.received"] is None
    assert {row.organization: row.values["cases.received"] for row in found.rows} == {
        counted.street_b: 0,
        counted.village_b1: None,
    }


def test_a_small_count_is_hidden_with_its_median(counted, user_in):
    leader = user_in(counted.street_a, "leadership")
    found = selectors.report(
        user=leader, organization=counted.street_a, period=periods.parse("2024")
    )

    assert found.values["cases.received"] is None  # 4
    assert found.values["cases.closed"] is None  # 2
    assert found.values["cases.median_days_to_close"] is None


@pytest.mark.parametrize("period", ["2024-Q1", "2024-03", "2023-03-01..2024-02-29"])
def test_case_figures_are_by_year_only(counted, user_in, period):
    first, _, last = period.partition("..")
    if last:
        asked = periods.between(
            datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
        )
    else:
        asked = periods.parse(period)
    found = selectors.report(
        user=user_in(counted.district, "leadership"), organization=counted.district, period=asked
    )

    for key in [*COUNTS, "cases.median_days_to_close"]:
        assert found.values[key] is None
        assert found.previous[key] is None
        assert all(row.values[key] is None for row in found.rows)
        assert f"figures.{key}" in found.suppressed
    assert all(part.value is None for part in found.breakdowns["cases.received_by_category"])
    assert found.values["events.held"] is not None


def test_the_monthly_trend_of_cases_is_hidden_even_in_a_year(counted, user_in):
    found = selectors.report(
        user=user_in(counted.district, "leadership"),
        organization=counted.district,
        period=periods.parse("2024"),
    )

    assert found.trend["cases.received"] == [None] * 12
    assert found.trend["events.held"] == [0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1]


@pytest.mark.parametrize("role", ["district_admin", "staff", "case_worker"])
def test_roles_that_read_records_see_every_count(counted, user_in, role):
    found = selectors.report(
        user=user_in(counted.district, role),
        organization=counted.district,
        period=periods.parse("2024-Q1"),
    )

    assert found.values["cases.received"] == 5
    assert found.suppressed == []


def test_protect_hides_a_second_part_where_one_would_be_the_total_less_the_others():
    assert selectors.protect(False, {"a": 3, "b": 6, "c": 0}) == {"a", "b"}
    assert selectors.protect(False, {"a": 3, "b": 2, "c": 9}) == {"a", "b"}
    assert selectors.protect(True, {"a": 7, "b": 9}) == {"a"}
    assert selectors.protect(True, {"a": 0, "b": 0}) == {"a"}
    assert selectors.protect(False, {"a": 7, "b": 9}) == set()

"""Periods: the forms a report is asked for, and the period before each (docs/reports.md)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from apps.reports import periods

D = datetime.date


@pytest.mark.parametrize(
    ("text", "kind", "first", "last", "before"),
    [
        ("2023", "year", D(2023, 1, 1), D(2023, 12, 31), (D(2022, 1, 1), D(2022, 12, 31))),
        ("2023-Q1", "quarter", D(2023, 1, 1), D(2023, 3, 31), (D(2022, 10, 1), D(2022, 12, 31))),
        ("2024-Q1", "quarter", D(2024, 1, 1), D(2024, 3, 31), (D(2023, 10, 1), D(2023, 12, 31))),
        ("2023-05", "month", D(2023, 5, 1), D(2023, 5, 31), (D(2023, 4, 1), D(2023, 4, 30))),
        ("2024-03", "month", D(2024, 3, 1), D(2024, 3, 31), (D(2024, 2, 1), D(2024, 2, 29))),
        ("2023-01", "month", D(2023, 1, 1), D(2023, 1, 31), (D(2022, 12, 1), D(2022, 12, 31))),
    ],
)
def test_a_period_is_read_and_has_the_one_before(text, kind, first, last, before):
    period = periods.parse(text)

    assert (period.kind, period.first, period.last, period.key) == (kind, first, last, text)
    assert (period.previous().first, period.previous().last) == before
    assert period.previous().kind == kind


@pytest.mark.parametrize(
    "text", ["", "23", "2023-13", "2023-Q5", "2023-5", "1999", "2023/05", "二〇二三"]
)
def test_anything_else_is_refused_with_a_clear_message(text):
    with pytest.raises(ValidationError) as refused:
        periods.parse(text)

    assert refused.value.code == "period"


def test_a_range_that_is_a_calendar_year_is_read_as_the_year():
    assert periods.between(D(2023, 1, 1), D(2023, 12, 31)).kind == "year"
    assert periods.between(D(2023, 4, 1), D(2023, 6, 30)).key == "2023-Q2"
    assert periods.between(D(2023, 2, 1), D(2023, 2, 28)).key == "2023-02"


def test_a_range_of_days_has_the_same_number_of_days_before_it():
    period = periods.between(D(2023, 3, 10), D(2023, 3, 19))

    assert period.kind == "range"
    assert (period.previous().first, period.previous().last) == (D(2023, 2, 28), D(2023, 3, 9))


def test_a_range_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValidationError):
        periods.between(D(2023, 3, 10), D(2023, 3, 9))


def test_a_period_starts_and_ends_at_beijing_midnight():
    period = periods.parse("2024")

    assert period.starts.isoformat() == "2024-01-01T00:00:00+08:00"
    assert period.ends.isoformat() == "2025-01-01T00:00:00+08:00"
    assert len(period.months()) == 12


def test_a_ranges_key_reads_back_as_the_range():
    period = periods.between(D(2023, 3, 10), D(2023, 3, 19))

    assert periods.parse(period.key) == period
    with pytest.raises(ValidationError):
        periods.parse("2023-03-10..2023-13-01")

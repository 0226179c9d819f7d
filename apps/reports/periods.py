"""The periods a report covers (docs/reports.md, Periods): a year, a quarter, a month, or a
range of days, each with the period before it of the same length, in Beijing days."""

import calendar
import datetime
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BEIJING = ZoneInfo("Asia/Shanghai")
YEAR, QUARTER, MONTH, RANGE = "year", "quarter", "month", "range"
_FORMS = (
    (re.compile(r"^(\d{4})$"), YEAR),
    (re.compile(r"^(\d{4})-Q([1-4])$"), QUARTER),
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), MONTH),
)
FIRST_YEAR, LAST_YEAR = 2000, 2100  # a year outside is a typing mistake, not a period


@dataclass(frozen=True)
class Period:
    """The Beijing days ``first`` to ``last``, both included."""

    kind: str
    first: datetime.date
    last: datetime.date
    # What a figure works out once per period while one report is computed (the meetings one
    # party branch must hold in it: a query). Not part of the period's identity, and empty in
    # each copy: ``selectors.report()`` works on a fresh copy, so nothing outlives a report.
    known: dict = field(default_factory=dict, init=False, compare=False, hash=False, repr=False)

    def once(self, key: str, compute):
        """``compute()``, the first time ``key`` is asked of this period object."""
        if key not in self.known:
            self.known[key] = compute()
        return self.known[key]

    @property
    def key(self) -> str:
        """What a client sends back to ask for this period: ``2023``, ``2023-Q2``, ``2023-05``,
        or ``2023-03-01..2023-04-15``."""
        if self.kind == YEAR:
            return str(self.first.year)
        if self.kind == QUARTER:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == MONTH:
            return f"{self.first:%Y-%m}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    @property
    def label(self) -> str:
        """The period as the office writes it: 2023年, 2023年第2季度, 2023年5月, or the days."""
        number = {"year": self.first.year, "month": self.first.month}
        if self.kind == YEAR:
            return _("Year %(year)d") % number
        if self.kind == QUARTER:
            return _("Q%(quarter)d %(year)d") % {
                **number,
                "quarter": (self.first.month - 1) // 3 + 1,
            }
        if self.kind == MONTH:
            return _("%(month)d/%(year)d") % number
        return _("%(first)s to %(last)s") % {"first": self.first, "last": self.last}

    @property
    def starts(self) -> datetime.datetime:
        """The first instant of the period (Beijing midnight), for fields that hold a time."""
        return datetime.datetime.combine(self.first, datetime.time(), BEIJING)

    @property
    def ends(self) -> datetime.datetime:
        """The first instant after the period."""
        return datetime.datetime.combine(
            self.last + datetime.timedelta(days=1), datetime.time(), BEIJING
        )

    def previous(self) -> "Period":
        """The period before, of the same kind: last year, last quarter, last month, or the
        same number of days ending the day before."""
        if self.kind == YEAR:
            return year(self.first.year - 1)
        if self.kind == QUARTER:
            first = _months_back(self.first, 3)
            return Period(QUARTER, first, self.first - datetime.timedelta(days=1))
        if self.kind == MONTH:
            first = _months_back(self.first, 1)
            return Period(MONTH, first, self.first - datetime.timedelta(days=1))
        days = (self.last - self.first).days + 1
        last = self.first - datetime.timedelta(days=1)
        return Period(RANGE, last - datetime.timedelta(days=days - 1), last)

    @property
    def whole_months(self) -> bool:
        """Whether the period is whole months, the first of one to the last of another: what a
        rollup kept by month can give (docs/reports.md, Rollups)."""
        return self.first.day == 1 and (self.last + datetime.timedelta(days=1)).day == 1

    def months(self) -> list[datetime.date]:
        """The first day of every month the period touches, in order (the trend's x axis)."""
        months, month = [], self.first.replace(day=1)
        while month <= self.last:
            months.append(month)
            month = _months_back(month, -1)
        return months


def _months_back(day: datetime.date, months: int) -> datetime.date:
    """The first of the month ``months`` before ``day``'s (after it when negative)."""
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def year(number: int) -> Period:
    return Period(YEAR, datetime.date(number, 1, 1), datetime.date(number, 12, 31))


def parse(text: str) -> Period:
    """``2023``, ``2023-Q2``, ``2023-05`` (or a range's key, ``2023-03-01..2023-04-15``) as a
    period; a clear message for anything else."""
    text = (text or "").strip()
    first, dots, last = text.partition("..")
    if dots:  # a range's own key, as a page links it
        try:
            days = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
        except ValueError:
            days = None
        if days:
            return between(*days)
    for pattern, kind in _FORMS:
        found = pattern.match(text)
        if not found:
            continue
        number = int(found.group(1))
        if not FIRST_YEAR <= number <= LAST_YEAR:
            break
        if kind == YEAR:
            return year(number)
        if kind == QUARTER:
            quarter = int(found.group(2))
            first = datetime.date(number, quarter * 3 - 2, 1)
            last_month = quarter * 3
        else:
            first = datetime.date(number, int(found.group(2)), 1)
            last_month = first.month
        last = datetime.date(number, last_month, calendar.monthrange(number, last_month)[1])
        return Period(kind, first, last)
    raise ValidationError(
        _("Give the period as a year (2023), a quarter (2023-Q2) or a month (2023-05)."),
        code="period",
    )


def between(first: datetime.date, last: datetime.date) -> Period:
    """The days ``first`` to ``last``; a year, quarter or month when that is what they are, so
    a range that is a calendar year is read as one (and its case figures shown, docs/reports.md)."""
    if last < first:
        raise ValidationError(_("The period ends before it starts."), code="period")
    if first.year < FIRST_YEAR or last.year > LAST_YEAR:
        raise ValidationError(
            _("The period lies outside the years the system keeps."), code="period"
        )
    for kind in (YEAR, QUARTER, MONTH):
        candidate = parse(Period(kind, first, first).key)
        if candidate.first == first and candidate.last == last:
            return candidate
    return Period(RANGE, first, last)


def asked(
    period: str | None = None,
    date_after: datetime.date | None = None,
    date_before: datetime.date | None = None,
) -> Period | None:
    """The period a page or the API was asked for: a ``period`` code or a range of days, not
    both; None when neither (the caller opens on the latest year with data)."""
    days = [day for day in (date_after, date_before) if day is not None]
    if days and period:
        raise ValidationError(
            _("Give either a period or a range of days, not both."), code="period"
        )
    if len(days) == 1:
        raise ValidationError(
            _("A range of days needs both date_after and date_before."), code="period"
        )
    if period:
        return parse(period)
    if days:
        return between(date_after, date_before)
    return None

"""The annual work report's figures (docs/reports.md, The annual report).

A federation's annual report (述职报告, the seed in issue 20) quotes figures grouped in four
sections. ``SECTIONS`` is that grouping as data: each line names a catalogue key, the
report's own phrase before the number and whether the report rounds it ("400余人").
``annual()`` reads ``selectors.report()`` for the year, so every number equals the
dashboard's, and gives each line its exact value, its report-style text and, for readers of
records, a link to the records it counts (``LINKS``); leadership, who read no records, get
the counting rule and the figure by child organization instead.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.events import selectors as event_selectors
from apps.events.choices import FundSource
from apps.organizations.admin import TREE_FILTER_PARAMETERS
from apps.organizations.choices import Level, TitleStatus
from apps.organizations.models import TitleKind
from apps.organizations.roles import Role
from apps.reports import periods, selectors, signoffs
from apps.reports.catalogue import BY_KEY, Figure
from apps.reports.choices import ReportSection

TEN_THOUSAND = Decimal(10000)
FEN = Decimal("0.01")


@dataclass(frozen=True)
class Line:
    """One figure the report quotes: its catalogue key, the report's phrase before the number,
    and whether the report writes it rounded ("x余人") or exact ("4个")."""

    key: str
    phrase: Promise
    rounds: bool = False
    unit: Promise | None = None  # the catalogue's unit unless the report words it otherwise

    @property
    def figure(self) -> Figure:
        return BY_KEY[self.key]


@dataclass(frozen=True)
class Section:
    code: str  # ReportSection: the draft's paragraphs name their section by it
    title: Promise
    lines: tuple[Line, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        ReportSection.GUIDANCE,
        gettext_lazy("Ideological guidance and party building"),
        (
            Line(
                "branch.meetings_held",
                gettext_lazy("三会一课 meetings held"),
                unit=gettext_lazy("meetings"),
            ),
            Line(
                "events.themed_publicity_held",
                gettext_lazy("Themed publicity and education sessions held"),
                rounds=True,
            ),
            Line(
                "events.themed_publicity_reached",
                gettext_lazy("People reached by the themed sessions"),
                rounds=True,
            ),
            Line(
                "titles.mobile_classroom_city_awarded",
                gettext_lazy("City-level mobile-classroom demonstration points created"),
            ),
            Line(
                "titles.micro_home_awarded",
                gettext_lazy("Demonstration party-building micro-homes upgraded"),
            ),
        ),
    ),
    Section(
        ReportSection.ACHIEVEMENTS,
        gettext_lazy("Women's achievements, family education and assistance"),
        (
            Line(
                "funds.higher_level_for_training",
                gettext_lazy("Funds obtained from higher levels for skills training"),
            ),
            Line("events.trainees", gettext_lazy("People trained"), rounds=True),
            Line(
                "titles.housekeeping_provincial_applied",
                gettext_lazy("Provincial housekeeping demonstration stations applied for"),
            ),
            Line(
                "events.family_education_held",
                gettext_lazy("Family-education events held"),
                rounds=True,
            ),
            Line("funds.donations", gettext_lazy("'99 Giving Day' donations raised")),
        ),
    ),
    Section(
        ReportSection.RIGHTS,
        gettext_lazy("Rights protection and councils"),
        (
            Line(
                "coverage.with_station",
                gettext_lazy("Villages and communities with a rights-protection station or post"),
            ),
            Line("coverage.villages", gettext_lazy("Villages and communities in all")),
            Line(
                "cases.received",
                gettext_lazy("Rights-protection cases received"),
                unit=gettext_lazy("pieces"),
            ),
            Line("councils.set_up", gettext_lazy("Women's councils set up")),
            Line("councils.meetings_held", gettext_lazy("Council meetings held")),
            Line("councils.topics_raised", gettext_lazy("Council topics raised")),
            Line("councils.topics_resolved", gettext_lazy("Council topics resolved")),
            Line(
                "councils.topics_turned_into_results",
                gettext_lazy("Council topics turned into results"),
            ),
        ),
    ),
    Section(
        ReportSection.POSITIONS,
        gettext_lazy("Positions and demonstration titles"),
        (
            Line("positions.open", gettext_lazy("Positions open at the year's end")),
            Line(
                "coverage.with_womens_home",
                gettext_lazy("Villages and communities with a women's home"),
            ),
            Line("titles.applied", gettext_lazy("Demonstration titles applied for")),
            Line("titles.awarded", gettext_lazy("Demonstration titles awarded")),
        ),
    ),
)
LINES: dict[str, Line] = {line.key: line for section in SECTIONS for line in section.lines}

# The report's style ----------------------------------------------------------------------


def rounded_down(value: int) -> tuple[int, bool]:
    """The rule of the report (product): from 100 up, down to one significant digit (437 →
    400); from 10 to 99, down to tens (37 → 30); under 10, exact. The second item says whether
    anything was cut off (then the report writes 余)."""
    if value < 10:
        return value, False
    step = 10 if value < 100 else 10 ** (len(str(value)) - 1)
    down = value // step * step
    return down, down != value


def in_wan(value: Decimal) -> Decimal:
    """Yuan in 万元, to two decimals (23,500.00 → 2.35)."""
    return (value / TEN_THOUSAND).quantize(FEN, rounding=ROUND_HALF_UP)


def report_style(value, unit: str, rounds: bool = True) -> str:
    """A figure as the report writes it: money (a Decimal of yuan) in 万元 to two decimals
    ("2.35万元"); a count rounded by the rule ("400余人", "400人", "7人") or, where the
    report writes it exact, as it is ("4个")."""
    if isinstance(value, Decimal):
        return f"{in_wan(value)}万元"
    if not rounds:
        return f"{value}{unit}"
    down, more = rounded_down(int(value))
    return f"{down}{'余' if more else ''}{unit}"


# Links to the records each figure counts ----------------------------------------------------


def _days(period) -> tuple[str, str]:
    return period.first.isoformat(), period.last.isoformat()


def _admin(request, organization, changelist: str, query: dict) -> str | None:
    """The admin list ``changelist`` narrowed to the organization's subtree by its street or
    village filter (the reader's own organization is the whole list); None where no filter
    narrows to it (a women's committee)."""
    query = dict(query)
    if organization.pk != request.user.organization_id:
        parameter = TREE_FILTER_PARAMETERS.get(organization.kind)
        if parameter is None:
            return None
        query = {parameter: organization.pk, **query}
    return f"{reverse(f'admin:{changelist}')}?{urlencode(query)}"


def _api(name: str, organization, query: dict) -> str:
    query = {"organization": organization.pk, **query, "count": "exact"}
    return f"{reverse(name)}?{urlencode(query)}"


class Codes:
    """The ids the admin's filters take, by code: read once per report, when a link needs
    them (one query each for the categories, the lines and the title kinds)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def categories(self) -> dict[str, int]:
        return dict(event_selectors.category_list(user=self.user).values_list("code", "pk"))

    @cached_property
    def lines(self) -> dict[str, int]:
        return dict(event_selectors.line_list(user=self.user).values_list("code", "pk"))

    @cached_property
    def title_kinds(self) -> dict[str, int]:
        return dict(TitleKind.objects.values_list("code", "pk"))


def _events(category: str | None = None, line: str | None = None):
    """The events' admin list for the year (its Beijing days), category and line; for those
    who do not work in the admin, the events API with the same filters."""

    def link(request, organization, period, codes: Codes):
        first, last = _days(period)
        user = request.user
        if user.is_staff:
            query = {"starts_from": first, "starts_until": last}
            if category:
                if category not in codes.categories:
                    return None
                query["category"] = codes.categories[category]
            if line:
                if line not in codes.lines:
                    return None
                query["line"] = codes.lines[line]
            url = _admin(request, organization, "events_event_changelist", query)
            if url is not None:
                return url
        query = {"date_after": first, "date_before": last}
        query.update({"category": category} if category else {})
        query.update({"line": line} if line else {})
        return _api("event-list", organization, query)

    return link


def _funds(source: str, event_category: str | None = None):
    def link(request, organization, period, codes: Codes):
        first, last = _days(period)
        query = {"source": source, "date_after": first, "date_before": last}
        if event_category:
            query["event_category"] = event_category
        return _api("fund-list", organization, query)

    return link


def _dated_api(name: str):
    def link(request, organization, period, codes: Codes):
        first, last = _days(period)
        return _api(name, organization, {"date_after": first, "date_before": last})

    return link


def _titles(kind: str | None = None, level: str | None = None, awarded: bool = False):
    """The titles' admin list for the year, kind, level and status (no API lists titles)."""

    def link(request, organization, period, codes: Codes):
        if not request.user.is_staff:
            return None
        query: dict[str, Any] = {"year": period.first.year}
        if kind:
            if kind not in codes.title_kinds:
                return None
            query["kind__id__exact"] = codes.title_kinds[kind]
        if level:
            query["level__exact"] = level
        if awarded:
            query["status__exact"] = TitleStatus.AWARDED.value
        return _admin(request, organization, "organizations_title_changelist", query)

    return link


# key → (the view right the reader needs, the link). The coverage figures and the positions
# open are counted on the year's last day; no list filters on that yet, so they carry their
# counting rule alone (docs/reports.md, The annual report).
LINKS: dict[str, tuple[str, Callable]] = {
    "branch.meetings_held": ("members.view_branchmeeting", _dated_api("branchmeeting-list")),
    "events.themed_publicity_held": ("events.view_event", _events(category="themed_publicity")),
    "events.themed_publicity_reached": (
        "events.view_event",
        _events(category="themed_publicity"),
    ),
    "titles.mobile_classroom_city_awarded": (
        "organizations.view_title",
        _titles("mobile_classroom_demo", Level.CITY, awarded=True),
    ),
    "titles.micro_home_awarded": (
        "organizations.view_title",
        _titles("micro_home_demo", awarded=True),
    ),
    "events.trainees": ("events.view_event", _events(category="skills_training")),
    "titles.housekeeping_provincial_applied": (
        "organizations.view_title",
        _titles("housekeeping_demo_station", Level.PROVINCIAL),
    ),
    "events.family_education_held": ("events.view_event", _events(line="family_education")),
    "funds.higher_level_for_training": (
        "events.view_fund",
        _funds(FundSource.HIGHER_LEVEL.value, "skills_training"),
    ),
    "funds.donations": ("events.view_fund", _funds(FundSource.DONATION.value)),
    "cases.received": ("rights.view_case", _dated_api("case-list")),
    "titles.applied": ("organizations.view_title", _titles()),
    "titles.awarded": ("organizations.view_title", _titles(awarded=True)),
}


# The report --------------------------------------------------------------------------------


def _shown(value, hidden: bool) -> str:
    if value is None:
        return _("hidden") if hidden else "—"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return f"{value:,}"


def _text(line: Line, values: dict, hidden: bool) -> str:
    value = values[line.key]
    if value is None:
        return _shown(value, hidden)
    unit = str(line.unit or line.figure.unit)
    if line.key == "coverage.with_station":
        villages = values["coverage.villages"]
        if villages and value == villages:
            return _("all villages and communities")
    return report_style(value, unit, line.rounds)


def annual(*, request, organization, year: int) -> dict:
    """The annual report's lines for ``organization``'s subtree and ``year``, grouped as the
    report is: each with its catalogue key, name, counting rule, exact value, report-style
    text, and a link (readers of records) or the figure by child organization (leadership).

    Once the year is signed off, each line shows the figure frozen at the sign-off and, where
    the live figure differs now, the correction (live − frozen) beside it; for leadership a
    case figure's correction is hidden like any small count (docs/reports.md, Sign-off)."""
    user = request.user
    period = periods.year(year)
    found = selectors.report(user=user, organization=organization, period=period)
    standing = signoffs.standing(user=user, organization=organization, period=period)
    fixed = signoffs.frozen(found, standing.signoff, user)
    suppressed = set(found.suppressed)
    extra = [f"figures.{key}" for key, one in fixed.items() if one.hidden]
    extra = [key for key in extra if key not in suppressed]
    suppressed.update(extra)
    values = {
        key: fixed[key].value if key in fixed else value for key, value in found.values.items()
    }
    leadership = user.role == Role.LEADERSHIP
    codes = Codes(user)
    sections = []
    for section in SECTIONS:
        lines = []
        for line in section.lines:
            figure = line.figure
            value = values[line.key]
            hidden = f"figures.{line.key}" in suppressed
            correction = fixed[line.key].correction if line.key in fixed else None
            entry = {
                "key": line.key,
                "phrase": str(line.phrase),
                "name": str(figure.name),
                "rule": str(figure.rule),
                "unit": str(line.unit or figure.unit),
                "value": value,
                "hidden": hidden,
                "shown": _shown(value, hidden),
                "text": _text(line, values, hidden),
                "link": None,
                "frozen": line.key in fixed,
                "correction": correction,
                "correction_shown": None
                if correction is None
                else signoffs.correction_text(correction),
            }
            if leadership:
                entry["children"] = [
                    {
                        "organization": row.organization,
                        "own_level": row.own_level,
                        "value": row.values[line.key],
                        "shown": _shown(
                            row.values[line.key],
                            f"children.{row.organization.pk}.{line.key}" in suppressed,
                        ),
                    }
                    for row in found.rows
                ]
            elif line.key in LINKS:
                permission, recipe = LINKS[line.key]
                if user.has_perm(permission):
                    entry["link"] = recipe(request, organization, period, codes)
            lines.append(entry)
        sections.append({"title": str(section.title), "lines": lines})
    return {
        "report": found,
        "year": year,
        "values": values,
        "sections": sections,
        "standing": standing,
        "suppressed": [*found.suppressed, *extra],
    }

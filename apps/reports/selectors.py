"""The report of one organization's subtree for one period (docs/reports.md).

``report()`` computes every figure of the catalogue for the organization and the period,
the period before, each child organization, the months of the trend and the breakdowns, in
a number of queries that depends on the catalogue alone (about four per source), never on
the number of organizations or records. Leadership's case figures are then suppressed here,
in the selector, so the page, the API and the Excel file show the same gaps
(``suppress``; docs/reports.md, Privacy in numbers).
"""

import dataclasses
import datetime
import itertools
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import F, Max, QuerySet
from django.db.models.functions import Left, TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.jobs.kinds import JobRefused
from apps.organizations.choices import Kind
from apps.organizations.models import STREET_DEPTH, Organization
from apps.organizations.roles import Role
from apps.organizations.scoping import scope_field, scoped
from apps.reports import periods
from apps.reports.catalogue import (
    BREAKDOWNS,
    CASES_RECEIVED,
    DATED,
    EVENTS,
    FIGURES,
    ROLLUPS,
    SOURCES,
    Figure,
    Source,
    figures_of,
)
from apps.reports.models import DraftParagraph
from apps.reports.periods import BEIJING, Period

SMALL = range(1, 5)  # case counts 1–4 are hidden from leadership (docs/quality.md 9)
TREND_MONTHS = 12


@dataclass
class Part:
    """One part of a breakdown: a code, its name, its value (None: suppressed)."""

    code: str
    name: str
    value: Any


@dataclass
class Row:
    """One organization's figures in the table by child; ``own_level`` is the row of the
    report's own organization's records, so the rows add up to the subtree."""

    organization: Organization
    own_level: bool = False
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Report:
    organization: Organization
    period: Period
    previous_period: Period
    chain: list[Organization]  # the breadcrumb: the reader's own organization down to this one
    values: dict[str, Any]
    previous: dict[str, Any]
    rows: list[Row]
    breakdowns: dict[str, list[Part]]
    months: list[datetime.date]
    trend: dict[str, list[Any]]
    suppressed: list[str] = field(default_factory=list)

    def change(self, key: str):
        """This period's figure less the previous period's; None when either is unknown."""
        now, before = self.values.get(key), self.previous.get(key)
        if now is None or before is None:
            return None
        return now - before


def draft_paragraphs() -> QuerySet:
    """The annual report draft's paragraphs (docs/reports.md, The draft): a district-wide list
    that belongs to no organization, read whole by every report like the reference lists
    (docs/scoping.md)."""
    return DraftParagraph.objects.order_by("order", "pk")


def organization_for_report(*, user, organization_id=None) -> Organization:
    """The organization a report is asked for: one of the reader's subtree (404 outside it,
    docs/scoping.md); the reader's own when none is named."""
    if organization_id is None:
        return user.organization
    found = scoped(Organization.objects.filter(pk=organization_id), user).first()
    if found is None:
        raise Http404
    return found


def organization_for_job(job) -> Organization:
    """The organization a report job (the Word draft, a large Excel file) was started for, read
    again in its account's subtree as the job runs: one that has left it refuses the job."""
    try:
        return organization_for_report(user=job.user, organization_id=job.params["organization"])
    except Http404:
        raise JobRefused(
            _("The organization is no longer in this account's scope: nothing was written.")
        ) from None


def reports_database(using: str | None = None) -> str:
    """The database a report reads: ``using`` where the caller names one (a sign-off names the
    primary, ``"default"``), else ``REPORTS_DATABASE``, a replica when there is one. Named here
    on every query of a report, never by a router, which would also send the reads inside a
    write's transaction away from the rows it is writing (docs/reports.md, Reading from a
    replica)."""
    return using or settings.REPORTS_DATABASE


def latest_year(*, user, organization: Organization, using: str | None = None) -> int:
    """The latest year in which the subtree held an event or received a case (this year
    when it has none yet): where the dashboard opens. Two queries."""
    using = reports_database(using)
    years = []
    for source in (EVENTS, CASES_RECEIVED):
        found = _records(source, user, organization, using).aggregate(last=Max(source.day))["last"]
        if found is not None:
            years.append(timezone.localtime(found, BEIJING).year if source.timed else found.year)
    return max(years, default=timezone.localdate().year)


def report(
    *,
    user,
    organization: Organization,
    period: Period,
    using: str | None = None,
    rollups: bool = True,
) -> Report:
    """Every figure of ``organization``'s subtree (within ``user``'s) for ``period``.

    ``using`` names the database every query reads (``reports_database``: a replica when there
    is one): the sign-off freezes its figures from ``"default"``, the primary, never a replica
    that may lag (docs/reports.md, Sign-off).

    A source kept by month (``ROLLUPS``) is read from its rollup for a period of whole months
    and for the trend; ``rollups=False`` reads every figure from the records (what the rollups
    are checked against)."""
    using = reports_database(using)
    period = dataclasses.replace(period)  # what its figures work out is worked out afresh
    previous = period.previous()
    chain = _chain(user, organization, using)
    children = _children(user, organization, using)
    rows = {organization.path: Row(organization, own_level=bool(children))}
    rows.update((child.path, Row(child)) for child in children)
    months = _trend_months(period)
    values, before, trend = {}, {}, {}
    breakdowns: dict[str, list[Part]] = {}
    not_for_period = set()  # the figures a period of this kind has none of (titles by quarter)
    for source in SOURCES:
        figures = figures_of(source)
        rollup = ROLLUPS.get(source.key) if rollups else None
        # The period's figures from the rollup if it holds whole months (its previous does);
        # the trend's are always whole months.
        whole_months = period.whole_months and previous.whole_months
        whole = rollup if rollup is not None and whole_months else None
        records = _records(whole.rows if whole else source, user, organization, using)
        placed = whole.rows if whole else source
        now_q, before_q = placed.within(period), placed.within(previous)
        if now_q is None:
            not_for_period.update(figure.key for figure in figures)
            values.update((figure.key, None) for figure in figures)
            before.update((figure.key, None) for figure in figures)
            continue
        measures = _measures(figures, (now_q, period), (before_q, previous), rollup=whole)
        found = records.filter(now_q | before_q).aggregate(**measures)
        for index, figure in enumerate(figures):
            values[figure.key] = found[f"now{index}"]
            before[figure.key] = found[f"before{index}"]
        by_child = _by_child(records, organization, children, figures, (now_q, period), whole)
        for count in by_child:
            row = rows.get(count["key"])
            if row is not None:
                row.values.update((f.key, count[f"now{i}"]) for i, f in enumerate(figures))
        if source.placed == DATED and rollup is not None:
            monthly = _records(rollup.rows, user, organization, using)
            trend.update(_trend(rollup.rows, monthly, figures, months, rollup))
        elif source.placed == DATED:
            trend.update(_trend(source, records, figures, months))
    for row in rows.values():
        for figure in FIGURES:
            zero = figure.zero if figure.adds_up and figure.key not in not_for_period else None
            row.values.setdefault(figure.key, zero)
    for breakdown in BREAKDOWNS:
        rollup = ROLLUPS.get(breakdown.source.key) if rollups and period.whole_months else None
        breakdowns[breakdown.key] = _breakdown(breakdown, user, organization, period, using, rollup)
    found = Report(
        organization=organization,
        period=period,
        previous_period=previous,
        chain=chain,
        values=values,
        previous=before,
        rows=list(rows.values()),
        breakdowns=breakdowns,
        months=months,
        trend=trend,
    )
    if user.role == Role.LEADERSHIP:
        suppress(found, user, using)
    return found


def _records(source: Source, user, organization: Organization, using=None) -> QuerySet:
    """The source's rows in ``organization``'s subtree, through the one scoping rule."""
    rows = source.rows() if using is None else source.rows().using(using)
    return scoped(rows, user).filter(**{f"{source.path}__startswith": organization.path})


def _measures(figures: list[Figure], now, before=None, rollup=None) -> dict:
    """The figures' aggregates for ``now`` and ``before``, each a (rows' condition, period),
    over the records or, given one, their ``rollup``'s rows."""
    measures = {
        f"now{i}": figure.aggregate(*now, rollup=rollup) for i, figure in enumerate(figures)
    }
    if before is not None:
        measures.update(
            {f"before{i}": f.aggregate(*before, rollup=rollup) for i, f in enumerate(figures)}
        )
    return measures


def _by_child(
    records: QuerySet, parent: Organization, children, figures, now, rollup=None, before=None
):
    """The figures of ``records`` by child of ``parent``, keyed by the child's path (the
    parent's own records under its own path; all of them there when it has no child): one
    query. Below the district the child is the record's stored street (docs/reports.md,
    Exactness and queries), an integer grouped without reading the path; deeper, the path's
    first characters."""
    field = scope_field(records.model)
    prefix = f"{field}__" if field else ""
    either = now[0] if before is None else now[0] | before[0]
    by_street = bool(children) and children[0].depth == STREET_DEPTH
    if by_street:
        key = F(f"{prefix}street")
    else:
        width = len(parent.path) + (parent.steplen if children else 0)
        key = Left(f"{prefix}path", width)
    counts = (
        records.filter(either)
        .annotate(key=key)
        .values("key")
        .annotate(**_measures(figures, now, before, rollup))
        .order_by()
    )
    if not by_street:
        return list(counts)
    paths = {child.pk: child.path for child in children}
    return [{**count, "key": paths.get(count["key"], parent.path)} for count in counts]


def _trend_months(period: Period) -> list[datetime.date]:
    """The twelve months ending with the period's last."""
    last = period.last.replace(day=1)
    index = last.year * 12 + last.month - 1
    return [
        datetime.date((index - back) // 12, (index - back) % 12 + 1, 1)
        for back in range(TREND_MONTHS - 1, -1, -1)
    ]


def _trend(source: Source, records: QuerySet, figures, months, rollup=None) -> dict[str, list]:
    """Each additive figure of the source by month over ``months``: one query (over the
    rollup's rows, ``source`` then the rollup's, when there is one)."""
    span = Period(periods.RANGE, months[0], _month_end(months[-1]))
    month = TruncMonth(source.day, tzinfo=BEIJING) if source.timed else TruncMonth(source.day)
    adding = [figure for figure in figures if figure.adds_up]
    measures = {f"now{i}": f.aggregate(rollup=rollup) for i, f in enumerate(adding)}
    found = {
        _as_date(row["in_month"]): row
        for row in records.filter(source.within(span))
        .annotate(in_month=month)
        .values("in_month")
        .annotate(**measures)
        .order_by()
    }
    return {
        figure.key: [found[m][f"now{i}"] if m in found else 0 for m in months]
        for i, figure in enumerate(adding)
    }


def _month_end(first: datetime.date) -> datetime.date:
    return periods.parse(f"{first:%Y-%m}").last


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value, BEIJING).date()
    return value


def _breakdown(breakdown, user, organization, period, using=None, rollup=None) -> list[Part]:
    """The parts of a breakdown in the period, largest first: one query (over the rollup's
    rows, given one: the period is then whole months)."""
    total = breakdown.total
    source = rollup.rows if rollup is not None else total.source
    within = source.within(period)
    if within is None:
        return []
    records = _records(source, user, organization, using).filter(within)
    if total.where is not None:
        records = records.filter(total.where(period) if callable(total.where) else total.where)
    names = [breakdown.by] + ([breakdown.label] if breakdown.label else [])
    rows = records.values(*names).annotate(value=total.aggregate(rollup=rollup)).order_by()
    labels = dict(breakdown.choices.choices) if breakdown.choices else {}
    parts = [
        Part(
            code=row[breakdown.by],
            name=str(
                row[breakdown.label] if breakdown.label else labels.get(row[breakdown.by], "")
            ),
            value=row["value"],
        )
        for row in rows
        if row[breakdown.by]
    ]
    return sorted(parts, key=lambda part: (-(part.value or 0), part.code))


def _chain(user, organization: Organization, using=None) -> list[Organization]:
    """The reader's own organization down to ``organization``: one query."""
    root = user.organization
    lengths = range(len(root.path), len(organization.path) + 1, organization.steplen)
    paths = [organization.path[:length] for length in lengths]
    organizations = Organization.objects.using(using) if using else Organization.objects
    found = {o.path: o for o in scoped(organizations.filter(path__in=paths), user)}
    return [found[path] for path in paths if path in found]


def _children(user, organization: Organization, using=None) -> list[Organization]:
    """The organizations right below ``organization`` (none below a village: its table is one
    row, its committees counted in it), in tree order. One query."""
    if organization.kind in (Kind.VILLAGE, Kind.COMMITTEE):
        return []
    organizations = Organization.objects.using(using) if using else Organization.objects
    below = organizations.filter(path__startswith=organization.path, depth=organization.depth + 1)
    return list(scoped(below, user).order_by("path"))


# Privacy in numbers ------------------------------------------------------------------------


def protect(total_hidden: bool, parts: dict[str, Any]) -> set[str]:
    """The parts of an additive group to hide, given whether its total is hidden: every part
    of 1–4, and then, if that leaves exactly one hidden member (the total counted as one), the
    smallest visible part besides (non-zero first), so no hidden member is the total less the
    others (docs/reports.md, Privacy in numbers). Deterministic: the same group hides the same
    parts on every page."""
    hidden = {key for key, value in parts.items() if value in SMALL}
    if len(hidden) + int(total_hidden) == 1:
        visible = sorted(
            ((value or 0) == 0, value or 0, key)
            for key, value in parts.items()
            if key not in hidden
        )
        if visible:
            hidden.add(visible[0][2])
    return hidden


def suppress(found: Report, user, using=None) -> None:
    """Hide leadership's case figures in place (docs/reports.md, Privacy in numbers):

    - by year only: a quarter, a month or a range shows none, and the monthly trend none;
    - a count of 1–4 is hidden, and in every group that adds up (a total and its children, a
      total and its breakdown) a second member is hidden where one alone would be the total
      less the others — the same choice on the parent's page and the child's, because this
      organization's total is judged in its parent's group down the chain from the reader's
      own organization;
    - a median is hidden with the count it is the median of.
    """
    sensitive = [figure for figure in FIGURES if figure.source.sensitive]
    hidden: list[str] = []

    def hide(values: dict, key: str, prefix: str) -> None:
        if key in values:
            values[key] = None
            hidden.append(f"{prefix}{key}")

    for key in found.trend:
        if any(figure.key == key for figure in sensitive):
            found.trend[key] = [None] * len(found.trend[key])
            hidden.append(f"trend.{key}")
    if found.period.kind != periods.YEAR:
        for figure in sensitive:
            hide(found.values, figure.key, "figures.")
            hide(found.previous, figure.key, "previous.")
            for row in found.rows:
                hide(row.values, figure.key, f"children.{row.organization.pk}.")
        for breakdown in BREAKDOWNS:
            if breakdown.source.sensitive:
                for part in found.breakdowns[breakdown.key]:
                    part.value = None
                    hidden.append(f"breakdowns.{breakdown.key}.{part.code}")
        found.suppressed = hidden
        return

    counts = [figure for figure in sensitive if figure.adds_up]
    now_hidden = _totals_hidden(found, user, counts, found.period, found.values, using)
    before_hidden = _totals_hidden(
        found, user, counts, found.previous_period, found.previous, using
    )
    for figure in counts:
        parts = {row.organization.path: row.values[figure.key] for row in found.rows}
        if len(found.rows) == 1:
            rows_hidden = {found.rows[0].organization.path} if now_hidden[figure.key] else set()
        else:
            rows_hidden = protect(now_hidden[figure.key], parts)
        for row in found.rows:
            if row.organization.path in rows_hidden:
                hide(row.values, figure.key, f"children.{row.organization.pk}.")
        if now_hidden[figure.key]:
            hide(found.values, figure.key, "figures.")
        if before_hidden[figure.key]:
            hide(found.previous, figure.key, "previous.")
    for breakdown in BREAKDOWNS:
        if not breakdown.source.sensitive:
            continue
        parts = {part.code: part.value for part in found.breakdowns[breakdown.key]}
        to_hide = protect(now_hidden[breakdown.total.key], parts)
        for part in found.breakdowns[breakdown.key]:
            if part.code in to_hide:
                part.value = None
                hidden.append(f"breakdowns.{breakdown.key}.{part.code}")
    for figure in sensitive:
        if figure.adds_up:
            continue
        count = next(f for f in counts if f.source is figure.source)
        for values, prefix in ((found.values, "figures."), (found.previous, "previous.")):
            if values.get(count.key) is None:
                hide(values, figure.key, prefix)
        for row in found.rows:
            if row.values.get(count.key) is None:
                hide(row.values, figure.key, f"children.{row.organization.pk}.")
    found.suppressed = hidden


def _totals_hidden(
    found: Report, user, counts: list[Figure], period: Period, values, using=None
) -> dict:
    """Whether the report's organization's total of each count is hidden for ``period``:
    judged from the reader's own organization down the chain, each step in its parent's group
    (one query per source and step, two steps at most in a three-level tree)."""
    hidden = {figure.key: values[figure.key] in SMALL for figure in counts}
    chain = found.chain
    if len(chain) < 2:
        return hidden
    top = {figure.key: None for figure in counts}  # the chain's root judged on its own value
    for parent, child in itertools.pairwise(chain):
        children = _children(user, parent, using)
        for source in {figure.source for figure in counts}:
            figures = [figure for figure in counts if figure.source is source]
            records = _records(source, user, parent, using)
            within = (source.within(period), period)
            by_child = _by_child(records, parent, children, figures, within)
            groups = {row["key"]: row for row in by_child}
            for index, figure in enumerate(figures):
                parts = {o.path: groups.get(o.path, {}).get(f"now{index}", 0) for o in children}
                parts[parent.path] = groups.get(parent.path, {}).get(f"now{index}", 0)
                if top[figure.key] is None:
                    total = sum(parts.values())
                    top[figure.key] = total in SMALL
                parent_hidden = top[figure.key]
                top[figure.key] = child.path in protect(parent_hidden, parts)
    for figure in counts:
        hidden[figure.key] = bool(top[figure.key]) or values[figure.key] in SMALL
    return hidden

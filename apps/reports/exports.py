"""A report as an .xlsx file (docs/reports.md, Excel): every table of the dashboard with the
same numbers, read from the same ``Report`` and ``Completeness``; the organization, the period
and who exported it in each sheet's title row; hidden figures read as on the page.

A subtree of up to ``REPORTS_EXPORT_JOB_ORGANIZATIONS`` organizations is written while the
reader waits; a larger one (the district's: its aggregates read every record, its lists of who
has not reported run to hundreds of rows) by a background job, ``write_job``, as the account
that asked."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.xlsx_export import Sheet, sheets_bytes, workbook_response
from apps.organizations.models import Organization
from apps.organizations.scoping import scoped
from apps.reports import completeness, periods, selectors
from apps.reports.catalogue import BREAKDOWNS, FIGURES
from apps.reports.completeness import Completeness
from apps.reports.selectors import Report

EXPORT_JOB = "report_export"


def allowed(user) -> bool:
    """Every active account reads the reports of its subtree (docs/roles.md)."""
    return bool(user.is_active)


def in_background(*, user, organization: Organization) -> bool:
    """Whether the export of ``organization``'s report is written by a job: its subtree, as
    ``user`` reaches it, holds more organizations than the setting. One query."""
    subtree = Organization.objects.filter(path__startswith=organization.path)
    return scoped(subtree, user).count() > settings.REPORTS_EXPORT_JOB_ORGANIZATIONS


def write_job(job) -> tuple[bytes, str]:
    """The job's file (``apps.jobs.kinds.FileKind.write``): its parameters are the page's
    ``organization`` and ``period`` (a period's key), read again as the job's account now."""
    user = job.user
    organization = selectors.organization_for_job(job)
    period = periods.parse(job.params["period"])
    found = selectors.report(user=user, organization=organization, period=period)
    missing = completeness.completeness(user=user, organization=organization, period=period)
    return sheets_bytes(report_sheets(found, missing, user)), filename(found)


def filename(found: Report) -> str:
    return f"{found.organization.name}-{found.period.key}-{_('report')}.xlsx"


def cell(value, hidden: bool = True):
    """A figure as a cell: the number itself (money exact to the fen), a hidden one as on the
    page, one the period has none of as a dash."""
    if value is None:
        return _("hidden") if hidden else "—"
    return value


def report_response(found: Report, missing: Completeness, user):
    return workbook_response(
        filename(found),
        report_sheets(found, missing, user),
        ascii_filename=f"report-{found.organization.pk}-{found.period.key}.xlsx",
    )


def report_sheets(found: Report, missing: Completeness, user) -> list[Sheet]:
    title = _("%(organization)s · %(period)s · exported by %(user)s at %(at)s") % {
        "organization": found.organization.name,
        "period": found.period.label,
        "user": user.name or user.get_username(),
        "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }
    adding = [figure for figure in FIGURES if figure.key in found.trend]
    suppressed = set(found.suppressed)
    figures = Sheet(
        name=_("Figures"),
        title=title,
        headers=[
            _("Figure"),
            found.period.label,
            found.previous_period.label,
            _("Change"),
            _("Unit"),
            _("Counting rule"),
        ],
        rows=[
            [
                figure.name,
                cell(found.values[figure.key], f"figures.{figure.key}" in suppressed),
                cell(found.previous[figure.key], f"previous.{figure.key}" in suppressed),
                found.change(figure.key),
                figure.unit,
                figure.rule,
            ]
            for figure in FIGURES
        ],
    )
    by_child = Sheet(
        name=_("By organization"),
        title=title,
        headers=[_("organization"), *(figure.name for figure in FIGURES)],
        rows=[
            [
                _("%(name)s (own level)") % {"name": row.organization.name}
                if row.own_level
                else row.organization.name,
                *(
                    cell(
                        row.values[figure.key],
                        f"children.{row.organization.pk}.{figure.key}" in suppressed,
                    )
                    for figure in FIGURES
                ),
            ]
            for row in found.rows
        ],
    )
    parts = Sheet(
        name=_("Breakdowns"),
        title=title,
        headers=[_("Figure"), _("code"), _("name"), found.period.label],
        rows=[
            [breakdown.name, part.code, part.name, cell(part.value)]
            for breakdown in BREAKDOWNS
            for part in found.breakdowns[breakdown.key]
        ],
    )
    trend = Sheet(
        name=_("By month"),
        title=title,
        headers=[_("Month"), *(figure.name for figure in adding)],
        rows=[
            [f"{month:%Y-%m}", *(cell(found.trend[figure.key][index]) for figure in adding)]
            for index, month in enumerate(found.months)
        ],
    )
    return [figures, by_child, parts, trend, *missing_sheets(missing, title)]


def missing_sheets(missing: Completeness, title: str) -> list[Sheet]:
    """Who has not reported, as the page lists it: a row per organization, council or
    position with its street, and the counts by street."""
    kinds = [
        (_("Villages and communities with no event"), missing.no_events),
        (_("Party branches with no 三会一课"), missing.no_branch_meetings),
        (_("Women's councils with no meeting"), missing.idle_councils),
    ]
    rows = [
        [kind, group.street.name, organization.name, ""]
        for kind, groups in kinds[:2]
        for group in groups
        for organization in group.organizations
    ]
    rows += [
        [kinds[2][0], group.street.name, council.organization.name, council.name]
        for group in missing.idle_councils
        for council in group.organizations
    ]
    positions = _("Positions below their required events")
    rows += [
        [
            positions,
            (short.position.organization.street or short.position.organization).name,
            short.position.organization.name,
            f"{short.position.name}（{short.position.kind}）：{_quarters(short)}",
        ]
        for short in missing.positions_short
    ]
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        counts[row[0], row[1]] = counts.get((row[0], row[1]), 0) + 1
    return [
        Sheet(
            name=_("Not reported"),
            title=title,
            headers=[_("What is missing"), _("street"), _("organization"), _("details")],
            rows=rows,
        ),
        Sheet(
            name=_("Not reported by street"),
            title=title,
            headers=[_("What is missing"), _("street"), _("count")],
            rows=[[kind, street, count] for (kind, street), count in counts.items()],
        ),
    ]


def _quarters(short) -> str:
    """A position's missed quarters as the page writes them: ``2024年第1季度 0/1，…``."""
    return "，".join(f"{q.quarter.label} {q.held}/{q.required}" for q in short.quarters)

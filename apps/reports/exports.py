"""A report as an .xlsx file (docs/reports.md, Excel): the dashboard's tables with the same
numbers, read from the same ``Report``; the organization, the period and who exported it in
each sheet's title row; hidden figures read as on the page.

A report's tables have a row per child organization (a few dozen at most) and twelve months,
so the file is written while the reader waits, not as a background job."""

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.xlsx_export import Sheet, workbook_response
from apps.reports.catalogue import BREAKDOWNS, FIGURES
from apps.reports.selectors import Report


def cell(value, hidden: bool = True):
    """A figure as a cell: the number itself (money exact to the fen), a hidden one as on the
    page, one the period has none of as a dash."""
    if value is None:
        return _("hidden") if hidden else "—"
    return value


def report_response(found: Report, user):
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
    filename = f"{found.organization.name}-{found.period.key}-{_('report')}.xlsx"
    return workbook_response(
        filename,
        [figures, by_child, parts, trend],
        ascii_filename=f"report-{found.organization.pk}-{found.period.key}.xlsx",
    )

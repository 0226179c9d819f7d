"""The annual report's Word draft, written by a background job (docs/reports.md, The draft).

The job runs as the account that asked for it, looked up again: the organization is read in
its subtree now, the figures through ``annual()`` as the page reads them (a leader's with the
same figures hidden). The file holds the title, the organization and the year, each section's
heading and its paragraphs filled, and a table of the figures.
"""

from io import BytesIO

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from apps.reports import annual, draft, selectors

DRAFT_JOB = "annual_draft"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "宋体"  # the body's East Asian font; Word falls back to a Song face where it is missing


def allowed(user) -> bool:
    """Every active account reads the reports of its subtree (docs/roles.md)."""
    return bool(user.is_active)


def write_job(job) -> tuple[bytes, str]:
    """The job's file (``apps.jobs.kinds.FileKind.write``): its parameters are the page's
    ``organization`` and ``year``."""
    user = job.user
    organization = selectors.organization_for_job(job)
    year = int(job.params["year"])
    data = annual_draft_docx(user=user, organization=organization, year=year)
    return data, _("%(organization)s %(year)s annual work report (draft).docx") % {
        "organization": organization.name,
        "year": year,
    }


def annual_draft_docx(*, user, organization, year: int) -> bytes:
    """The draft as a .docx file, for ``user``."""
    request = HttpRequest()  # annual() reads the reader from a request, as the page's does
    request.user = user
    found = annual.annual(request=request, organization=organization, year=year)
    report = found["report"]
    document = Document()
    _chinese_fonts(document)
    document.add_heading(
        _("%(organization)s %(year)s annual work report")
        % {"organization": organization.name, "year": year},
        level=0,
    )
    note = document.add_paragraph(
        _(
            "Draft. Organization: %(organization)s; year: %(year)s. The figures were counted "
            "from the records on %(when)s; check them before use."
        )
        % {
            "organization": organization.name,
            "year": year,
            "when": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        }
    )
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for section in draft.draft(found):
        document.add_heading(section["title"], level=1)
        for text in section["paragraphs"]:
            document.add_paragraph(text)
    document.add_heading(_("The figures"), level=1)
    _figures_table(document, found["sections"])
    if report.suppressed:
        document.add_paragraph(
            _(
                "Case figures are shown to leadership by year only, and counts below 5 are "
                "hidden together with any figure that would give them away."
            )
        )
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def _figures_table(document, sections: list[dict]) -> None:
    """One row per line of the report: its phrase, the report's text, the exact value with its
    unit, the counting rule; a row naming each section."""
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, heading in zip(
        table.rows[0].cells,
        (_("Figure"), _("In the report"), _("Exact"), _("Counting rule")),
        strict=True,
    ):
        cell.text = heading
    for section in sections:
        row = table.add_row().cells
        merged = row[0].merge(row[3])
        merged.text = section["title"]
        for line in section["lines"]:
            cells = table.add_row().cells
            cells[0].text = line["phrase"]
            cells[1].text = line["text"]
            cells[2].text = f"{line['shown']} {line['unit']}"
            cells[3].text = line["rule"]


def _chinese_fonts(document) -> None:
    for name in ("Normal", "Title", "Heading 1"):
        style = document.styles[name]
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), FONT)

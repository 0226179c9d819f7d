"""Writing .xlsx files for download: named sheets, each with a title row (what the sheet is,
for whom, when), a bold header frozen below it, real dates and numbers, no formulas.

Text that Excel would read as a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage
return first: OWASP "CSV injection") is written as text with a quote prefix, so a name typed
as ``=HYPERLINK(…)`` stays a name when the file is opened.
"""

import datetime
import decimal
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_COLUMN_WIDTH = 60
WIDTH_SAMPLE = 1000  # rows read to size the columns
SHEET_NAME_MAX = 31  # Excel's limit
SHEET_NAME_REFUSED = re.compile(r"[\[\]:*?/\\]")  # characters Excel refuses in a sheet's name


@dataclass
class Sheet:
    """One sheet of a workbook: its name (on the tab), a title row above the header (left out
    when blank), the header and the rows."""

    name: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]
    title: str = ""


def workbook_response(
    filename: str,
    sheets: Sequence[Sheet],
    *,
    ascii_filename: str = "export.xlsx",
) -> HttpResponse:
    """A download of ``sheets``; ``filename`` may be Chinese (RFC 6266 ``filename*``).

    ``ascii_filename`` is for the few clients that read only ``filename``.
    """
    response = HttpResponse(sheets_bytes(sheets), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_filename}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    response["Cache-Control"] = "no-store"
    return response


def workbook_bytes(
    headers: Sequence[str], rows: Iterable[Sequence[object]], *, name: str = "", title: str = ""
) -> bytes:
    """A file of one sheet: see ``sheets_bytes``."""
    return sheets_bytes([Sheet(name=name, headers=headers, rows=rows, title=title)])


def sheets_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The .xlsx file: a sheet for each of ``sheets``, in order.

    On each, the title (if any) in the first row, then the header row, bold and frozen (it
    stays in view with the title as the rows scroll), then one row per item of ``rows``.
    Values are written as they are: ``date`` and ``datetime`` as Excel dates (an aware
    datetime in local time), ``int``/``float``/``Decimal`` as numbers, ``None`` as an
    empty cell, anything else as text.
    """
    workbook = Workbook(write_only=True)
    used = set()
    for sheet in sheets:
        name = sheet_name(sheet.name, used)
        used.add(name.casefold())
        _write_sheet(workbook.create_sheet(title=name), sheet)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_name(text: str, used: Iterable[str] = ()) -> str:
    """``text`` as Excel takes a sheet's name: none of []:*?/\\, at most 31 characters, not
    blank, not starting or ending with an apostrophe, and not one of ``used`` (casefolded)."""
    name = SHEET_NAME_REFUSED.sub("", str(text)).strip().strip("'")[:SHEET_NAME_MAX] or "Sheet"
    taken = set(used)
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = name[: SHEET_NAME_MAX - len(suffix)] + suffix
    return candidate


def _write_sheet(sheet, content: Sheet) -> None:
    headers = content.headers
    values = [[excel_value(value) for value in row] for row in content.rows]
    sample = values[:WIDTH_SAMPLE]
    for index, header in enumerate(headers):
        texts = [str(header), *(_shown(row[index]) for row in sample if index < len(row))]
        width = min(max(_display_width(text) for text in texts) + 2, MAX_COLUMN_WIDTH)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    bold = Font(bold=True)
    if content.title:
        sheet.freeze_panes = "A3"
        sheet.append([_cell(sheet, excel_value(content.title), font=bold)])
    else:
        sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, excel_value(header), font=bold) for header in headers])
    for row in values:
        sheet.append([_cell(sheet, value) for value in row])


def excel_value(value: object) -> object:
    """What a cell holds for ``value``: a date, a number, text or None."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters: not allowed in .xlsx
    if value is None or isinstance(value, int | float | decimal.Decimal):
        return value  # bool is an int: the caller says how a yes/no reads
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, datetime.date | datetime.time):
        return value
    return excel_value(str(value))  # a lazy translation, a related record …


def _cell(sheet, value, font=None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"  # openpyxl makes "=…" a formula; this keeps it text
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    if font is not None:
        cell.font = font
    return cell


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return "0000-00-00 00:00:00"
    if isinstance(value, datetime.date):
        return "0000-00-00"
    return str(value)


def _display_width(text: str) -> int:
    """Columns of a fixed-width font: a Chinese character is two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)

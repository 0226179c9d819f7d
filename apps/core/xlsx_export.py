"""Writing .xlsx files for download: a bold frozen header, real dates and numbers, no formulas.

Text that Excel would read as a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage
return first: OWASP "CSV injection") is written as text with a quote prefix, so a name typed
as ``=HYPERLINK(…)`` stays a name when the file is opened.
"""

import datetime
import decimal
import unicodedata
from collections.abc import Iterable, Sequence
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


def workbook_response(
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    ascii_filename: str = "export.xlsx",
) -> HttpResponse:
    """A download of one sheet; ``filename`` may be Chinese (RFC 6266 ``filename*``).

    ``ascii_filename`` is for the few clients that read only ``filename``.
    """
    response = HttpResponse(workbook_bytes(headers, rows), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_filename}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    response["Cache-Control"] = "no-store"
    return response


def workbook_bytes(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The .xlsx file: the header row bold and frozen, then one row per item of ``rows``.

    Values are written as they are: ``date`` and ``datetime`` as Excel dates (an aware
    datetime in local time), ``int``/``float``/``Decimal`` as numbers, ``None`` as an
    empty cell, anything else as text.
    """
    values = [[excel_value(value) for value in row] for row in rows]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.freeze_panes = "A2"
    sample = values[:WIDTH_SAMPLE]
    for index, header in enumerate(headers):
        texts = [str(header), *(_shown(row[index]) for row in sample if index < len(row))]
        width = min(max(_display_width(text) for text in texts) + 2, MAX_COLUMN_WIDTH)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    bold = Font(bold=True)
    sheet.append([_cell(sheet, str(header), font=bold) for header in headers])
    for row in values:
        sheet.append([_cell(sheet, value) for value in row])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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

"""Reading the .xlsx sheets staff already keep: rows as dicts, headers in Chinese or English."""

from dataclasses import dataclass
from io import BytesIO
from zipfile import BadZipFile

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MAX_ROWS = 5000


class SheetError(ValueError):
    """The file as a whole cannot be read (not .xlsx, no header, too many rows)."""


@dataclass(frozen=True)
class Cell:
    value: object
    is_number: bool

    @property
    def text(self) -> str:
        if self.value is None:
            return ""
        if isinstance(self.value, float) and self.value.is_integer():
            return str(int(self.value))
        return str(self.value).strip()


def read_sheet(
    data: bytes, columns: dict[str, set[str]], *, max_rows: int | None = MAX_ROWS
) -> list[tuple[int, dict[str, Cell]]]:
    """The first sheet's rows after its header, as ``(row number, {column: Cell})``.

    ``columns`` maps each column's key to the header texts that name it
    (``{"username": {"用户名", "username"}}``). Blank rows are skipped.
    ``max_rows=None`` reads any number of rows (for commands, not web pages).
    """
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as exc:
        raise SheetError(_("The file is not an .xlsx workbook.")) from exc
    try:
        return _rows(workbook, columns, max_rows)
    except SheetError:
        raise
    except Exception as exc:  # openpyxl parses lazily: a broken sheet fails while read
        raise SheetError(_("The file is not an .xlsx workbook.")) from exc
    finally:
        workbook.close()


def _rows(workbook, columns, max_rows):
    if not workbook.worksheets:
        raise SheetError(_("The sheet is empty."))
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows()
    header = next(rows, None)
    if header is None:
        raise SheetError(_("The sheet is empty."))
    names = {
        str(cell.value).strip().lower(): index for index, cell in enumerate(header) if cell.value
    }
    positions = {}
    for key, aliases in columns.items():
        found = [names[alias.lower()] for alias in aliases if alias.lower() in names]
        if not found:
            raise SheetError(
                _("The header has no column %(column)s.") % {"column": "/".join(sorted(aliases))}
            )
        positions[key] = found[0]
    result = []
    for number, row in enumerate(rows, start=2):
        if max_rows is not None and number > max_rows + 1:
            raise SheetError(_("A sheet may have at most %(max)d rows.") % {"max": max_rows})
        cells = {}
        for key, index in positions.items():
            cell = row[index] if index < len(row) else None
            value = cell.value if cell is not None else None
            cells[key] = Cell(value, isinstance(value, int | float) and not isinstance(value, bool))
        if any(cell.text for cell in cells.values()):
            result.append((number, cells))
    return result
